/// Fixed-point bilinear grid sampling of 8-bit maps, the grid-sample engine's arithmetic.
///
/// Positions are in input pixels as signed Q16.16 (x = 0 is the centre of the first column,
/// the align_corners=False convention after the host's conversion). The fraction is cut to 8
/// bits, the four weights are products of 8-bit fractions summing to 2^16, taps outside the
/// input read the zero point (zero padding in real terms), and the result is
/// zp + ((sum of w * (v - zp)) + 2^15) >> 16 (round half up), same scale and zero point out.
public enum QuantizedGridSample {
    /// Converts a sampling position in [-1, 1] coordinates to Q16.16 input pixels (host side).
    public static func fixedPosition(_ g: Float, size: Int) -> Int32 {
        let pixels = ((Double(g) + 1) * Double(size) - 1) / 2
        return Int32(max(min((pixels * 65536).rounded(), Double(Int32.max / 2)), Double(Int32.min / 2)))
    }

    public static func callAsFunction(_ x: QTensor, positions: [Int32], height: Int, width: Int) -> QTensor {
        switch KernelChoice.current {
        case .reference: return reference(x, positions: positions, height: height, width: width)
        case .optimized: return optimized(x, positions: positions, height: height, width: width)
        }
    }

    /// `positions` holds (x, y) per output pixel, row-major.
    public static func reference(_ x: QTensor, positions: [Int32], height oh: Int, width ow: Int) -> QTensor {
        precondition(positions.count == 2 * oh * ow, "positions do not match the output size")
        let ih = x.height, iw = x.width, zp = x.zeroPoint
        var out = [UInt8](repeating: 0, count: x.channels * oh * ow)
        for c in 0..<x.channels {
            for p in 0..<(oh * ow) {
                let px = positions[2 * p], py = positions[2 * p + 1]
                let x0 = Int(px >> 16), y0 = Int(py >> 16)
                let fx = (px & 0xFFFF) >> 8, fy = (py & 0xFFFF) >> 8
                func value(_ xx: Int, _ yy: Int) -> Int32 {
                    guard xx >= 0, xx < iw, yy >= 0, yy < ih else { return 0 }
                    return Int32(x.data[(c * ih + yy) * iw + xx]) - zp
                }
                var acc: Int32 = (256 - fx) * (256 - fy) * value(x0, y0)
                acc += fx * (256 - fy) * value(x0 + 1, y0)
                acc += (256 - fx) * fy * value(x0, y0 + 1)
                acc += fx * fy * value(x0 + 1, y0 + 1)
                out[c * oh * ow + p] = UInt8(clamping: zp + ((acc + (1 << 15)) >> 16))
            }
        }
        return QTensor(channels: x.channels, height: oh, width: ow, zeroPoint: zp, data: out)
    }

    /// Taps and weights computed once per output pixel, shared by every channel; channels over
    /// threads. Bit-exact with `reference`.
    public static func optimized(_ x: QTensor, positions: [Int32], height oh: Int, width ow: Int) -> QTensor {
        precondition(positions.count == 2 * oh * ow, "positions do not match the output size")
        let ih = x.height, iw = x.width, zp = x.zeroPoint, n = oh * ow
        // Per pixel: four indices into the plane (-1: outside) and four weights.
        var index = [Int32](repeating: -1, count: 4 * n)
        var weight = [Int32](repeating: 0, count: 4 * n)
        for p in 0..<n {
            let px = positions[2 * p], py = positions[2 * p + 1]
            let x0 = Int(px >> 16), y0 = Int(py >> 16)
            let fx = (px & 0xFFFF) >> 8, fy = (py & 0xFFFF) >> 8
            let corners = [(x0, y0, (256 - fx) * (256 - fy)), (x0 + 1, y0, fx * (256 - fy)),
                           (x0, y0 + 1, (256 - fx) * fy), (x0 + 1, y0 + 1, fx * fy)]
            for (j, (cx, cy, w)) in corners.enumerated() where cx >= 0 && cx < iw && cy >= 0 && cy < ih {
                index[4 * p + j] = Int32(cy * iw + cx)
                weight[4 * p + j] = w
            }
        }
        var out = [UInt8](repeating: 0, count: x.channels * n)
        x.data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let s = src.baseAddress!, d = dst.baseAddress!
                parallelFor(x.channels) { c in
                    let plane = s + c * ih * iw
                    for p in 0..<n {
                        var acc: Int32 = 0
                        for j in 0..<4 {
                            let i = index[4 * p + j]
                            if i >= 0 { acc &+= weight[4 * p + j] &* (Int32(plane[Int(i)]) &- zp) }
                        }
                        d[c * n + p] = UInt8(clamping: zp &+ ((acc &+ (1 << 15)) >> 16))
                    }
                }
            }
        }
        return QTensor(channels: x.channels, height: oh, width: ow, zeroPoint: zp, data: out)
    }
}
