/// A keypoint run unit: the modes and keypoints of `frameCount` consecutive frames from
/// `firstFrame`, range coded by `KeypointRunEncoder` with contexts reset at the start of the unit.
public struct KeypointRun: Hashable, Sendable {
    public var firstFrame: Int
    public var frameCount: Int
    /// The range-coded payload.
    public var codedData: [UInt8]

    public init(firstFrame: Int, frameCount: Int, codedData: [UInt8]) {
        self.firstFrame = firstFrame
        self.frameCount = frameCount
        self.codedData = codedData
    }

    /// Codes `frames` starting from `predictor` (the key frame's quantized keypoints, or the last
    /// generated frame's before this run).
    public init(firstFrame: Int, frames: [KeypointFrame], predictor: [QuantizedKeypoint]) throws {
        var encoder = KeypointRunEncoder(predictor: predictor)
        for frame in frames { try encoder.encode(frame) }
        self.init(firstFrame: firstFrame, frameCount: frames.count, codedData: encoder.finish())
    }

    /// Decodes all frames, starting from `predictor`; checks that the coded data end exactly
    /// after the last frame. Returns the frames and the predictor for the next run.
    public func decode(quantizer: KeypointQuantizer, predictor: [QuantizedKeypoint]) throws
        -> (frames: [KeypointFrame], predictor: [QuantizedKeypoint]) {
        var decoder = KeypointRunDecoder(payload: codedData, quantizer: quantizer, predictor: predictor,
                                         firstFrame: firstFrame)
        let frames = try decoder.decodeFrames(frameCount)
        try decoder.finish()
        return (frames, decoder.predictor)
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
        let firstFrame = try reader.varint("first frame", in: 0...(FormatLimits.maxFrameCount - 1))
        let frameCount = try reader.varint("frame count", in: 0...FormatLimits.maxRunFrames)
        guard firstFrame + frameCount <= FormatLimits.maxFrameCount else {
            throw PayloadError("frames \(firstFrame)+\(frameCount) run past the frame-number limit")
        }
        self.init(firstFrame: firstFrame, frameCount: frameCount, codedData: try reader.blob("coded data"))
    }
}
