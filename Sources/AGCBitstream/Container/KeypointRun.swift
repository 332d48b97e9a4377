/// A keypoint run unit: the modes and keypoints of `frameCount` consecutive frames from
/// `firstFrame`, range coded by `KeypointRunEncoder` with contexts reset at the start of the unit.
/// A run that codes references (unit 0x85, format 1.2) also says which of the key pictures since
/// the last random-access one each generated frame is animated from.
public struct KeypointRun: Hashable, Sendable {
    public var firstFrame: Int
    public var frameCount: Int
    /// The range-coded payload.
    public var codedData: [UInt8]
    /// Whether generated frames carry a key-picture reference: the unit type, 0x85 (true) or 0x83.
    public var codesReferences: Bool

    public init(firstFrame: Int, frameCount: Int, codedData: [UInt8], codesReferences: Bool = false) {
        self.firstFrame = firstFrame
        self.frameCount = frameCount
        self.codedData = codedData
        self.codesReferences = codesReferences
    }

    /// Codes `frames` starting from `predictor` (the key frame's quantized keypoints, or the last
    /// generated frame's before this run).
    public init(firstFrame: Int, frames: [KeypointFrame], predictor: [QuantizedKeypoint],
                codesReferences: Bool = false) throws {
        var encoder = KeypointRunEncoder(predictor: predictor, codesReferences: codesReferences)
        for frame in frames { try encoder.encode(frame) }
        self.init(firstFrame: firstFrame, frameCount: frames.count, codedData: encoder.finish(),
                  codesReferences: codesReferences)
    }

    /// Decodes all frames, starting from `predictor`; checks that the coded data end exactly
    /// after the last frame. Returns the frames and the predictor for the next run.
    public func decode(quantizer: KeypointQuantizer, predictor: [QuantizedKeypoint]) throws
        -> (frames: [KeypointFrame], predictor: [QuantizedKeypoint]) {
        var decoder = KeypointRunDecoder(payload: codedData, quantizer: quantizer, predictor: predictor,
                                         firstFrame: firstFrame, codesReferences: codesReferences)
        let frames = try decoder.decodeFrames(frameCount)
        try decoder.finish()
        return (frames, decoder.predictor)
    }
}

extension KeypointRun {
    /// Decodes the run of a predicted key picture's unit (0x86, format 1.3): first the key
    /// picture's own keypoints (coded as a generated frame of the latest key picture, against
    /// `predictor`), then the run's frames. Checks that the coded data end exactly after them.
    public func decodeAfterKeyPicture(quantizer: KeypointQuantizer, predictor: [QuantizedKeypoint]) throws
        -> (keypoints: [QuantizedKeypoint], frames: [KeypointFrame], predictor: [QuantizedKeypoint]) {
        var decoder = KeypointRunDecoder(payload: codedData, quantizer: quantizer, predictor: predictor,
                                         firstFrame: firstFrame - 1, codesReferences: codesReferences)
        guard case .generated(let keypoints, 0) = try decoder.decodeFrame() else {
            throw BitstreamError.invalidArgument("the key picture's keypoints are coded as a repeat or name another key picture")
        }
        let frames = try decoder.decodeFrames(frameCount)
        try decoder.finish()
        return (keypoints, frames, decoder.predictor)
    }
}

/// The payload of a keypoint run that codes references: a keypoint run's fields under another type.
struct ReferencedKeypointRun: UnitPayload {
    static var unitType: UnitType { .referencedKeypointRun }
    var run: KeypointRun

    init(_ run: KeypointRun) { self.run = run }

    func encode(into writer: inout ByteWriter) { run.encode(into: &writer) }

    init(from reader: inout ByteReader) throws {
        run = try KeypointRun(from: &reader)
        run.codesReferences = true
    }
}

extension KeypointRun: UnitPayload {
    static var unitType: UnitType { .keypointRun }

    func encode(into writer: inout ByteWriter) {
        writer.varint(firstFrame)
        writer.varint(frameCount)
        writer.blob(codedData)
    }

    init(from reader: inout ByteReader) throws {
        let span = try reader.frameSpan(counts: 0...FormatLimits.maxRunFrames)
        self.init(firstFrame: span.first, frameCount: span.count, codedData: try reader.blob("coded data"))
    }
}
