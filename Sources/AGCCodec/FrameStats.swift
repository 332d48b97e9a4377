/// How one frame was coded and what the decoder will show, for `--stats-json`.
public struct FrameStats: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// Random-access key picture (intra-coded).
        case key
        /// Key picture predicted from the key pictures before it.
        case predictedKey = "predicted_key"
        /// Rebuilt by the generator from keypoints.
        case generated
        /// The key frame shown again.
        case `repeat`
    }

    public var frame: Int
    public var kind: Kind
    /// Bits spent on the frame: the key frame's packet and keypoints, or the frame's share of its
    /// keypoint run (the run's bytes split by the range coder's running size).
    public var bits: Int
    public var psnrY: Double
    public var msssimY: Double
    /// A generated frame rebuilt from its key picture moved by the camera's motion (format 1.4).
    public var camera = false

    enum CodingKeys: String, CodingKey {
        case frame, kind, bits, psnrY = "psnr_y", msssimY = "msssim_y", camera
    }
}

/// The whole encode, for `--stats-json`.
public struct EncodeSummary: Codable, Sendable {
    public var input: String
    public var output: String
    public var frames: Int
    public var frameRate: Double
    public var crop: [Int]
    /// Where the crop came from: "face", "centre (no face found)", "centre" (`--crop full`) or "given".
    public var cropSource: String
    /// The audio carried: "none", "copy" or "opus:KBPS".
    public var audio: String
    /// What the encoder warned about (also printed on stderr by the tools).
    public var warnings: [String]
    /// Every key picture's frame.
    public var keyFrames: [Int]
    /// The random-access ones among them.
    public var randomAccessFrames: [Int]
    public var bytes: Int
    public var kbps: Double
    /// kb/s split into key frames, keypoints, carried audio packets and everything else
    /// (headers, unit framing, index).
    public var kbpsKeyFrames: Double
    public var kbpsKeypoints: Double
    public var kbpsAudio: Double
    public var kbpsOverhead: Double
    public var meanPSNRY: Double
    public var meanMSSSIMY: Double
    public var encodeFPS: Double
    public var perFrame: [FrameStats]

    enum CodingKeys: String, CodingKey {
        case input, output, frames, crop, bytes, kbps, audio, warnings
        case cropSource = "crop_source"
        case frameRate = "frame_rate", keyFrames = "key_frames", randomAccessFrames = "random_access_frames", kbpsKeyFrames = "kbps_key_frames"
        case kbpsKeypoints = "kbps_keypoints", kbpsAudio = "kbps_audio", kbpsOverhead = "kbps_overhead", meanPSNRY = "mean_psnr_y"
        case meanMSSSIMY = "mean_msssim_y", encodeFPS = "encode_fps", perFrame = "per_frame"
    }
}
