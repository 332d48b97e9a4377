import AGCBitstream

/// The keypoint run being filled between key pictures. After a predicted key picture the run
/// starts with that picture's own keypoints and is written inside its unit (0x86, format 1.3):
/// one unit, one range coder for the picture and the frames after it.
struct RunBuilder {
    var encoder: KeypointRunEncoder
    /// The camera's maps of the run's frames (format 1.4), written as a unit of their own before
    /// the run's unit when some frame's camera moves.
    var camera = CameraRunEncoder()
    var firstFrame = 0
    var frames = 0
    /// The predicted key picture whose unit will carry this run (its keypoints are the run's
    /// first coded frame), or nil for a run unit of its own (0x83 / 0x85).
    private(set) var keyPicture: KeyFrame?

    /// A run predicted from `predictor`; `codesReferences`: its generated frames name their key
    /// picture (unit 0x85).
    init(predictor: [QuantizedKeypoint], codesReferences: Bool) {
        encoder = KeypointRunEncoder(predictor: predictor, codesReferences: codesReferences)
    }

    /// The run after the key picture `coded` of frame `frame`, whose quantized keypoints are
    /// `keypoints`. A random-access picture is written at once as a key frame unit with its
    /// keypoints field, and a run unit of its own follows it; a predicted one is held, to be
    /// written with the run it carries (format 1.3), its keypoints the run's first frame, coded
    /// against `predictor` (the keypoints the next generated frame would have been predicted
    /// from). Returns the run, the bits the keypoints took and the bytes that count as the key
    /// picture's (the packet, and the field of a random-access one).
    static func start(after coded: KeyPictureLayer.Coded, frame: Int, keypoints: [QuantizedKeypoint],
                      predictor: [QuantizedKeypoint], codesReferences: Bool, writer: BitstreamWriter) throws
        -> (run: RunBuilder, keypointBits: Int, keyBytes: Int) {
        guard coded.isRandomAccess else {
            let key = KeyFrame(frameNumber: frame, packet: coded.packet, isRandomAccess: false)
            let (run, bits) = try after(key, keypoints: keypoints, predictor: predictor, codesReferences: codesReferences)
            return (run, bits, coded.packet.count)
        }
        let field = try KeyFrameKeypoints.encode(keypoints)
        try writer.write(KeyFrame(frameNumber: frame, packet: coded.packet,
                                  optionalFields: [OptionalField(tag: KeyFrameKeypoints.tag, value: field)]))
        var run = RunBuilder(predictor: keypoints, codesReferences: codesReferences)
        run.firstFrame = frame + 1
        return (run, 8 * field.count, coded.packet.count + field.count)
    }

    /// A run inside the unit of the predicted key picture `keyPicture`, starting with its
    /// `keypoints` coded against `predictor`. Returns the run and the bits the keypoints took.
    private static func after(_ keyPicture: KeyFrame, keypoints: [QuantizedKeypoint], predictor: [QuantizedKeypoint],
                              codesReferences: Bool) throws -> (RunBuilder, bits: Int) {
        var run = RunBuilder(predictor: predictor, codesReferences: codesReferences)
        let before = run.encoder.approximateSize
        try run.encoder.encode(.generated(keypoints))
        run.keyPicture = keyPicture
        run.firstFrame = keyPicture.frameNumber + 1
        return (run, 8 * (run.encoder.approximateSize - before))
    }

    /// Adds a frame: its keypoints (or a repeat) and its camera map.
    mutating func add(_ frame: KeypointFrame, camera map: CameraMap) throws {
        try encoder.encode(frame)
        camera.encode(map)
        frames += 1
    }

    /// Writes the run (in its key picture's unit, or as a run unit if it holds frames), after
    /// its camera-motion unit if some frame's camera moves, and starts the next, a run unit of
    /// its own, at `nextFirstFrame` with the same predictor; returns the range-coded bytes written.
    mutating func flush(to writer: BitstreamWriter, nextFirstFrame: Int) throws -> Int {
        guard frames > 0 || keyPicture != nil else { return 0 }
        precondition(camera.frameCount == frames, "one camera map per frame of the run")
        var cameraBytes = 0
        if camera.movingFrames > 0 {
            let coded = camera.finish()
            try writer.write(CameraRun(firstFrame: firstFrame, frameCount: frames, codedData: coded))
            cameraBytes = coded.count
        }
        let predictor = encoder.predictor
        let data = encoder.finish()
        let run = KeypointRun(firstFrame: firstFrame, frameCount: frames, codedData: data,
                              codesReferences: encoder.codesReferences)
        if var key = keyPicture {
            key.run = run
            try writer.write(key)
        } else {
            try writer.write(run)
        }
        self = RunBuilder(predictor: predictor, codesReferences: encoder.codesReferences)
        firstFrame = nextFirstFrame
        return data.count + cameraBytes
    }
}

/// A random-access key picture's quantized keypoints, carried in its unit (optional field 1) so
/// that encoder and decoder animate from, and predict from, exactly the same values: coded as
/// one generated frame against an all-zero predictor. (A predicted key picture's keypoints are
/// the first frame of the run in its unit, `RunBuilder.after`.)
enum KeyFrameKeypoints {
    static let tag = 1

    static func encode(_ keypoints: [QuantizedKeypoint]) throws -> [UInt8] {
        var coder = KeypointRunEncoder(predictor: [QuantizedKeypoint](repeating: .init(x: 0, y: 0), count: keypoints.count))
        try coder.encode(.generated(keypoints))
        return coder.finish()
    }

    static func decode(_ bytes: [UInt8], count: Int, quantizer: KeypointQuantizer) throws -> [QuantizedKeypoint] {
        var decoder = KeypointRunDecoder(payload: bytes, quantizer: quantizer,
                                         predictor: [QuantizedKeypoint](repeating: .init(x: 0, y: 0), count: count))
        guard case .generated(let points, _) = try decoder.decodeFrame() else {
            throw BitstreamError.invalidArgument("key frame keypoints coded as a repeat")
        }
        return points
    }
}
