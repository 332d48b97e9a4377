/// Pooling and resizing with PyTorch's edge rules.
public enum Resampling {
    /// Average pooling over non-overlapping `factor` x `factor` windows (`F.avg_pool2d(x, factor)`).
    public static func averagePool(_ x: Tensor, factor: Int) -> Tensor {
        let oh = x.height / factor, ow = x.width / factor
        var out = Tensor(channels: x.channels, height: oh, width: ow)
        let scale = 1 / Float(factor * factor)
        x.data.withUnsafeBufferPointer { src in
            out.data.withUnsafeMutableBufferPointer { dst in
                for c in 0..<x.channels {
                    for y in 0..<oh {
                        for xx in 0..<ow {
                            var sum: Float = 0
                            for dy in 0..<factor {
                                let row = (c * x.height + y * factor + dy) * x.width + xx * factor
                                for dx in 0..<factor { sum += src[row + dx] }
                            }
                            dst[(c * oh + y) * ow + xx] = sum * scale
                        }
                    }
                }
            }
        }
        return out
    }

    /// 2x nearest-neighbour upsampling (`F.interpolate(x, scale_factor=2, mode="nearest")`).
    public static func upsampleNearest2x(_ x: Tensor) -> Tensor {
        let oh = x.height * 2, ow = x.width * 2
        var out = Tensor(channels: x.channels, height: oh, width: ow)
        x.data.withUnsafeBufferPointer { src in
            out.data.withUnsafeMutableBufferPointer { dst in
                for c in 0..<x.channels {
                    for y in 0..<oh {
                        let srow = (c * x.height + y / 2) * x.width
                        let drow = (c * oh + y) * ow
                        for xx in 0..<ow { dst[drow + xx] = src[srow + xx / 2] }
                    }
                }
            }
        }
        return out
    }

    /// Bilinear resizing with `align_corners=False` (`F.interpolate(mode="bilinear")`).
    public static func resizeBilinear(_ x: Tensor, height oh: Int, width ow: Int) -> Tensor {
        let ih = x.height, iw = x.width
        func taps(_ outSize: Int, _ inSize: Int) -> [(Int, Int, Float, Float)] {
            let scale = Float(inSize) / Float(outSize)
            return (0..<outSize).map { d in
                let src = max((Float(d) + 0.5) * scale - 0.5, 0)
                let i0 = Int(src)
                let i1 = i0 < inSize - 1 ? i0 + 1 : i0
                let l1 = src - Float(i0)
                return (i0, i1, 1 - l1, l1)
            }
        }
        let ty = taps(oh, ih), tx = taps(ow, iw)
        var out = Tensor(channels: x.channels, height: oh, width: ow)
        for c in 0..<x.channels {
            let base = c * ih * iw
            for y in 0..<oh {
                let (y0, y1, h0, h1) = ty[y]
                for xx in 0..<ow {
                    let (x0, x1, w0, w1) = tx[xx]
                    let top = w0 * x.data[base + y0 * iw + x0] + w1 * x.data[base + y0 * iw + x1]
                    let bottom = w0 * x.data[base + y1 * iw + x0] + w1 * x.data[base + y1 * iw + x1]
                    out.data[(c * oh + y) * ow + xx] = h0 * top + h1 * bottom
                }
            }
        }
        return out
    }
}
