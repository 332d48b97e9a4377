/// Bilinear grid sampling with zero padding and `align_corners=False`
/// (`F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)`).
///
/// `grid` holds, for every output pixel in row-major order, the sampling position (x, y) in
/// [-1, 1] coordinates of the input: `grid[2 * p]` is x and `grid[2 * p + 1]` is y.
public enum GridSample {
    public static func callAsFunction(_ x: Tensor, grid: [Float], height: Int, width: Int) -> Tensor {
        switch KernelChoice.current {
        case .reference: return reference(x, grid: grid, height: height, width: width)
        case .optimized: return optimized(x, grid: grid, height: height, width: width)
        }
    }

    public static func sample(_ x: Tensor, grid: [Float], height: Int, width: Int) -> Tensor {
        callAsFunction(x, grid: grid, height: height, width: width)
    }

    /// Per output pixel: the four source indices and weights (index 0, weight 0 for taps outside).
    struct Taps {
        var index: SIMD4<Int32>
        var weight: SIMD4<Float>
    }

    @inline(__always)
    static func taps(gx: Float, gy: Float, inHeight ih: Int, inWidth iw: Int) -> Taps {
        let ix = ((gx + 1) * Float(iw) - 1) / 2
        let iy = ((gy + 1) * Float(ih) - 1) / 2
        let fx = ix.rounded(.down), fy = iy.rounded(.down)
        let wx1 = ix - fx, wx0 = (fx + 1) - ix
        let wy1 = iy - fy, wy0 = (fy + 1) - iy
        var taps = Taps(index: .zero, weight: .zero)
        // Positions far outside contribute nothing; guard the integer conversion.
        guard fx > -2, fy > -2, fx < Float(iw), fy < Float(ih) else { return taps }
        let x0 = Int(fx), y0 = Int(fy)
        let xIn0 = x0 >= 0, xIn1 = x0 + 1 < iw, yIn0 = y0 >= 0, yIn1 = y0 + 1 < ih
        if xIn0 && yIn0 { taps.index[0] = Int32(y0 * iw + x0); taps.weight[0] = wx0 * wy0 }
        if xIn1 && yIn0 { taps.index[1] = Int32(y0 * iw + x0 + 1); taps.weight[1] = wx1 * wy0 }
        if xIn0 && yIn1 { taps.index[2] = Int32((y0 + 1) * iw + x0); taps.weight[2] = wx0 * wy1 }
        if xIn1 && yIn1 { taps.index[3] = Int32((y0 + 1) * iw + x0 + 1); taps.weight[3] = wx1 * wy1 }
        return taps
    }

    /// Plain per-pixel, per-channel sampling, the definition.
    public static func reference(_ x: Tensor, grid: [Float], height oh: Int, width ow: Int) -> Tensor {
        precondition(grid.count == oh * ow * 2, "grid does not match the output size")
        let ih = x.height, iw = x.width
        var out = Tensor(channels: x.channels, height: oh, width: ow)
        for c in 0..<x.channels {
            for p in 0..<(oh * ow) {
                let ix = ((grid[2 * p] + 1) * Float(iw) - 1) / 2
                let iy = ((grid[2 * p + 1] + 1) * Float(ih) - 1) / 2
                let x0 = Int(ix.rounded(.down)), y0 = Int(iy.rounded(.down))
                var acc: Float = 0
                for (cx, cy) in [(x0, y0), (x0 + 1, y0), (x0, y0 + 1), (x0 + 1, y0 + 1)] {
                    guard cx >= 0, cx < iw, cy >= 0, cy < ih else { continue }
                    let wx = cx == x0 ? Float(x0 + 1) - ix : ix - Float(x0)
                    let wy = cy == y0 ? Float(y0 + 1) - iy : iy - Float(y0)
                    acc += wx * wy * x.data[(c * ih + cy) * iw + cx]
                }
                out.data[c * oh * ow + p] = acc
            }
        }
        return out
    }

    /// Taps computed once per pixel and shared by every channel; channels split over threads.
    public static func optimized(_ x: Tensor, grid: [Float], height oh: Int, width ow: Int) -> Tensor {
        precondition(grid.count == oh * ow * 2, "grid does not match the output size")
        let n = oh * ow, ih = x.height, iw = x.width
        var table = [Taps](repeating: Taps(index: .zero, weight: .zero), count: n)
        table.withUnsafeMutableBufferPointer { t in
            grid.withUnsafeBufferPointer { g in
                let chunks = 16
                parallelFor(chunks) { chunk in
                    for p in stride(from: chunk, to: n, by: chunks) {
                        t[p] = taps(gx: g[2 * p], gy: g[2 * p + 1], inHeight: ih, inWidth: iw)
                    }
                }
            }
        }
        var out = Tensor(channels: x.channels, height: oh, width: ow)
        let planeIn = ih * iw
        table.withUnsafeBufferPointer { t in
            x.data.withUnsafeBufferPointer { src in
                out.data.withUnsafeMutableBufferPointer { dst in
                    let s = src.baseAddress!, d = dst.baseAddress!
                    parallelFor(x.channels) { c in
                        let plane = s + c * planeIn
                        let row = d + c * n
                        for p in 0..<n {
                            let tap = t[p]
                            let v = SIMD4<Float>(plane[Int(tap.index[0])], plane[Int(tap.index[1])],
                                                 plane[Int(tap.index[2])], plane[Int(tap.index[3])])
                            let prod = v * tap.weight
                            row[p] = ((prod[0] + prod[1]) + prod[2]) + prod[3]
                        }
                    }
                }
            }
        }
        return out
    }
}
