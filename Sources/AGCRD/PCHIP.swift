/// A monotone piecewise cubic Hermite interpolant (Fritsch and Carlson 1980; the slopes of
/// SciPy's `PchipInterpolator`) through points with strictly increasing `x`.
public struct PCHIP: Sendable {
    public let x: [Double]
    public let y: [Double]
    /// The derivative at each point.
    public let slopes: [Double]

    public init(x: [Double], y: [Double]) {
        precondition(x.count == y.count && x.count >= 2, "PCHIP needs at least two points")
        precondition(zip(x, x.dropFirst()).allSatisfy { $0 < $1 }, "PCHIP needs strictly increasing x")
        self.x = x
        self.y = y
        let n = x.count
        let h = (0..<(n - 1)).map { x[$0 + 1] - x[$0] }
        let delta = (0..<(n - 1)).map { (y[$0 + 1] - y[$0]) / h[$0] }
        var d = [Double](repeating: 0, count: n)
        if n == 2 {
            d = [delta[0], delta[0]]
        } else {
            for k in 1..<(n - 1) where delta[k - 1] * delta[k] > 0 {
                let w1 = 2 * h[k] + h[k - 1], w2 = h[k] + 2 * h[k - 1]
                d[k] = (w1 + w2) / (w1 / delta[k - 1] + w2 / delta[k])
            }
            d[0] = PCHIP.endSlope(h[0], h[1], delta[0], delta[1])
            d[n - 1] = PCHIP.endSlope(h[n - 2], h[n - 3], delta[n - 2], delta[n - 3])
        }
        slopes = d
    }

    /// The one-sided three-point end slope, kept shape-preserving.
    static func endSlope(_ h0: Double, _ h1: Double, _ d0: Double, _ d1: Double) -> Double {
        let d = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1)
        if d.sign != d0.sign || d0 == 0 { return 0 }
        if d0.sign != d1.sign && abs(d) > abs(3 * d0) { return 3 * d0 }
        return d
    }

    /// The segment holding `t` (the first or last beyond the ends).
    func segment(_ t: Double) -> Int {
        var k = 0
        while k < x.count - 2 && t > x[k + 1] { k += 1 }
        return k
    }

    /// The interpolant at `t` (the end cubics extended beyond the ends).
    public func value(at t: Double) -> Double {
        let k = segment(t)
        let h = x[k + 1] - x[k], s = (t - x[k]) / h
        let h00 = (1 + 2 * s) * (1 - s) * (1 - s), h10 = s * (1 - s) * (1 - s)
        let h01 = s * s * (3 - 2 * s), h11 = s * s * (s - 1)
        return h00 * y[k] + h10 * h * slopes[k] + h01 * y[k + 1] + h11 * h * slopes[k + 1]
    }

    /// The exact integral from `a` to `b`, both within the range of `x`.
    public func integral(from a: Double, to b: Double) -> Double {
        guard b > a else { return a == b ? 0 : -integral(from: b, to: a) }
        var total = 0.0
        for k in 0..<(x.count - 1) {
            let lo = max(a, x[k]), hi = min(b, x[k + 1])
            if hi > lo { total += segmentIntegral(k, from: lo, to: hi) }
        }
        return total
    }

    /// Integral over part of segment `k`, from the antiderivative of the Hermite basis.
    private func segmentIntegral(_ k: Int, from a: Double, to b: Double) -> Double {
        let h = x[k + 1] - x[k]
        func antiderivative(_ t: Double) -> Double {
            let s = (t - x[k]) / h, s2 = s * s, s3 = s2 * s, s4 = s3 * s
            let i00 = s - s3 + s4 / 2, i10 = s2 / 2 - 2 * s3 / 3 + s4 / 4
            let i01 = s3 - s4 / 2, i11 = s4 / 4 - s3 / 3
            return h * (i00 * y[k] + i10 * h * slopes[k] + i01 * y[k + 1] + i11 * h * slopes[k + 1])
        }
        return antiderivative(b) - antiderivative(a)
    }
}
