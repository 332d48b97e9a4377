/// What one operating point gave on one clip.
public struct PointResult: Codable, Sendable {
    /// The curve: `agc-hevc`, `agc-av1`, `hevc` or `av1`.
    public var curve: String
    /// The settings, e.g. `crf 51, preset medium`.
    public var label: String
    /// The coded file, relative to the output folder.
    public var file: String
    public var frames: Int
    /// Every byte of the coded file.
    public var bytes: Int
    /// bytes * 8 / 1000 / (frames / frame rate).
    public var kbps: Double
    /// Key frames (AGC only; nil for anchors).
    public var keyFrames: Int?
    /// Per-frame means.
    public var mean: FrameQuality
    public var perFrame: [FrameQuality]
    /// Wall-clock seconds for coding and measuring.
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case curve, label, file, frames, bytes, kbps, mean, seconds
        case keyFrames = "key_frames", perFrame = "per_frame"
    }

    /// This point on `metric`'s curve.
    public func ratePoint(_ metric: Metric) -> RatePoint { RatePoint(kbps: kbps, quality: metric.value(mean)) }
}
