import Foundation

extension Quality {
    /// PSNR over all three channels of packed 8-bit RGB: one mean squared error over every sample,
    /// as FFmpeg's `psnr` filter reports "average" for RGB input (equal-sized planes, equal
    /// weights). Identical pictures give +infinity.
    public static func psnrRGB(_ a: [UInt8], _ b: [UInt8]) -> Double {
        precondition(a.count == b.count, "pictures differ in size")
        var sum = 0
        for i in a.indices {
            let d = Int(a[i]) - Int(b[i])
            sum += d * d
        }
        guard sum > 0 else { return .infinity }
        return 10 * log10(255.0 * 255.0 * Double(a.count) / Double(sum))
    }
}
