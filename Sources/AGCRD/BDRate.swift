import Foundation

/// One point of a rate-distortion curve: a rate and a quality.
public struct RatePoint: Codable, Equatable, Sendable {
    public var kbps: Double
    public var quality: Double

    public init(kbps: Double, quality: Double) {
        self.kbps = kbps
        self.quality = quality
    }
}

/// Bjøntegaard deltas with piecewise cubic interpolation: the common variant that fits a
/// monotone piecewise cubic Hermite interpolant (PCHIP, Fritsch-Carlson slopes) through each
/// curve instead of one cubic polynomial, and integrates it exactly over the overlapping range.
public enum Bjontegaard {
    /// The curve made usable for interpolation: points sorted by rate with every point dropped
    /// that does not improve on the quality of a cheaper one (a higher rate for no better
    /// quality), so that rate and quality both rise strictly. Points with a non-positive or
    /// non-finite rate or a non-finite quality are dropped.
    public static func envelope(_ points: [RatePoint]) -> [RatePoint] {
        let usable = points.filter { $0.kbps > 0 && $0.kbps.isFinite && $0.quality.isFinite }
        var kept: [RatePoint] = []
        for p in usable.sorted(by: { ($0.kbps, -$0.quality) < ($1.kbps, -$1.quality) }) {
            if let last = kept.last, p.quality <= last.quality { continue }
            if let last = kept.last, p.kbps == last.kbps { continue }
            kept.append(p)
        }
        return kept
    }

    /// BD-rate in percent: the mean rate difference of `test` against `anchor` at equal quality,
    /// over the quality range both curves cover (negative: `test` needs less rate). Nil when
    /// either curve has fewer than two usable points or the quality ranges do not overlap.
    public static func rate(anchor: [RatePoint], test: [RatePoint]) -> Double? {
        let a = envelope(anchor), t = envelope(test)
        guard a.count >= 2, t.count >= 2 else { return nil }
        let low = max(a.first!.quality, t.first!.quality), high = min(a.last!.quality, t.last!.quality)
        guard high > low else { return nil }
        let fa = PCHIP(x: a.map(\.quality), y: a.map { log10($0.kbps) })
        let ft = PCHIP(x: t.map(\.quality), y: t.map { log10($0.kbps) })
        let mean = (ft.integral(from: low, to: high) - fa.integral(from: low, to: high)) / (high - low)
        return (pow(10, mean) - 1) * 100
    }

    /// BD-quality: the mean quality difference of `test` against `anchor` at equal rate, over the
    /// log-rate range both curves cover (positive: `test` is better). Nil when the rate ranges
    /// do not overlap or a curve has fewer than two usable points.
    public static func quality(anchor: [RatePoint], test: [RatePoint]) -> Double? {
        let a = envelope(anchor), t = envelope(test)
        guard a.count >= 2, t.count >= 2 else { return nil }
        let low = max(log10(a.first!.kbps), log10(t.first!.kbps))
        let high = min(log10(a.last!.kbps), log10(t.last!.kbps))
        guard high > low else { return nil }
        let fa = PCHIP(x: a.map { log10($0.kbps) }, y: a.map(\.quality))
        let ft = PCHIP(x: t.map { log10($0.kbps) }, y: t.map(\.quality))
        return (ft.integral(from: low, to: high) - fa.integral(from: low, to: high)) / (high - low)
    }

    /// The lowest rate at which the curve reaches `quality`, interpolated (PCHIP of log-rate over
    /// quality on the envelope). When even the cheapest point reaches it, that point's rate (no
    /// extrapolation); nil when no point reaches it.
    public static func rate(reaching quality: Double, on points: [RatePoint]) -> Double? {
        let e = envelope(points)
        guard let first = e.first, let last = e.last, last.quality >= quality else { return nil }
        if first.quality >= quality || e.count < 2 { return first.kbps }
        let f = PCHIP(x: e.map(\.quality), y: e.map { log10($0.kbps) })
        return pow(10, f.value(at: quality))
    }

    /// The lowest measured rate among points whose quality is at least `quality`.
    public static func lowestMeasuredRate(reaching quality: Double, on points: [RatePoint]) -> Double? {
        points.filter { $0.quality >= quality && $0.kbps.isFinite }.map(\.kbps).min()
    }
}
