import AGCKernels

/// The integer definitions of the small operations around the network (the element-wise engine's
/// work): keypoint heatmaps and shifts, the softmax-weighted flow, table lookups, bilinear
/// upsampling of flows. One implementation, shared by the scalar reference and the emulator:
/// these are a few hundred thousand operations per frame against the convolutions' billions.
public enum ElementwiseArithmetic {
    /// x / d rounded to nearest, ties away from zero (d > 0).
    @inline(__always)
    public static func roundedDivide(_ x: Int64, _ d: Int64) -> Int64 {
        x >= 0 ? (x + d / 2) / d : -((d / 2 - x) / d)
    }

    /// Heatmap differences and shifts from the keypoints (`units` per half-frame).
    ///
    /// Channel 0 of the heatmaps is the background (real zero); channel k + 1 is
    /// G(driving_k) - G(source_k) with G the separable Gaussian g(|dx|) g(|dy|) from the Q15
    /// `table` (index: distance in keypoint units, limited to the table), rounded to Q15 and
    /// requantized to 8 bits. Shift 0 is zero, shift k + 1 is source_k - driving_k in Q16.16.
    public static func keypointHeat(source: [SIMD2<Int32>], driving: [SIMD2<Int32>], units: Int, size r: Int,
                                    table: UnsafePointer<Int32>, tableCount: Int, multiplier: Int32, shift: Int32,
                                    zeroPoint: Int32, heat: UnsafeMutablePointer<UInt8>, shifts: UnsafeMutablePointer<Int32>) {
        precondition(source.count == driving.count && (2 * units) % r == 0, "keypoint heatmap geometry")
        let k = source.count, n = r * r
        // Pixel centres in keypoint units: (2i + 1) / r - 1 of the half-frame.
        let centres = (0..<r).map { Int32((2 * $0 + 1) * units / r - units) }
        func gauss(_ centre: Int32, _ at: Int32) -> Int32 {
            table[min(Int(abs(centre - at)), tableCount - 1)]
        }
        heat.update(repeating: UInt8(zeroPoint), count: n)
        shifts[0] = 0
        shifts[1] = 0
        for j in 0..<k {
            let s = source[j], d = driving[j]
            let gxs = centres.map { gauss($0, s.x) }, gys = centres.map { gauss($0, s.y) }
            let gxd = centres.map { gauss($0, d.x) }, gyd = centres.map { gauss($0, d.y) }
            let plane = heat + (j + 1) * n
            for y in 0..<r {
                for x in 0..<r {
                    let hd = (gxd[x] * gyd[y] + (1 << 14)) >> 15
                    let hs = (gxs[x] * gys[y] + (1 << 14)) >> 15
                    let q = zeroPoint + FixedPoint.multiply(hd - hs, multiplier: multiplier, shift: shift)
                    plane[y * r + x] = UInt8(min(max(q, 0), 255))
                }
            }
            shifts[2 * (j + 1)] = (s.x - d.x) << 8
            shifts[2 * (j + 1) + 1] = (s.y - d.y) << 8
        }
    }

    /// The flow (x plane, y plane; Q16.16) of a softmax over `channels` 8-bit logits per pixel
    /// weighting the shifts: e_k = table[max - q_k] (Q16), flow = round(sum e_k shift_k / sum e_k).
    public static func softmaxFlow(logits: UnsafePointer<UInt8>, channels: Int, count n: Int, table: UnsafePointer<Int32>,
                                   shifts: UnsafePointer<Int32>, flow: UnsafeMutablePointer<Int32>) {
        for p in 0..<n {
            var top: UInt8 = 0
            for k in 0..<channels { top = max(top, logits[k * n + p]) }
            var den: Int64 = 0, fx: Int64 = 0, fy: Int64 = 0
            for k in 0..<channels {
                let e = Int64(table[Int(top - logits[k * n + p])])
                den += e
                fx += e * Int64(shifts[2 * k])
                fy += e * Int64(shifts[2 * k + 1])
            }
            flow[p] = Int32(roundedDivide(fx, den))
            flow[n + p] = Int32(roundedDivide(fy, den))
        }
    }

    /// output[i] = table[input[i]].
    public static func lookup(input: UnsafePointer<UInt8>, count: Int, table: UnsafePointer<Int32>, output: UnsafeMutablePointer<UInt8>) {
        for i in 0..<count { output[i] = UInt8(truncatingIfNeeded: table[Int(input[i])]) }
    }

    /// Bilinear upsampling of both planes of a flow by an integer `factor`, align_corners=False
    /// (source coordinate (o + 1/2) / factor - 1/2, clamped at 0, the last sample repeated):
    /// exact weights in 1 / (2 factor), the sum rounded to nearest, ties away from zero.
    public static func upsampleFlow(input: UnsafePointer<Int32>, height h: Int, width w: Int, factor f: Int,
                                    output: UnsafeMutablePointer<Int32>) {
        let oh = h * f, ow = w * f, den = Int64(2 * f)
        func taps(_ o: Int, _ n: Int) -> (Int, Int, Int64) {
            let s = max(2 * o + 1 - f, 0)               // source coordinate x 2f
            let i0 = s / (2 * f)
            return (i0, min(i0 + 1, n - 1), Int64(s % (2 * f)))
        }
        let xs = (0..<ow).map { taps($0, w) }
        for plane in 0..<2 {
            let src = input + plane * h * w, dst = output + plane * oh * ow
            for y in 0..<oh {
                let (y0, y1, fy) = taps(y, h)
                for x in 0..<ow {
                    let (x0, x1, fx) = xs[x]
                    let top = (den - fx) * Int64(src[y0 * w + x0]) + fx * Int64(src[y0 * w + x1])
                    let bottom = (den - fx) * Int64(src[y1 * w + x0]) + fx * Int64(src[y1 * w + x1])
                    dst[y * ow + x] = Int32(roundedDivide((den - fy) * top + fy * bottom, den * den))
                }
            }
        }
    }
}
