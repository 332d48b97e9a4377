/// Cycles per instruction on the accelerator's RTL as built (`hardware/rtl`), counted from its
/// state machines rather than fitted: each engine's states and the cycles it spends in each, per
/// pixel, tap, channel block or tile, plus the read-cache misses of the memory system.
///
/// A miss costs `RTLMicroarchitecture.missCycles` and happens, in this model, once per 64-byte
/// line per streamed region and phase (an input tile, a block's weights, a plane swept by the grid
/// sampler): the lines a phase touches are counted from the descriptor's addresses and shapes, and
/// no line is assumed to survive from one phase to the next, unless the planes a grid sweep
/// rereads fit the cache together. What the model cannot know is data-dependent: where the grid
/// sampler's taps land (flows, shifts) and which table entries a pixel touches; it assumes taps
/// near their output pixel (each input line fetched once per plane sweep) and, for the engines
/// that keep lines of several regions live at once (grid sampling, softmax flow), prices the
/// conflicts of the direct-mapped cache statistically: each pair of live lines from different
/// regions shares a set with probability 1 / lines, and a pair that does misses twice per pixel.
/// See hardware/README.md for the comparison with the simulated RTL.
struct RTLCycleModel {
    let config: HardwareConfig
    let rtl: RTLMicroarchitecture

    /// Distinct cache lines touched by a sequence of byte ranges visited in address order.
    struct LineCounter {
        let lineBytes: Int
        var lines = 0
        var last = Int.min

        init(lineBytes: Int) { self.lineBytes = lineBytes }

        mutating func touch(_ address: Int, _ count: Int) {
            guard count > 0 else { return }
            let first = address / lineBytes, end = (address + count - 1) / lineBytes
            lines += end - first + 1 - (first == last ? 1 : 0)
            last = end
        }
    }

    func lines(_ address: UInt32, _ count: Int) -> Int {
        var counter = LineCounter(lineBytes: rtl.cacheLineBytes)
        counter.touch(Int(address), count)
        return counter.lines
    }

    /// Cycles of one rounded division by a divisor that is not a power of two (agc_divider: a
    /// start cycle, one restoring step per numerator bit and the bit below, the cycle that sees
    /// done) or that is one (a shift: two cycles), counted from the engine's divide state.
    func division(_ divisor: Int) -> Int {
        divisor > 0 && divisor & (divisor - 1) == 0 ? 2 : rtl.divisionCycles
    }

    /// Expected conflict misses per pixel when `lines` lines of different regions are live at
    /// once (`unrelated` of the pairs cannot conflict: lines of one region next to each other).
    func conflictMisses(pixels: Int, lines: Int, unrelated: Int = 0) -> Int {
        let pairs = lines * (lines - 1) / 2 - unrelated
        return Int((Double(pixels) * 2 * Double(pairs) / Double(rtl.cacheLines)).rounded())
    }

    /// The engine's cycles, the controller's per-descriptor cycles and the misses: the engine's
    /// and one for the next descriptor's line (the controller reads 17 words of 16-word descriptors).
    func cost(of i: Instruction, index: Int) -> InstructionCost {
        let (work, misses, written) = count(i)
        let total = work + rtl.descriptorCycles + (misses + 1) * rtl.missCycles
        return InstructionCost(index: index, opcode: "\(i.opcode)", engine: i.opcode.engine.rawValue, macs: i.macs,
                               computeCycles: work, bytesRead: (misses + 1) * rtl.cacheLineBytes, bytesWritten: written,
                               transferCycles: (misses + 1) * rtl.missCycles, cycles: total)
    }

    /// The engine's own cycles without misses, the lines it misses, the bytes it writes.
    func count(_ i: Instruction) -> (work: Int, misses: Int, written: Int) {
        let cin = Int(i.inChannels), cout = Int(i.outChannels), h = Int(i.height), w = Int(i.width)
        let (oh, ow) = i.outputSize
        switch i.opcode {
        case .convolution:
            return convolution(i)
        case .gridShift, .gridFlow:
            // Per pixel: (flow x, flow y,) position, four taps one a cycle, round, (mask,) write.
            let flow = i.opcode == .gridFlow, mask = flow && i.flags.contains(.mask)
            let perPixel = (flow ? 2 : 0) + 1 + 4 + 1 + (mask ? 1 : 0) + 1
            let sweeps = flow ? cin : cin * Int(i.keypointCount)      // plane sweeps: channels (x shifts)
            let plane = lines(i.input, h * w)
            let setup = flow ? cin : Int(i.keypointCount) * (2 + cin)
            if !flow {
                // Shifts sweep the same cin planes again: fetched once when they fit the cache together.
                let planeMisses = cin * plane <= rtl.cacheLines ? cin * plane : sweeps * plane
                return (sweeps * h * w * perPixel + setup, planeMisses + 1, cout * h * w)
            }
            // Live per pixel: flow x, flow y, (mask,) two tap rows of the plane.
            let perSweep = plane + 2 * lines(i.aux, 4 * h * w) + (mask ? lines(i.aux2, h * w) : 0)
            let conflicts = conflictMisses(pixels: sweeps * h * w, lines: mask ? 5 : 4, unrelated: 1)
            return (sweeps * h * w * perPixel + setup, sweeps * perSweep + conflicts, cout * h * w)
        case .upsampleFlow:
            // Per output sample and plane: four reads, six products, the division by (2f)^2, the write.
            let f = Int(i.factor)
            let perSample = 4 + 6 + division(4 * f * f) + 1
            return (2 * oh * ow * perSample, 2 * lines(i.input, 4 * h * w), 8 * oh * ow)
        case .keypoints:
            // Fill the zero-point plane, two zero shifts, then per keypoint its four words and per
            // pixel two table reads, two products, the difference, FixedPoint, clamp, write (and
            // two table reads per row), and its shift pair.
            let r = h, k = Int(i.keypointCount)
            let work = r * r + 2 + k * (4 + r * (2 + 7 * r) + 2)
            return (work, lines(i.aux, 16 * k) + lines(i.weights, 4 * 513), cout * r * r + 8 * cout)
        case .softmaxFlow:
            // Per pixel: the largest logit, then per channel logit, exponential, two products; two divisions.
            // Live per pixel: a line of each logit plane (planes do not conflict: the set index
            // folds their stride in), one of the exponential table, one of the shift table.
            let perPixel = 5 * cin + 2 * (rtl.divisionCycles + 1)
            let conflicts = conflictMisses(pixels: h * w, lines: cin + 2, unrelated: cin * (cin - 1) / 2)
            return (h * w * perPixel, cin * lines(i.input, h * w) + lines(i.weights, 1024) + lines(i.bias, 8 * cin) + conflicts, 8 * h * w)
        case .averagePool:
            // Per output: f x f reads one a cycle, the division by f^2, the write; the controller
            // divides h and w by f first (16 cycles).
            let f = Int(i.factor)
            let work = cin * oh * ow * (f * f + division(f * f) + 1) + 16
            return (work, cin * lines(i.input, h * w), cin * oh * ow)
        case .lookup:
            // Per element: input byte, table word, write.
            return (3 * cin * h * w, lines(i.input, cin * h * w) + lines(i.weights, 1024), cin * h * w)
        }
    }

