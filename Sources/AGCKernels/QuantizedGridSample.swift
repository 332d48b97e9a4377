import CAGCKernels

/// Fixed-point bilinear grid sampling of 8-bit maps, the grid-sample engine's arithmetic.
///
/// Positions are in input pixels as signed Q16.16 (x = 0 is the centre of the first column,
/// the align_corners=False convention). The fraction is cut to 8 bits, the four weights are
/// products of 8-bit fractions summing to 2^16, taps outside the input read the channel's zero
/// point (zero padding in real terms), and the result is zp + ((sum of w * (v - zp)) + 2^15) >> 16
/// (round half up), same zero points out. An optional 8-bit mask m (real m / 255) multiplies the
/// result in the engine's output stage: zp + round((s - zp) * m / 255), ties away from zero.
public enum QuantizedGridSample {
    /// Converts a sampling position in [-1, 1] coordinates to Q16.16 input pixels (host side).
    public static func fixedPosition(_ g: Float, size: Int) -> Int32 {
        let pixels = ((Double(g) + 1) * Double(size) - 1) / 2
        return Int32(max(min((pixels * 65536).rounded(), Double(Int32.max / 2)), Double(Int32.min / 2)))
    }

    /// Positions (x, y interleaved) of the identity grid of a `height` x `width` map displaced by a
    /// flow in normalised coordinates, Q16.16 (`flow`: the x plane, then the y plane, at the same
    /// size): pixel + flow x size / 2, exact.
    public static func positions(flow: UnsafePointer<Int32>, height: Int, width: Int) -> [Int32] {
        let n = height * width
        var out = [Int32](repeating: 0, count: 2 * n)
        for y in 0..<height {
            for x in 0..<width {
                let p = y * width + x
                out[2 * p] = clampPosition(Int64(x) << 16 + Int64(flow[p]) * Int64(width) / 2)
                out[2 * p + 1] = clampPosition(Int64(y) << 16 + Int64(flow[n + p]) * Int64(height) / 2)
            }
        }
        return out
    }

    /// Positions of the identity grid shifted by one constant normalised Q16.16 offset.
    public static func positions(shiftX: Int32, shiftY: Int32, height: Int, width: Int) -> [Int32] {
        var out = [Int32](repeating: 0, count: 2 * height * width)
        let dx = Int64(shiftX) * Int64(width) / 2, dy = Int64(shiftY) * Int64(height) / 2
        for y in 0..<height {
            for x in 0..<width {
                let p = y * width + x
                out[2 * p] = clampPosition(Int64(x) << 16 + dx)
                out[2 * p + 1] = clampPosition(Int64(y) << 16 + dy)
            }
        }
        return out
    }

    /// Far outside the map every tap reads the zero point; clamping keeps the arithmetic in range.
    @inline(__always)
    static func clampPosition(_ v: Int64) -> Int32 {
        Int32(max(min(v, Int64(1) << 30), -(Int64(1) << 30)))
    }

    /// v x m / 255 rounded to nearest, ties away from zero (the mask stage).
    @inline(__always)
    public static func masked(_ v: Int32, _ m: Int32) -> Int32 {
        let p = v * m
        return p >= 0 ? (p + 127) / 255 : -((127 - p) / 255)
    }

    public static func callAsFunction(_ x: QTensor, positions: [Int32], height: Int, width: Int, mask: [UInt8]? = nil) -> QTensor {
        switch KernelChoice.current {
        case .reference: return reference(x, positions: positions, height: height, width: width, mask: mask)
        case .optimized: return optimized(x, positions: positions, height: height, width: width, mask: mask)
        }
    }

