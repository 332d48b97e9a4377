import AGCCodec
import AGCMedia

/// One setting of one codec to measure.
public enum OperatingPoint: Equatable, Sendable, CustomStringConvertible {
    /// AGC: key-frame codec and QP, keypoint step 1/N, the minimum quality that starts a key
    /// picture, and the seconds between random-access key pictures (0: every one intra).
    case agc(keyFrameCodec: IntraCodec, qp: Int, keypointStep: UInt32, minQuality: QualityThreshold,
             idrInterval: Double = EncoderOptions().idrInterval)
    /// An anchor codec at a CRF and preset.
    case anchor(AnchorCodec, crf: Int, preset: String)

    /// The curve this point belongs to: `agc-hevc`, `agc-av1` (by key-frame codec; `-intra` when
    /// every key picture is random-access), `hevc`, `av1`.
    public var curve: String {
        switch self {
        case let .agc(codec, _, _, _, idr): return "agc-\(codec.rawValue)" + (idr == 0 ? "-intra" : "")
        case let .anchor(codec, _, _): return codec.rawValue
        }
    }

    /// Whether this is an AGC point.
    public var isAGC: Bool { if case .agc = self { return true } else { return false } }

    /// A short label, e.g. `qp 32, step 1/128, msssim:0.93` or `crf 51`.
    public var description: String {
        switch self {
        case let .agc(_, qp, step, quality, _): return "qp \(qp), step 1/\(step), \(quality)"
        case let .anchor(_, crf, preset): return "crf \(crf), preset \(preset)"
        }
    }

    /// A name usable in file names, e.g. `agc-hevc-qp32-k128-msssim0.93` or `av1-crf63`.
    public var slug: String {
        switch self {
        case let .agc(_, qp, step, quality, _):
            return "\(curve)-qp\(qp)-k\(step)-\(quality.description.replacingOccurrences(of: ":", with: ""))"
        case let .anchor(_, crf, _): return "\(curve)-crf\(crf)"
        }
    }
}

/// The default ladders.
public enum Ladders {
    /// `agc-encode --crf` at these values: the default AGC ladder, low to high rate.
    public static let agcCRFs = [50, 46, 42, 38, 34, 30, 26]

    /// Seven AGC points from low to high rate: `--crf` 50 to 26 (`QualityLadder`: coarser key
    /// pictures, coarser keypoints and a lower quality threshold at the low end).
    public static func agc(keyFrameCodec: IntraCodec = .hevc, idrInterval: Double = EncoderOptions().idrInterval)
        -> [OperatingPoint] {
        agcCRFs.map { crf in
            var options = EncoderOptions()
            options.keyFrameCodec = keyFrameCodec
            QualityLadder.apply(crf: crf, to: &options)
            return .agc(keyFrameCodec: keyFrameCodec, qp: options.keyFrameQP, keypointStep: options.keypointStepDenominator,
                        minQuality: options.minQuality, idrInterval: idrInterval)
        }
    }

    /// x265 CRF 27 to 51 in steps of 4.
    public static let hevcCRFs = [27, 31, 35, 39, 43, 47, 51]
    /// SVT-AV1 CRF 33 to 63 in steps of 5.
    public static let av1CRFs = [33, 38, 43, 48, 53, 58, 63]

    /// An anchor ladder at `crfs` and `preset` (nil: the codec's default preset).
    public static func anchor(_ codec: AnchorCodec, crfs: [Int], preset: String? = nil) -> [OperatingPoint] {
        crfs.map { .anchor(codec, crf: $0, preset: preset ?? codec.defaultPreset) }
    }

    /// Parses an AGC point `QP/STEP/QUALITY`, e.g. `32/128/msssim:0.93`.
    public static func parseAGC(_ text: String, keyFrameCodec: IntraCodec,
                                idrInterval: Double = EncoderOptions().idrInterval) -> OperatingPoint? {
        let parts = text.split(separator: "/").map(String.init)
        guard parts.count == 3, let qp = Int(parts[0]), keyFrameCodec.qpRange.contains(qp),
              let step = UInt32(parts[1]), step > 0, let quality = QualityThreshold(argument: parts[2]) else {
            return nil
        }
        return .agc(keyFrameCodec: keyFrameCodec, qp: qp, keypointStep: step, minQuality: quality, idrInterval: idrInterval)
    }
}