    /// The convolution engine (agc_conv): per tile and pass of up to `passBlocks` output blocks,
    /// per input block its zero points and input tile one byte a cycle, then per output block
    /// its weights one byte a cycle and the array one pixel and tap a cycle (and four cycles of
    /// pipeline); after the last input block per output block its constants and the output
    /// stage one value a cycle (and seven of pipeline). Nothing overlaps.
    func convolution(_ i: Instruction) -> (work: Int, misses: Int, written: Int) {
        let cin = Int(i.inChannels), cout = Int(i.outChannels), h = Int(i.height), w = Int(i.width)
        let up = i.flags.contains(.upsampleInput) ? 1 : 0, residual = i.flags.contains(.residual)
        let h2 = h << up, w2 = w << up
        let tm = config.tm, tn = config.tn, blocksPerPass = rtl.passBlocks * tm
        let paramWords = residual ? 6 : 3
        var work = 1, misses = 0
        for ty0 in stride(from: 0, to: h2, by: config.tileRows) {
            let r = min(config.tileRows, h2 - ty0)
            for tx0 in stride(from: 0, to: w2, by: config.tileColumns) {
                let c = min(config.tileColumns, w2 - tx0)
                work += 1
                for m0p in stride(from: 0, to: cout, by: blocksPerPass) {
                    work += 1
                    let blocks = stride(from: m0p, to: min(cout, m0p + blocksPerPass), by: tm).map { ($0, min(tm, cout - $0)) }
                    for n0 in stride(from: 0, to: cin, by: tn) {
                        let nb = min(tn, cin - n0)
                        work += 1 + nb + nb * (r + 2) * (c + 2)
                        misses += lines(i.zeroPoints &+ UInt32(4 * n0), 4 * nb)
                        misses += inputTileLines(i, n0: n0, nb: nb, ty0: ty0, tx0: tx0, r: r, c: c, h2: h2, w2: w2, up: up)
                        for (m0, mb) in blocks {
                            work += 1 + mb * nb * 9 + 9 * r * c + 5
                            var weights = LineCounter(lineBytes: rtl.cacheLineBytes)
                            for m in m0..<(m0 + mb) { weights.touch(Int(i.weights) + ((m * cin) + n0) * 9, nb * 9) }
                            misses += weights.lines
                        }
                    }
                    for (m0, mb) in blocks {
                        work += 1 + mb * paramWords + mb * r * c + 8
                        misses += lines(i.bias &+ UInt32(4 * m0), 4 * mb) + lines(i.requantization &+ UInt32(8 * m0), 8 * mb)
                        if residual {
                            misses += lines(i.aux2 &+ UInt32(8 * m0), 8 * mb) + lines(i.aux3 &+ UInt32(4 * m0), 4 * mb)
                            for m in m0..<(m0 + mb) {
                                var rows = LineCounter(lineBytes: rtl.cacheLineBytes)
                                for y in ty0..<(ty0 + r) { rows.touch(Int(i.aux) + m * h2 * w2 + y * w2 + tx0, c) }
                                misses += rows.lines
                            }
                        }
                    }
                }
            }
        }
        let (oh, ow) = i.outputSize
        return (work, misses, cout * oh * ow)
    }

    /// Lines an input tile load reads: per channel of the block, the in-map source rows of the
    /// tile and its one-pixel border (each source row once, also when upsampled).
    func inputTileLines(_ i: Instruction, n0: Int, nb: Int, ty0: Int, tx0: Int, r: Int, c: Int, h2: Int, w2: Int, up: Int) -> Int {
        let h = Int(i.height), w = Int(i.width)
        let y0 = max(ty0 - 1, 0) >> up, y1 = min(ty0 + r, h2 - 1) >> up
        let x0 = max(tx0 - 1, 0) >> up, x1 = min(tx0 + c, w2 - 1) >> up
        var total = 0
        for n in n0..<(n0 + nb) {
            var rows = LineCounter(lineBytes: rtl.cacheLineBytes)
            for y in y0...y1 { rows.touch(Int(i.input) + n * h * w + y * w + x0, x1 - x0 + 1) }
            total += rows.lines
        }
        return total
    }
}
