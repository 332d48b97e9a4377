/// Pure-Swift rearrangements of RGB pixels: rotation and cropping (no resampling).
extension RGBImage {
    /// The picture turned clockwise by `degrees` (a multiple of 90; others are an error).
    public func rotated(clockwise degrees: Int) -> RGBImage {
        let turn = ((degrees % 360) + 360) % 360
        precondition(turn % 90 == 0, "rotation must be a multiple of 90 degrees, got \(degrees)")
        if turn == 0 { return self }
        let w = width, h = height
        let outW = turn == 180 ? w : h, outH = turn == 180 ? h : w
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        // Source pixel that lands on (ox, oy).
                        let sx: Int, sy: Int
                        switch turn {
                        case 90: sx = oy; sy = h - 1 - ox
                        case 180: sx = w - 1 - ox; sy = h - 1 - oy
                        default: sx = w - 1 - oy; sy = ox
                        }
                        let s = (sy * w + sx) * 3, d = (oy * outW + ox) * 3
                        dst[d] = src[s]
                        dst[d + 1] = src[s + 1]
                        dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return RGBImage(width: outW, height: outH, pixels: out)
    }

    /// The part of the picture inside `rect`, which must fit (see `CropRect.fits`).
    public func cropped(to rect: CropRect) -> RGBImage {
        precondition(rect.fits(width: width, height: height), "crop \(rect) outside \(width)x\(height)")
        var out = [UInt8](repeating: 0, count: rect.width * rect.height * 3)
        let rowBytes = rect.width * 3
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for row in 0..<rect.height {
                    let s = ((rect.y + row) * width + rect.x) * 3
                    dst.baseAddress!.advanced(by: row * rowBytes)
                        .update(from: src.baseAddress!.advanced(by: s), count: rowBytes)
                }
            }
        }
        return RGBImage(width: rect.width, height: rect.height, pixels: out)
    }
}
