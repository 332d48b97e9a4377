import AGCCodec
import AGCMedia

/// The settings of one AGC point: key-picture codec and QP, keypoint step 1/N, the minimum
/// quality that starts a key picture, the seconds between random-access key pictures (0: every
/// one intra), the QP offset of predicted key pictures, the decision rule, the key pictures to
/// animate from and libx265's preset and tune for the key pictures.
public struct AGCSettings: Equatable, Sendable {
    public var keyFrameCodec: IntraCodec
    public var qp: Int
    public var keypointStep: UInt32
    public var minQuality: QualityThreshold
    public var idrInterval: Double
    public var predictedQPOffset: Int
    public var decision: DecisionRule
    public var references: Int
    public var keyFramePreset: String
    public var keyFrameTune: KeyPictureTune

    public init(keyFrameCodec: IntraCodec, qp: Int, keypointStep: UInt32, minQuality: QualityThreshold,
                idrInterval: Double = EncoderOptions().idrInterval,
                predictedQPOffset: Int = EncoderOptions().predictedQPOffset,
                decision: DecisionRule = EncoderOptions().decision, references: Int = EncoderOptions().references,
                keyFramePreset: String = EncoderOptions().keyFramePreset, keyFrameTune: KeyPictureTune = EncoderOptions().keyFrameTune) {
        self.keyFrameCodec = keyFrameCodec
        self.qp = qp
        self.keypointStep = keypointStep
        self.minQuality = minQuality
        self.idrInterval = idrInterval
        self.predictedQPOffset = predictedQPOffset
        self.decision = decision
        self.references = references
        self.keyFramePreset = keyFramePreset
        self.keyFrameTune = keyFrameTune
    }

    /// `agc-encode`'s defaults with key pictures in `codec`.
    public static func defaults(_ codec: IntraCodec = .hevc) -> AGCSettings {
        var options = EncoderOptions()
        options.keyFrameCodec = codec
        QualityLadder.apply(crf: QualityLadder.defaultCRF, to: &options)
        return AGCSettings(keyFrameCodec: codec, qp: options.keyFrameQP, keypointStep: options.keypointStepDenominator,
                           minQuality: options.minQuality, idrInterval: options.idrInterval,
                           predictedQPOffset: options.predictedQPOffset, decision: options.decision,
                           references: options.references, keyFramePreset: options.keyFramePreset,
                           keyFrameTune: options.keyFrameTune)
    }

    /// The curve: `agc-hevc` or `agc-av1`, then `-intra` when every key picture is random-access,
    /// `-p+N` for a predicted-picture QP offset, `-RULE` for another decision rule,
    /// `-refN` for N key pictures to animate from, `-PRESET` and `-TUNE` for libx265's settings
    /// (each only where it differs from the default).
    public var curve: String {
        let defaults = Self.defaults(keyFrameCodec)
        return "agc-\(keyFrameCodec.rawValue)" + (idrInterval == 0 ? "-intra" : "")
            + (predictedQPOffset != defaults.predictedQPOffset ? "-p+\(predictedQPOffset)" : "") + (decision != defaults.decision ? "-\(decision.rawValue)" : "")
            + (references != defaults.references ? "-ref\(references)" : "")
            + (keyFramePreset != defaults.keyFramePreset ? "-\(keyFramePreset)" : "")
            + (keyFrameTune != defaults.keyFrameTune ? "-\(keyFrameTune.rawValue)" : "")
    }

    /// These settings over `options` (everything else as it is there).
    public func apply(to options: inout EncoderOptions) {
        options.keyFrameCodec = keyFrameCodec
        options.keyFrameQP = qp
        options.keypointStepDenominator = keypointStep
        options.minQuality = minQuality
        options.idrInterval = idrInterval
        options.predictedQPOffset = predictedQPOffset
        options.decision = decision
        options.references = references
        options.keyFramePreset = keyFramePreset
        options.keyFrameTune = keyFrameTune
    }
}

/// One setting of one codec to measure.
public enum OperatingPoint: Equatable, Sendable, CustomStringConvertible {
    /// An AGC point.
    case agc(AGCSettings)
    /// An anchor codec at a CRF and preset.
    case anchor(AnchorCodec, crf: Int, preset: String)

    /// An AGC point (the other settings at their defaults).
    public static func agc(keyFrameCodec: IntraCodec, qp: Int, keypointStep: UInt32,
                           minQuality: QualityThreshold) -> OperatingPoint {
        .agc(AGCSettings(keyFrameCodec: keyFrameCodec, qp: qp, keypointStep: keypointStep, minQuality: minQuality))
    }

    /// The curve this point belongs to: `AGCSettings.curve`, `hevc`, `av1`.
    public var curve: String {
        switch self {
        case let .agc(settings): return settings.curve
        case let .anchor(codec, _, _): return codec.rawValue
        }
    }

    /// Whether this is an AGC point.
    public var isAGC: Bool { if case .agc = self { return true } else { return false } }

    /// A short label, e.g. `qp 32, step 1/128, msssim:0.93` or `crf 51`.
    public var description: String {
        switch self {
        case let .agc(s): return "qp \(s.qp), step 1/\(s.keypointStep), \(s.minQuality)"
        case let .anchor(_, crf, preset): return "crf \(crf), preset \(preset)"
        }
    }

    /// A name usable in file names, e.g. `agc-hevc-qp32-k128-msssim0.93` or `av1-crf63`.
    public var slug: String {
        switch self {
        case let .agc(s):
            return "\(curve)-qp\(s.qp)-k\(s.keypointStep)-\(s.minQuality.description.replacingOccurrences(of: ":", with: ""))"
        case let .anchor(_, crf, _): return "\(curve)-crf\(crf)"
        }
    }
}

/// The default ladders.
public enum Ladders {
    /// `agc-encode --crf` at these values: the default AGC ladder, low to high rate.
    public static let agcCRFs = [50, 46, 42, 38, 34, 30, 26, 22]

    /// Eight AGC points from low to high rate: `--crf` 50 to 22 (`QualityLadder`: coarser key
    /// pictures, coarser keypoints and a lower quality threshold at the low end).
    /// `variant` gives the settings the ladder does not set (its QP, step and threshold are replaced).
    public static func agc(_ variant: AGCSettings = .defaults()) -> [OperatingPoint] {
        agcCRFs.map { crf in
            var options = EncoderOptions()
            options.keyFrameCodec = variant.keyFrameCodec
            QualityLadder.apply(crf: crf, to: &options)
            var settings = variant
            settings.qp = options.keyFrameQP
            settings.keypointStep = options.keypointStepDenominator
            settings.minQuality = options.minQuality
            return .agc(settings)
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

    /// Parses an AGC point `QP/STEP/QUALITY`, e.g. `32/128/msssim:0.93`; `variant` gives the other settings.
    public static func parseAGC(_ text: String, variant: AGCSettings) -> OperatingPoint? {
        let parts = text.split(separator: "/").map(String.init)
        guard parts.count == 3, let qp = Int(parts[0]), variant.keyFrameCodec.qpRange.contains(qp),
              let step = UInt32(parts[1]), step > 0, let quality = QualityThreshold(argument: parts[2]) else {
            return nil
        }
        var settings = variant
        settings.qp = qp
        settings.keypointStep = step
        settings.minQuality = quality
        return .agc(settings)
    }
}
