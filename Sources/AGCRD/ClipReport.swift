/// One AGC curve against one anchor curve on one metric.
public struct CurveComparison: Codable, Sendable {
    public var test: String
    public var anchor: String
    public var metric: Metric
    /// Bjøntegaard rate difference in percent over the overlapping quality range (negative: the
    /// test curve needs less rate); nil where the quality ranges do not overlap.
    public var bdRate: Double?
    /// Mean quality difference at equal rate over the overlapping rate range (positive: the test
    /// curve is better); nil where the rate ranges do not overlap.
    public var bdQuality: Double?
    /// The quality range both curves cover, if any.
    public var qualityOverlap: [Double]?
    /// The rate range (kb/s) both curves cover, if any.
    public var rateOverlap: [Double]?

    enum CodingKeys: String, CodingKey {
        case test, anchor, metric
        case bdRate = "bd_rate_percent", bdQuality = "bd_quality", qualityOverlap = "quality_overlap"
        case rateOverlap = "rate_overlap_kbps"
    }

    /// Compares `test` with `anchor` on `metric`.
    public init(test: String, testPoints: [RatePoint], anchor: String, anchorPoints: [RatePoint], metric: Metric) {
        self.test = test
        self.anchor = anchor
        self.metric = metric
        bdRate = Bjontegaard.rate(anchor: anchorPoints, test: testPoints)
        bdQuality = Bjontegaard.quality(anchor: anchorPoints, test: testPoints)
        let a = Bjontegaard.envelope(anchorPoints), t = Bjontegaard.envelope(testPoints)
        if let a0 = a.first, let a1 = a.last, let t0 = t.first, let t1 = t.last {
            let q = [max(a0.quality, t0.quality), min(a1.quality, t1.quality)]
            qualityOverlap = q[1] > q[0] ? q : nil
            let r = [max(a0.kbps, t0.kbps), min(a1.kbps, t1.kbps)]
            rateOverlap = r[1] > r[0] ? r : nil
        }
    }
}

/// The lowest rate a curve reaches at a quality target.
public struct LowestRate: Codable, Sendable {
    public var curve: String
    public var metric: Metric
    public var target: Double
    /// The lowest measured point meeting the target (kb/s), if any.
    public var measuredKbps: Double?
    /// Interpolated on the curve (PCHIP of log-rate over quality), never extrapolated below the
    /// cheapest point.
    public var interpolatedKbps: Double?
    /// The lowest rate the curve reaches at all, whatever the quality.
    public var lowestKbps: Double?

    enum CodingKeys: String, CodingKey {
        case curve, metric, target
        case measuredKbps = "measured_kbps", interpolatedKbps = "interpolated_kbps", lowestKbps = "lowest_kbps"
    }
}

/// Everything measured on one clip.
public struct ClipReport: Codable, Sendable {
    public var clip: String
    public var path: String
    /// x, y, width, height in the upright source picture.
    public var crop: [Int]
    public var size: Int
    public var frameRate: Double
    public var frames: Int
    public var points: [PointResult]
    public var comparisons: [CurveComparison]
    public var lowestRates: [LowestRate]
    /// The frames shown side by side in the report.
    public var snapshotFrames: [Int]

    enum CodingKeys: String, CodingKey {
        case clip, path, crop, size, frames, points, comparisons
        case frameRate = "frame_rate", lowestRates = "lowest_rates", snapshotFrames = "snapshot_frames"
    }

    /// The curves present, AGC ones first, in order of first appearance.
    public var curves: [String] {
        var seen: [String] = []
        for p in points where !seen.contains(p.curve) { seen.append(p.curve) }
        return seen.filter { $0.hasPrefix("agc") } + seen.filter { !$0.hasPrefix("agc") }
    }

    /// The points of one curve, by rate.
    public func points(of curve: String) -> [PointResult] {
        points.filter { $0.curve == curve }.sorted { $0.kbps < $1.kbps }
    }

    /// Fills in the comparisons of every AGC curve with every anchor on every metric, and the
    /// lowest rates at MS-SSIM-Y >= `target`.
    public mutating func summarise(target: Double = 0.90) {
        let all = curves
        let tests = all.filter { $0.hasPrefix("agc") }, anchors = all.filter { !$0.hasPrefix("agc") }
        comparisons = []
        for test in tests {
            for anchor in anchors {
                for metric in Metric.allCases {
                    comparisons.append(CurveComparison(
                        test: test, testPoints: points(of: test).map { $0.ratePoint(metric) },
                        anchor: anchor, anchorPoints: points(of: anchor).map { $0.ratePoint(metric) },
                        metric: metric))
                }
            }
        }
        lowestRates = all.map { curve in
            let rated = points(of: curve).map { $0.ratePoint(.msssimY) }
            return LowestRate(curve: curve, metric: .msssimY, target: target,
                              measuredKbps: Bjontegaard.lowestMeasuredRate(reaching: target, on: rated),
                              interpolatedKbps: Bjontegaard.rate(reaching: target, on: rated),
                              lowestKbps: rated.map(\.kbps).min())
        }
    }
}

/// The whole run.
public struct RDReport: Codable, Sendable {
    public var tool = "agc-rd"
    /// The MS-SSIM-Y target of the lowest-rate figures.
    public var target: Double
    public var clips: [ClipReport]

    public init(target: Double, clips: [ClipReport]) {
        self.target = target
        self.clips = clips
    }
}
