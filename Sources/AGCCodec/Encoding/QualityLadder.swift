/// `agc-encode --crf N`: one number for the whole trade between rate and quality, as x265's
/// `--crf` (lower N: more rate, more quality). Each N stands for a key-picture QP, a keypoint
/// step and the quality threshold that starts a new key picture, along the best combinations
/// measured on the training clips: `agc-rd` over QP 22-50 x MS-SSIM-Y threshold 0.82-0.99 on
/// five clips of `../shared/data/train`, 150 frames each, and the upper convex hull of mean
/// MS-SSIM-Y against mean log-rate (`scripts/ladder_hull.py`, README "One knob"). At the high
/// end the hull moves the threshold and the QP by turns (34/0.96, 30/0.97, 30/0.98, 26/0.99);
/// at the low end it keeps the threshold and coarsens the QP (46/0.82, then 50/0.82).
public enum QualityLadder {
    /// The measured hull: (crf, key-picture QP, keypoint step denominator, MS-SSIM-Y threshold),
    /// by falling crf; the crfs are positions along it, 4 apart where the hull's points allow.
    /// Re-measured in session 6 with this version's other settings (libx265 slow / psnr,
    /// predicted pictures at QP +4, `reachable`, format 1.3; out/rd-offset6 + out/rd-grid6).
    static let points: [(crf: Int, qp: Int, step: UInt32, threshold: Double)] = [
        (50, 50, 32, 0.82), (48, 46, 64, 0.82), (46, 42, 64, 0.86), (38, 38, 128, 0.92), (34, 37, 128, 0.944),
        (30, 34, 128, 0.96), (26, 30, 128, 0.97), (22, 30, 128, 0.98), (18, 26, 128, 0.99),
    ]
    /// Predicted HEVC key pictures are coded this much coarser than random-access ones at every
    /// crf (at most QP 51): +4 measured 3.3% less rate at equal MS-SSIM-Y (7.4% on PSNR-Y) than
    /// +0 on the five training clips, +2 2.5% (agc-rd, out/rd-offset13, with libx265 slow/psnr
    /// and format 1.3). AV1 key pictures use one quantizer.
    static let predictedQPOffset = 4
    /// The default: about the quality of the earlier default (QP 34, MS-SSIM-Y 0.94) at less rate.
    public static let defaultCRF = 34
    /// The crfs `--crf` accepts: the span of the measured points.
    public static let range = 18...50

    /// The settings of `crf` (in `range`): key-picture QP and threshold interpolated linearly
    /// between the measured points around it (the QP rounded), the keypoint step the nearer
    /// point's, and the predicted pictures' QP offset. For AV1 key pictures the QP is scaled to libaom's range (x 1.25).
    public static func apply(crf: Int, to options: inout EncoderOptions) {
        let c = min(max(crf, range.lowerBound), range.upperBound)
        let upper = points.last { $0.crf >= c } ?? points[0]
        let lower = points.first { $0.crf <= c } ?? points[points.count - 1]
        let t = upper.crf == lower.crf ? 0 : Double(upper.crf - c) / Double(upper.crf - lower.crf)
        options.minQuality = .msssim(((upper.threshold + t * (lower.threshold - upper.threshold)) * 1000).rounded() / 1000)
        options.keypointStepDenominator = t < 0.5 ? upper.step : lower.step
        let qp = Int((Double(upper.qp) + t * Double(lower.qp - upper.qp)).rounded())
        options.keyFrameQP = options.keyFrameCodec == .hevc ? qp : min(63, Int((Double(qp) * 1.25).rounded()))
        options.predictedQPOffset = options.keyFrameCodec == .hevc ? predictedQPOffset : 0
    }
}
