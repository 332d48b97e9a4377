import AGCBitstream
import AGCMedia

/// What `agc-encode` can be asked.
public struct EncoderOptions: Sendable {
    public var crop: CropMode = .auto
    /// Coded square size; must equal the model's input size.
    public var size = 256
    public var keyFrameCodec: IntraCodec = .hevc
    /// Quantizer of the random-access key pictures.
    public var keyFrameQP = 32
    /// Predicted key pictures are coded at `keyFrameQP` + this (HEVC, at most QP 51; AV1
    /// ignores it). `QualityLadder` sets it (+4 for HEVC).
    public var predictedQPOffset = 0
    /// The offsets `predictedQPOffset` may take.
    public static let predictedQPOffsetRange = 0...12
    /// libx265's preset for the key pictures (HEVC; AV1 ignores it). With `keyFrameTune` psnr, slow measured
    /// 4.1% less rate at equal MS-SSIM-Y (6.3% on PSNR-Y) than medium without a tune on five
    /// training clips (agc-rd, out/rd-tune), for about 6% more encoding time on a moving clip.
    public var keyFramePreset = "slow"
    /// What libx265 tunes the key pictures for (HEVC; AV1 ignores it): psnr, because the closed loop and every
    /// figure judge pictures by objective metrics, which x265's psycho-visual options trade away.
    public var keyFrameTune: KeyPictureTune = .psnr
    /// Seconds between random-access key pictures at most (the others are predicted from the
    /// key pictures before them); 0: every key picture is random-access (intra only, as format 1.0).
    public var idrInterval = 2.0
    /// Keypoints are quantized in steps of 1 / this, in the [-1, 1] frame coordinates.
    public var keypointStepDenominator: UInt32 = 128
    /// A new key frame starts when a rebuilt frame scores below this.
    public var minQuality: QualityThreshold = .msssim(0.93)
    /// Key pictures a generated frame may be animated from: the latest and up to this - 1
    /// before it since the last random-access one, the one that rebuilds the frame best
    /// (1...`FormatLimits.maxReferences`; 1: the latest only, and no 0x85 units). 2 measured 2.6% less rate at equal MS-SSIM-Y on the training clips and 0.7% on
    /// the validation clips for twice the closed loop's network time (README): not the default.
    public var references = 1
    /// The values `references` may take.
    public static let referenceRange = 1...FormatLimits.maxReferences
    /// How a new key picture is chosen against `minQuality`. `reachable` changed 4 of the 40
    /// points of five training clips (agc-rd, out/rd-reachable), each where key pictures came at
    /// nearly every frame (ma-chtf2 at crf 26: 75 -> 58 key pictures, 9% less rate, MS-SSIM-Y
    /// 0.975 -> 0.974), and left the others as `threshold` codes them.
    public var decision: DecisionRule = .reachable
    /// A key frame at least this often (frames).
    public var maxKeyInterval = 250
    /// Keypoint runs are closed after this many frames (and at every key frame).
    public var maxRunLength = 64
    /// Measure the camera's motion and send it where it rebuilds a frame better (format 1.4).
    public var camera = true
    public var progress = true
    /// The input's audio: re-encoded to Opus (the default), copied as it is, or left out.
    public var audio: AudioMode = .default
    /// Called with each warning (e.g. `--crop auto` found no face) as it arises; the summary
    /// lists them too.
    public var warn: @Sendable (String) -> Void = { _ in }
    /// Frames per picture hash (SHA-256 of the shown pictures, 8 bytes; 0: none). One hash per
    /// second costs about 64 bit/s.
    public var pictureHashGroup = 25

    /// The defaults: HEVC key pictures at `QualityLadder.defaultCRF`.
    public init() { QualityLadder.apply(crf: QualityLadder.defaultCRF, to: &self) }
}
