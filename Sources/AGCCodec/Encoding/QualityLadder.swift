/// `agc-encode --crf N`: one number for the whole trade between rate and quality, as x265's
/// `--crf`. N is the quantizer of the key pictures; the keypoint step and the quality threshold
/// that starts a new key picture follow from it along the best combinations measured on the
/// training clips (`agc-rd` over QP 30-46 x threshold 0.86-0.94 on five clips of
/// `../shared/data/train`, 150 frames each: the upper convex hull of mean log-rate against mean
/// MS-SSIM-Y, README "One knob"). Lower N: more rate, more quality.
public enum QualityLadder {
    /// The measured hull: (crf, keypoint step denominator, MS-SSIM-Y threshold), by falling crf.
    static let points: [(crf: Int, step: UInt32, threshold: Double)] = [
        (50, 32, 0.82), (46, 64, 0.86), (42, 64, 0.88), (38, 128, 0.92), (34, 128, 0.94), (30, 128, 0.95), (26, 128, 0.96),
    ]
    /// The default: about the quality of the earlier default (QP 32, MS-SSIM-Y 0.93) at less rate.
    public static let defaultCRF = 34
    /// The crfs `--crf` accepts: the HEVC quantizer range the ladder was measured over.
    public static let range = 22...51

    /// The settings of `crf` (in `range`): key-picture QP, keypoint step and threshold; the
    /// threshold is interpolated linearly between the measured points, the step is the nearest
    /// point's. For AV1 key pictures the QP is scaled to libaom's range (x 1.25).
    public static func apply(crf: Int, to options: inout EncoderOptions) {
        let c = min(max(crf, range.lowerBound), range.upperBound)
        let upper = points.last { $0.crf >= c } ?? points[0]
        let lower = points.first { $0.crf <= c } ?? points[points.count - 1]
        let t = upper.crf == lower.crf ? 0 : Double(upper.crf - c) / Double(upper.crf - lower.crf)
        options.minQuality = .msssim(((upper.threshold + t * (lower.threshold - upper.threshold)) * 1000).rounded() / 1000)
        options.keypointStepDenominator = t < 0.5 ? upper.step : lower.step
        options.keyFrameQP = options.keyFrameCodec == .hevc ? c : min(63, Int((Double(c) * 1.25).rounded()))
    }
}
