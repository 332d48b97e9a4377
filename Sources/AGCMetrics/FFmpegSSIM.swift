/// SSIM as FFmpeg's `ssim` filter computes it on 8-bit planes, so that figures compare with
/// `ffmpeg -lavfi ssim` and with published tables made by it.
///
/// The method (libavfilter/vf_ssim.c, after x264): sums over 4x4 blocks, each window the 8x8
/// square of four neighbouring blocks (so windows step by 4 pixels and overlap by half), flat
/// weights, integer statistics, C1 = round(0.01^2 * 255^2 * 64) and
/// C2 = round(0.03^2 * 255^2 * 64 * 63); the plane's score is the mean over all windows.
/// Pixels beyond the last whole 4x4 block are ignored.
public enum FFmpegSSIM {
    /// C1 = (int)(0.01^2 * 255^2 * 64 + 0.5) = 416.
    static let c1: Int = {
        let v: Double = 0.01 * 0.01 * 255.0 * 255.0 * 64.0
        return Int(v + 0.5)
    }()
    /// C2 = (int)(0.03^2 * 255^2 * 64 * 63 + 0.5) = 235963.
    static let c2: Int = {
        let v: Double = 0.03 * 0.03 * 255.0 * 255.0 * 64.0 * 63.0
        return Int(v + 0.5)
    }()

    /// Mean SSIM of two 8-bit planes of `width` x `height` (row-major, no padding; at least 8x8).
    public static func ssim(_ a: [UInt8], _ b: [UInt8], width: Int, height: Int) -> Double {
        precondition(a.count == width * height && b.count == a.count, "planes do not match their size")
        precondition(width >= 8 && height >= 8, "FFmpeg's SSIM needs planes of at least 8x8")
        let bw = width / 4, bh = height / 4
        // Per 4x4 block: sum a, sum b, sum a^2 + b^2, sum a*b.
        var sums = [Int](repeating: 0, count: bw * bh * 4)
        for by in 0..<bh {
            for bx in 0..<bw {
                var s1 = 0, s2 = 0, ss = 0, s12 = 0
                for y in (4 * by)..<(4 * by + 4) {
                    for x in (4 * bx)..<(4 * bx + 4) {
                        let p = Int(a[y * width + x]), q = Int(b[y * width + x])
                        s1 += p
                        s2 += q
                        ss += p * p + q * q
                        s12 += p * q
                    }
                }
                let k = 4 * (by * bw + bx)
                sums[k] = s1
                sums[k + 1] = s2
                sums[k + 2] = ss
                sums[k + 3] = s12
            }
        }
        var total = 0.0
        for by in 1..<bh {
            var row: Float = 0
            for bx in 0..<(bw - 1) {
                var w = [0, 0, 0, 0]
                for k in [(by - 1) * bw + bx, (by - 1) * bw + bx + 1, by * bw + bx, by * bw + bx + 1] {
                    for j in 0..<4 { w[j] += sums[4 * k + j] }
                }
                row += window(s1: w[0], s2: w[1], ss: w[2], s12: w[3])
            }
            total += Double(row)
        }
        return total / Double((bh - 1) * (bw - 1))
    }

    /// SSIM of one 8x8 window from its sums, in single precision as FFmpeg does.
    static func window(s1: Int, s2: Int, ss: Int, s12: Int) -> Float {
        let variances = ss * 64 - s1 * s1 - s2 * s2
        let covariance = s12 * 64 - s1 * s2
        return Float(2 * s1 * s2 + c1) * Float(2 * covariance + c2)
            / (Float(s1 * s1 + s2 * s2 + c1) * Float(variances + c2))
    }

    /// The same on float planes, rounded to 8-bit (0...255) first.
    public static func ssim(_ a: Plane, _ b: Plane) -> Double {
        precondition(a.width == b.width && a.height == b.height, "planes differ in size")
        return ssim(a.bytes, b.bytes, width: a.width, height: a.height)
    }

    /// FFmpeg's dB form of an SSIM value: -10 log10(1 - ssim).
    public static func decibels(_ ssim: Double) -> Double { -10 * log10(1 - ssim) }
}

import Foundation