    /// `positions` holds (x, y) per output pixel, row-major; `mask` one byte per output pixel.
    public static func reference(_ x: QTensor, positions: [Int32], height oh: Int, width ow: Int, mask: [UInt8]? = nil) -> QTensor {
        precondition(positions.count == 2 * oh * ow, "positions do not match the output size")
        precondition(mask.map { $0.count == oh * ow } ?? true, "mask does not match the output size")
        let ih = x.height, iw = x.width
        var out = [UInt8](repeating: 0, count: x.channels * oh * ow)
        for c in 0..<x.channels {
            let zp = x.zeroPoints[c]
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
                var v = (acc + (1 << 15)) >> 16
                if let mask { v = masked(v, Int32(mask[p])) }
                out[c * oh * ow + p] = UInt8(clamping: zp + v)
            }
        }
        return QTensor(channels: x.channels, height: oh, width: ow, zeroPoints: x.zeroPoints, data: out)
    }

    /// `optimized` on tensors.
    public static func optimized(_ x: QTensor, positions: [Int32], height oh: Int, width ow: Int, mask: [UInt8]? = nil,
                                 threads: Int = KernelThreads.count, isa: KernelISA = .current) -> QTensor {
        precondition(positions.count == 2 * oh * ow, "positions do not match the output size")
        precondition(mask.map { $0.count == oh * ow } ?? true, "mask does not match the output size")
        var out = [UInt8](repeating: 0, count: x.channels * oh * ow)
        x.data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                positions.withUnsafeBufferPointer { pos in
                    withOptionalBuffer(mask) { m in
                        optimized(input: src.baseAddress!, channels: x.channels, height: x.height, width: x.width,
                                  zeroPoints: x.zeroPoints, positions: pos.baseAddress!, outputHeight: oh,
                                  outputWidth: ow, mask: m, output: dst.baseAddress!, threads: threads, isa: isa)
                    }
                }
            }
        }
        return QTensor(channels: x.channels, height: oh, width: ow, zeroPoints: x.zeroPoints, data: out)
    }

    /// Output rows in chunks (and, for few chunks, channels in groups) over threads, each sampled
    /// by the vector kernel of `isa` (`CAGCKernels`; per pixel, the taps and weights computed
    /// once and shared by every channel of the group). Bit-exact with `reference`.
    public static func optimized(input: UnsafePointer<UInt8>, channels: Int, height ih: Int, width iw: Int,
                                 zeroPoints: [Int32], positions: UnsafePointer<Int32>, outputHeight oh: Int,
                                 outputWidth ow: Int, mask: UnsafePointer<UInt8>?, output: UnsafeMutablePointer<UInt8>,
                                 threads: Int, isa: KernelISA = .current) {
        let n = oh * ow
        let rowsPerTask = max(1, 4096 / max(ow, 1))
        let rowTasks = (oh + rowsPerTask - 1) / rowsPerTask
        let channelGroups = min(channels, max(1, (2 * threads + rowTasks - 1) / rowTasks))
        let channelsPerGroup = (channels + channelGroups - 1) / channelGroups
        zeroPoints.withUnsafeBufferPointer { zps in
            parallelFor(rowTasks * channelGroups, threads: threads) { task in
                let rows = task % rowTasks, c0 = (task / rowTasks) * channelsPerGroup
                let count = min(channelsPerGroup, channels - c0)
                guard count > 0 else { return }
                let p0 = rows * rowsPerTask * ow, p1 = min(oh, (rows + 1) * rowsPerTask) * ow
                agc_grid_sample_u8(isa.cValue, input + c0 * ih * iw, Int32(count), Int32(ih), Int32(iw), zps.baseAddress! + c0,
                                   positions + 2 * p0, Int32(p1 - p0), mask.map { $0 + p0 }, output + c0 * n + p0, n)
            }
        }
    }

    /// `positions(flow:height:width:)` written into `out` (2 x height x width values), rows
    /// over threads.
    public static func positions(flow: UnsafePointer<Int32>, height: Int, width: Int, into out: UnsafeMutablePointer<Int32>,
                                 threads: Int) {
        let rowsPerTask = max(1, 4096 / max(width, 1))
        let tasks = (height + rowsPerTask - 1) / rowsPerTask
        parallelFor(tasks, threads: threads) { task in
            let p0 = task * rowsPerTask * width, p1 = min(height, (task + 1) * rowsPerTask) * width
            agc_grid_positions_flow(flow, Int32(height), Int32(width), Int32(p0), Int32(p1), out + 2 * p0)
        }
    }

    /// `positions(shiftX:shiftY:height:width:)` written into `out`.
    public static func positions(shiftX: Int32, shiftY: Int32, height: Int, width: Int, into out: UnsafeMutablePointer<Int32>) {
        agc_grid_positions_shift(shiftX, shiftY, Int32(height), Int32(width), out)
    }
}
