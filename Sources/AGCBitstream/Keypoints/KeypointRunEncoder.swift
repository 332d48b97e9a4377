/// Codes a run of frames (modes and keypoint residuals) into one range-coded payload.
///
/// Each frame codes its mode bit; a generated frame then codes, for k = 0..<K, the residuals
/// x_k - px_k and y_k - py_k against the predictor (px, py). The predictor starts as the caller's
/// (the key frame's keypoints, or the last generated frame's before this run) and becomes each
/// generated frame's keypoints; repeat frames leave it unchanged. A run that codes references
/// (format 1.2) codes each generated frame's key-picture reference after its mode.
public struct KeypointRunEncoder: Sendable {
    /// K, the keypoints per frame.
    public let keypointCount: Int
    /// The keypoints the next generated frame is predicted from.
    public private(set) var predictor: [QuantizedKeypoint]
    /// Frames coded so far.
    public private(set) var frameCount = 0
    /// Whether generated frames carry a key-picture reference (unit 0x85).
    public let codesReferences: Bool

    private var coder = RangeEncoder()
    private var contexts = KeypointContexts()

    /// An encoder for frames of `predictor.count` keypoints, starting from `predictor`.
    public init(predictor: [QuantizedKeypoint], codesReferences: Bool = false) {
        keypointCount = predictor.count
        self.predictor = predictor
        self.codesReferences = codesReferences
    }

    /// Codes one frame; throws if a generated frame has the wrong number of keypoints.
    public mutating func encode(_ frame: KeypointFrame) throws {
        switch frame {
        case .repeatKeyFrame:
            coder.encode(true, &contexts.mode)
        case .generated(let points, let reference):
            guard points.count == keypointCount else {
                throw BitstreamError.invalidArgument("frame has \(points.count) keypoints, expected \(keypointCount)")
            }
            guard reference == 0 || (codesReferences && reference < FormatLimits.maxReferences && reference > 0) else {
                throw BitstreamError.invalidArgument(codesReferences
                    ? "reference \(reference) outside 0...\(FormatLimits.maxReferences - 1)"
                    : "reference \(reference) in a run that codes no references")
            }
            coder.encode(false, &contexts.mode)
            if codesReferences {
                // Truncated unary: a 1 for each step past the latest key picture, then a 0
                // unless the last reference was reached.
                for step in 0..<(FormatLimits.maxReferences - 1) {
                    coder.encode(reference > step, &contexts.reference[step])
                    if reference <= step { break }
                }
            }
            var previousX: Int32 = 0
            var previousY: Int32 = 0
            for (point, prediction) in zip(points, predictor) {
                let residualX = Int32(truncatingIfNeeded: Int64(point.x) - Int64(prediction.x))
                let residualY = Int32(truncatingIfNeeded: Int64(point.y) - Int64(prediction.y))
                coder.encodeSigned(residualX, &contexts.x[previousX == 0 ? 0 : 1])
                coder.encodeSigned(residualY, &contexts.y[previousY == 0 ? 0 : 1])
                previousX = residualX
                previousY = residualY
            }
            predictor = points
        }
        frameCount += 1
    }

    /// An estimate of the coded size so far, in bytes (within 5 bytes of the final size).
    public var approximateSize: Int { coder.approximateSize }

    /// Flushes the coder and returns the payload bytes; the encoder is spent afterwards.
    public mutating func finish() -> [UInt8] { coder.finish() }
}
