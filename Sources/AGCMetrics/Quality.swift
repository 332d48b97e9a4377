import Foundation

/// Full-reference quality metrics: PSNR, SSIM and MS-SSIM on one plane.
public enum Quality {
    /// Peak signal-to-noise ratio in dB for 8-bit data; identical planes give +infinity.
    public static func psnr(_ a: Plane, _ b: Plane, peak: Double = 255) -> Double {
        precondition(a.values.count == b.values.count, "planes differ in size")
        var sum = 0.0
        for i in a.values.indices {
            let d = Double(a.values[i] - b.values[i])
            sum += d * d
        }
        let mse = sum / Double(a.values.count)
        return mse == 0 ? .infinity : 10 * log10(peak * peak / mse)
    }

    /// PSNR from a mean squared error, capped at 100 dB so that averages stay finite.
    public static func cappedPSNR(_ a: Plane, _ b: Plane) -> Double { min(psnr(a, b), 100) }

    /// Mean SSIM (Wang et al. 2004: 11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03, valid region).
    public static func ssim(_ a: Plane, _ b: Plane) -> Double { ssimComponents(a, b).ssim }

    /// MS-SSIM over five scales with the weights of Wang, Simoncelli and Bovik (2003).
    public static func msssim(_ a: Plane, _ b: Plane) -> Double {
        let weights = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]
        var x = a, y = b
        var result = 1.0
        for (level, w) in weights.enumerated() {
            let c = ssimComponents(x, y)
            if level == weights.count - 1 {
                result *= pow(max(c.ssim, 0), w)
            } else {
                result *= pow(max(c.contrastStructure, 0), w)
                x = x.halved()
                y = y.halved()
            }
        }
        return result
    }

    static let window: [Float] = {
        let g = (-5...5).map { expf(-Float($0 * $0) / (2 * 1.5 * 1.5)) }
        let s = g.reduce(0, +)
        return g.map { $0 / s }
    }()

    /// Mean SSIM and mean contrast-structure term over the valid 11x11 windows.
    static func ssimComponents(_ a: Plane, _ b: Plane) -> (ssim: Double, contrastStructure: Double) {
        precondition(a.width == b.width && a.height == b.height, "planes differ in size")
        precondition(a.width >= 11 && a.height >= 11, "SSIM needs planes of at least 11x11")
        let c1: Float = (0.01 * 255) * (0.01 * 255), c2: Float = (0.03 * 255) * (0.03 * 255)
        let n = a.values.count
        var ab = [Float](repeating: 0, count: n), aa = ab, bb = ab
        for i in 0..<n {
            aa[i] = a.values[i] * a.values[i]
            bb[i] = b.values[i] * b.values[i]
            ab[i] = a.values[i] * b.values[i]
        }
        let w = a.width, h = a.height
        let mu1 = blur(a.values, w, h), mu2 = blur(b.values, w, h)
        let s11 = blur(aa, w, h), s22 = blur(bb, w, h), s12 = blur(ab, w, h)
        var ssimSum = 0.0, csSum = 0.0
        for i in mu1.indices {
            let m1 = mu1[i], m2 = mu2[i]
            let v1 = s11[i] - m1 * m1, v2 = s22[i] - m2 * m2, cov = s12[i] - m1 * m2
            let cs = (2 * cov + c2) / (v1 + v2 + c2)
            csSum += Double(cs)
            ssimSum += Double((2 * m1 * m2 + c1) / (m1 * m1 + m2 * m2 + c1) * cs)
        }
        return (ssimSum / Double(mu1.count), csSum / Double(mu1.count))
    }

    /// Separable Gaussian filtering, valid region only: (w - 10) x (h - 10).
    static func blur(_ v: [Float], _ w: Int, _ h: Int) -> [Float] {
        let k = window, ow = w - 10, oh = h - 10
        var rows = [Float](repeating: 0, count: ow * h)
        for y in 0..<h {
            for x in 0..<ow {
                var s: Float = 0
                for t in 0..<11 { s += k[t] * v[y * w + x + t] }
                rows[y * ow + x] = s
            }
        }
        var out = [Float](repeating: 0, count: ow * oh)
        for y in 0..<oh {
            for x in 0..<ow {
                var s: Float = 0
                for t in 0..<11 { s += k[t] * rows[(y + t) * ow + x] }
                out[y * ow + x] = s
            }
        }
        return out
    }
}
