import CAGCKernels

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

    /// The C kernel of `isa` (`CAGCKernels`: taps computed once per pixel and shared by every
    /// channel, vectorised per instruction set), rows in chunks over threads.
    public static func optimized(_ x: Tensor, grid: [Float], height oh: Int, width ow: Int, isa: KernelISA = .current) -> Tensor {
        precondition(grid.count == oh * ow * 2, "grid does not match the output size")
        let n = oh * ow, chunk = 2048, tasks = (n + chunk - 1) / chunk
        var out = Tensor(channels: x.channels, height: oh, width: ow,
                         data: [Float](unsafeUninitializedCapacity: x.channels * n) { _, count in count = x.channels * n })
        x.data.withUnsafeBufferPointer { src in
            grid.withUnsafeBufferPointer { g in
                out.data.withUnsafeMutableBufferPointer { dst in
                    parallelFor(tasks) { t in
                        let p0 = t * chunk, p1 = min(n, p0 + chunk)
                        agc_grid_sample_f32(isa.cValue, src.baseAddress!, Int32(x.channels), Int32(x.height), Int32(x.width),
                                            g.baseAddress! + 2 * p0, Int32(p1 - p0), dst.baseAddress! + p0, n)
                    }
                }
            }
        }
        return out
    }
}
