/// Decodes the frames of a range-coded keypoint payload made by `KeypointRunEncoder`.
///
/// Safe on any input: each decoded keypoint must lie within the quantizer's range, and running
/// out of data is an error, so garbage gives `BitstreamError.corruptKeypointData`, never a crash.
public struct KeypointRunDecoder: Sendable {
    /// K, the keypoints per frame.
    public let keypointCount: Int
    /// The keypoints the next generated frame is predicted from.
    public private(set) var predictor: [QuantizedKeypoint]
    /// Frames decoded so far.
    public private(set) var frameCount = 0

    /// Whether generated frames carry a key-picture reference (unit 0x85).
    public let codesReferences: Bool
    private let limit: Int64
    private let firstFrame: Int
    private var coder: RangeDecoder
    private var contexts = KeypointContexts()

    /// A decoder over `payload`, for keypoints of `quantizer`'s range, starting from `predictor`.
    /// `firstFrame` only labels errors.
    public init(payload: [UInt8], quantizer: KeypointQuantizer, predictor: [QuantizedKeypoint],
                firstFrame: Int = 0, codesReferences: Bool = false) {
        keypointCount = predictor.count
        self.codesReferences = codesReferences
        self.predictor = predictor
        self.firstFrame = firstFrame
        limit = Int64(quantizer.limit)
        coder = RangeDecoder(payload)
    }

    /// Decodes the next frame.
    public mutating func decodeFrame() throws -> KeypointFrame {
        let frameIndex = frameCount
        frameCount += 1
        if coder.decode(&contexts.mode) {
            try check(frameIndex)
            return .repeatKeyFrame
        }
        var reference = 0
        if codesReferences {
            while reference < FormatLimits.maxReferences - 1, coder.decode(&contexts.reference[reference]) {
                reference += 1
            }
        }
        var points = [QuantizedKeypoint]()
        points.reserveCapacity(keypointCount)
        var previousX: Int32 = 0
        var previousY: Int32 = 0
        for prediction in predictor {
            let residualX = coder.decodeSigned(&contexts.x[previousX == 0 ? 0 : 1])
            let residualY = coder.decodeSigned(&contexts.y[previousY == 0 ? 0 : 1])
            let x = Int64(prediction.x) + Int64(residualX)
            let y = Int64(prediction.y) + Int64(residualY)
            guard abs(x) <= limit && abs(y) <= limit else {
                throw BitstreamError.corruptKeypointData(
                    firstFrame: firstFrame, reason: "keypoint outside the quantizer's range in frame \(frameIndex)")
            }
            points.append(QuantizedKeypoint(x: Int32(x), y: Int32(y)))
            previousX = residualX
            previousY = residualY
        }
        try check(frameIndex)
        predictor = points
        return .generated(points, reference: reference)
    }

    /// Decodes `count` frames.
    public mutating func decodeFrames(_ count: Int) throws -> [KeypointFrame] {
        var frames = [KeypointFrame]()
        for _ in 0..<max(0, count) { frames.append(try decodeFrame()) }
        return frames
    }

    /// Checks that the payload ended exactly after the last frame (no overrun, no bytes left).
    public func finish() throws {
        guard coder.finishedCleanly else {
            throw BitstreamError.corruptKeypointData(
                firstFrame: firstFrame, reason: coder.isCorrupt ? "the coded data end early" : "coded bytes left over")
        }
    }

    private func check(_ frameIndex: Int) throws {
        if coder.isCorrupt {
            throw BitstreamError.corruptKeypointData(firstFrame: firstFrame,
                                                     reason: "the coded data end early in frame \(frameIndex)")
        }
    }
}
