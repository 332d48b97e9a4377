import AGCMetrics
import Foundation

/// How the encoder chooses between a new key picture and the cheap ways of coding a frame.
public enum DecisionRule: String, Sendable, CaseIterable, CustomStringConvertible {
    /// A new key picture when neither the rebuilt frame nor the repeated key picture reaches
    /// `--min-quality`.
    case threshold
    /// As `threshold`, with the bar never above what key pictures reach: when the last key
    /// picture itself scored below `--min-quality`, a frame within `reachableSlack` of its
    /// distortion needs no new one (which would score about the same). Where key pictures are
    /// too coarse for the threshold this stops a key picture at nearly every frame.
    case reachable
    /// Per frame, the lowest distortion + lambda x bits among rebuilt, repeated and a new key
    /// picture, the key picture's distortion and bits estimated from the last ones coded; lambda
    /// makes the rule agree with `--min-quality` at the clip's average key-picture cost, so key
    /// pictures come sooner where they are cheap and later where they are dear.
    case rd

    public var description: String { rawValue }
}

/// How the encoder codes a frame that is not forced to be a key picture: rebuilt from its
/// keypoints, the key picture repeated, or a new key picture (`DecisionRule`).
struct FrameDecision {
    let threshold: QualityThreshold
    let rule: DecisionRule
    /// What the key pictures coded so far cost and gave.
    private var keys = KeyPictureHistory()
    /// The last key picture's score (the threshold's metric), under `reachable`.
    private var lastKeyQuality: Double?
    /// `reachable`: a frame needs a new key picture when its distortion exceeds the last key
    /// picture's by more than this factor (and the threshold's).
    static let reachableSlack = 1.25

    init(threshold: QualityThreshold, rule: DecisionRule) {
        self.threshold = threshold
        self.rule = rule
    }

    enum Choice: Equatable {
        case generated, `repeat`, keyPicture
    }

    /// The choice for a source luma `source`, given what the generator rebuilt and the key
    /// picture; `keypointBits` is about what the rebuilt frame's keypoints cost.
    func choose(source: Plane, rebuilt: Plane, key: Plane, keypointBits: Double) -> Choice {
        choose(generated: threshold.measure(source, rebuilt), repeated: threshold.measure(source, key),
               keypointBits: keypointBits)
    }

    /// The choice given the threshold metric's scores of the rebuilt frame (`generated`) and of
    /// the key picture shown again (`repeated`).
    func choose(generated: Double, repeated: Double, keypointBits: Double) -> Choice {
        let cheap: Choice = generated >= repeated ? .generated : .repeat
        switch rule {
        case .threshold:
            return max(generated, repeated) >= threshold.minimum ? cheap : .keyPicture
        case .reachable:
            var target = distortion(threshold.minimum)
            if let key = lastKeyQuality { target = max(target, Self.reachableSlack * distortion(key)) }
            return distortion(max(generated, repeated)) <= target ? cheap : .keyPicture
        case .rd:
            guard let lambda = keys.lambda(target: distortion(threshold.minimum)),
                  let key = keys.recent else {
                return max(generated, repeated) >= threshold.minimum ? cheap : .keyPicture
            }
            let costGenerated = distortion(generated) + lambda * keypointBits
            let costRepeat = distortion(repeated) + lambda * 2
            let costKey = key.distortion + lambda * key.bits
            if costKey < min(costGenerated, costRepeat) { return .keyPicture }
            return costGenerated <= costRepeat ? .generated : .repeat
        }
    }

    /// Tells the rule what a key picture just cost (`bits`) and the quality it reached against
    /// its source (the threshold's metric). Random-access pictures are not counted: they come
    /// by the clock, not by choice, and cost several predicted ones.
    /// `quality` is measured only when the rule uses it.
    mutating func keyPictureCoded(bits: Int, quality: @autoclosure () -> Double, randomAccess: Bool) {
        switch rule {
        case .threshold: return
        case .reachable: lastKeyQuality = quality()
        case .rd:
            guard !randomAccess else { return }
            keys.add(bits: Double(bits), distortion: distortion(quality()))
        }
    }

    private func distortion(_ quality: Double) -> Double { threshold.distortion(quality) }
}

/// Running estimates over a clip's predicted key pictures: the recent cost and distortion (an
/// exponential average) and the clip's mean ones.
struct KeyPictureHistory {
    struct Estimate {
        var bits: Double
        var distortion: Double
    }

    private(set) var recent: Estimate?
    private var count = 0
    private var totalBits = 0.0
    private var totalDistortion = 0.0
    /// Weight of the newest key picture in `recent`.
    static let smoothing = 0.5

    mutating func add(bits: Double, distortion: Double) {
        count += 1
        totalBits += bits
        totalDistortion += distortion
        if var r = recent {
            r.bits += Self.smoothing * (bits - r.bits)
            r.distortion += Self.smoothing * (distortion - r.distortion)
            recent = r
        } else {
            recent = Estimate(bits: bits, distortion: distortion)
        }
    }

    /// The lambda (distortion per bit) at which a key picture of the clip's mean cost and
    /// distortion is worth exactly the step from `target` down to it; nil before the first
    /// predicted key picture, or when key pictures do not beat the target.
    func lambda(target: Double) -> Double? {
        guard count > 0 else { return nil }
        let meanBits = totalBits / Double(count), meanDistortion = totalDistortion / Double(count)
        guard meanBits > 0, target > meanDistortion else { return nil }
        return (target - meanDistortion) / meanBits
    }
}
