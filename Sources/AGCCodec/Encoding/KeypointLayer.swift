import AGCBitstream

/// The keypoint run being filled between key pictures.
struct RunBuilder {
    var encoder: KeypointRunEncoder
    var firstFrame = 0
    var frames = 0

    /// A run predicted from `predictor`; `codesReferences`: its generated frames name their key
    /// picture (unit 0x85).
    init(predictor: [QuantizedKeypoint], codesReferences: Bool) {
        encoder = KeypointRunEncoder(predictor: predictor, codesReferences: codesReferences)
    }

    /// Writes the run if it holds frames and starts the next at `nextFirstFrame` with the same
    /// predictor; returns the unit's payload bytes.
    mutating func flush(to writer: BitstreamWriter, nextFirstFrame: Int) throws -> Int {
        guard frames > 0 else { return 0 }
        let predictor = encoder.predictor
        let data = encoder.finish()
        try writer.write(KeypointRun(firstFrame: firstFrame, frameCount: frames, codedData: data,
                                     codesReferences: encoder.codesReferences))
        self = RunBuilder(predictor: predictor, codesReferences: encoder.codesReferences)
        firstFrame = nextFirstFrame
        return data.count
    }
}

/// The key picture's quantized keypoints, carried in its unit (optional field 1) so that encoder
/// and decoder animate from, and predict from, exactly the same values. A random-access key
/// picture codes them from nothing (an all-zero predictor); a predicted one in a 0x86 unit
/// (format 1.3) against the keypoint predictor of the frames before it (docs/bitstream.md 5.2).
enum KeyFrameKeypoints {
    static let tag = 1

    /// The field's bytes: `keypoints` coded against `predictor` (nil: from nothing).
    static func encode(_ keypoints: [QuantizedKeypoint], predictor: [QuantizedKeypoint]? = nil) throws -> [UInt8] {
        var coder = KeypointRunEncoder(predictor: predictor ?? zeros(keypoints.count))
        try coder.encode(.generated(keypoints))
        return coder.finish()
    }

    /// The keypoints in the field's `bytes`, coded against `predictor` (nil: from nothing).
    static func decode(_ bytes: [UInt8], count: Int, quantizer: KeypointQuantizer,
                       predictor: [QuantizedKeypoint]? = nil) throws -> [QuantizedKeypoint] {
        if let predictor, predictor.count != count {
            throw BitstreamError.invalidArgument("key frame keypoints predicted from \(predictor.count) keypoints, expected \(count)")
        }
        var decoder = KeypointRunDecoder(payload: bytes, quantizer: quantizer, predictor: predictor ?? zeros(count))
        guard case .generated(let points, _) = try decoder.decodeFrame() else {
            throw BitstreamError.invalidArgument("key frame keypoints coded as a repeat")
        }
        return points
    }

    private static func zeros(_ count: Int) -> [QuantizedKeypoint] {
        [QuantizedKeypoint](repeating: .init(x: 0, y: 0), count: count)
    }
}
