import CAGCKernels

/// The element-wise and pooling engines' integer operations, optimised: the C bodies of
/// `CAGCKernels` (vectorised per instruction set, `isa`) with the work split over threads.
/// AGCFPGA's `ElementwiseArithmetic` and `QTensor.averagePooled` are the definitions; these give
/// the same bits.
public enum ElementwiseKernels {
    /// Heatmap planes 1...k (one per keypoint, split over threads) and the shifts; plane 0 (the
    /// background) is the zero point. Keypoints and shifts as in `ElementwiseArithmetic.keypointHeat`.
    public static func keypointHeat(source: [SIMD2<Int32>], driving: [SIMD2<Int32>], units: Int, size r: Int,
                                    table: UnsafePointer<Int32>, tableCount: Int, multiplier: Int32, shift: Int32,
                                    zeroPoint: Int32, heat: UnsafeMutablePointer<UInt8>, shifts: UnsafeMutablePointer<Int32>,
                                    threads: Int, isa: KernelISA = .current) {
        precondition(source.count == driving.count && (2 * units) % r == 0, "keypoint heatmap geometry")
        let n = r * r
        heat.update(repeating: UInt8(zeroPoint), count: n)
        shifts[0] = 0
        shifts[1] = 0
        for (j, (s, d)) in zip(source, driving).enumerated() {
            shifts[2 * (j + 1)] = (s.x - d.x) << 8
            shifts[2 * (j + 1) + 1] = (s.y - d.y) << 8
        }
        parallelFor(source.count, threads: threads) { j in
            let s = source[j], d = driving[j]
            agc_keypoint_heat(isa.cValue, s.x, s.y, d.x, d.y, Int32(units), Int32(r), table, Int32(tableCount), multiplier,
                              shift, zeroPoint, heat + (j + 1) * n)
        }
    }

    /// The softmax-weighted flow, pixels in chunks over threads.
    public static func softmaxFlow(logits: UnsafePointer<UInt8>, channels: Int, count n: Int, table: UnsafePointer<Int32>,
                                   shifts: UnsafePointer<Int32>, flow: UnsafeMutablePointer<Int32>, threads: Int,
                                   isa: KernelISA = .current) {
        let chunk = 1024, tasks = (n + chunk - 1) / chunk
        parallelFor(tasks, threads: threads) { t in
            agc_softmax_flow(isa.cValue, logits, Int32(channels), n, table, shifts, t * chunk, min(n, (t + 1) * chunk), flow)
        }
    }

    /// output[i] = table[input[i]].
    public static func lookup(input: UnsafePointer<UInt8>, count: Int, table: UnsafePointer<Int32>,
                              output: UnsafeMutablePointer<UInt8>, isa: KernelISA = .current) {
        agc_lookup_u8(isa.cValue, input, count, table, output)
    }

    /// Both planes of a flow upsampled bilinearly by `factor`, rows in chunks over threads.
    public static func upsampleFlow(input: UnsafePointer<Int32>, height h: Int, width w: Int, factor f: Int,
                                    output: UnsafeMutablePointer<Int32>, threads: Int, isa: KernelISA = .current) {
        let oh = h * f, rows = max(1, 16384 / max(w * f, 1)), tasks = (oh + rows - 1) / rows
        parallelFor(tasks, threads: threads) { t in
            agc_upsample_flow(isa.cValue, input, Int32(h), Int32(w), Int32(f), Int32(t * rows), Int32(min(oh, (t + 1) * rows)), output)
        }
    }

    /// The rounded `factor` x `factor` average of every channel, channels over threads.
    public static func averagePool(_ input: UnsafePointer<UInt8>, channels: Int, height h: Int, width w: Int, factor f: Int,
                                   output: UnsafeMutablePointer<UInt8>, threads: Int, isa: KernelISA = .current) {
        parallelFor(channels, threads: threads) { c in
            agc_average_pool_u8(isa.cValue, input, Int32(h), Int32(w), Int32(f), Int32(c), Int32(c + 1), output)
        }
    }
}
