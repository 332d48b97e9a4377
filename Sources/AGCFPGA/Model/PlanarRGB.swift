/// Packed RGB24 <-> the accelerator's three byte planes.
public enum PlanarRGB {
    /// RGBRGB... -> RRR...GGG...BBB...
    public static func planes(_ packed: [UInt8]) -> [UInt8] {
        let n = packed.count / 3
        var out = [UInt8](repeating: 0, count: packed.count)
        for p in 0..<n {
            out[p] = packed[3 * p]
            out[n + p] = packed[3 * p + 1]
            out[2 * n + p] = packed[3 * p + 2]
        }
        return out
    }

    /// RRR...GGG...BBB... -> RGBRGB...
    public static func packed(_ planes: [UInt8]) -> [UInt8] {
        let n = planes.count / 3
        var out = [UInt8](repeating: 0, count: planes.count)
        for p in 0..<n {
            out[3 * p] = planes[p]
            out[3 * p + 1] = planes[n + p]
            out[3 * p + 2] = planes[2 * n + p]
        }
        return out
    }
}
