/// One keypoint after quantization: integer multiples of the quantization step.
public struct QuantizedKeypoint: Hashable, Codable, Sendable {
    public var x: Int32
    public var y: Int32

    public init(x: Int32, y: Int32) {
        self.x = x
        self.y = y
    }
}

/// What one coded frame of a keypoint run carries: its mode and, for generated frames, keypoints.
public enum KeypointFrame: Hashable, Sendable {
    /// Mode 0: the decoder generates the frame from a key picture and these keypoints: the
    /// latest key picture (reference 0), or in a run that codes references (format 1.2) the
    /// `reference`-th before it since the last random-access one (1 ... `FormatLimits.maxReferences` - 1).
    case generated([QuantizedKeypoint], reference: Int = 0)
    /// Mode 1: the decoder shows the key frame as it is; no keypoints are coded.
    case repeatKeyFrame
}
