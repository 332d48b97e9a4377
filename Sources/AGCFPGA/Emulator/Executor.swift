import AGCKernels
import Dispatch

/// Executes instruction descriptors against a DDR memory, the way the accelerator does, with
/// integer arithmetic only: the same bytes for any thread count and either kernel set (the
/// optimised kernels, or with `AGC_KERNELS=reference` the scalar definitions they are tested
/// against, so that every end-to-end test can run on both).
///
/// Every descriptor is checked before it runs (opcode, reserved bits, every region it reads or
/// writes inside the memory); a bad one stops the stream with an error and writes nothing.
/// Decoded weights are cached by address: the host writes a program's constants once, and an
/// executor serves one program (the simulated device makes a new one per run).
public final class Executor {
    public let threads: Int
    /// Which kernels run the operations.
    public let kernels: KernelChoice
    private var convolutions: [UInt32: QuantizedConvolution] = [:]
    /// Constant tables (zero points, biases) read into arrays once per address, so that the
    /// per-frame loop allocates nothing for them.
    private var tables: [UInt32: [Int32]] = [:]
    /// The kernels' working memory, kept from frame to frame.
    private let scratch = ScratchSpace()
    /// The grid-sample engine's positions, kept from frame to frame.
    private let positionScratch = ScratchSpace()
    /// Wall-clock seconds spent per descriptor address, summed over runs (profiling).
    public private(set) var secondsByDescriptor: [Int: Double] = [:]

    public init(threads: Int = KernelThreads.count, kernels: KernelChoice = .current) {
        self.threads = max(1, threads)
        self.kernels = kernels
    }

    /// Runs `count` descriptors starting at byte `address`.
    public func run(descriptorsAt address: Int, count: Int, memory: UnsafeMutableRawBufferPointer) throws {
        for n in 0..<count {
            let at = address + n * Instruction.byteCount
            let instruction = try Instruction.load(from: UnsafeRawBufferPointer(memory), at: at)
            let start = DispatchTime.now().uptimeNanoseconds
            try execute(instruction, at: at, memory: memory)
            secondsByDescriptor[at, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
    }

    /// Runs one instruction.
    public func execute(_ i: Instruction, at descriptor: Int, memory: UnsafeMutableRawBufferPointer) throws {
        let base = memory.baseAddress!
        func region(_ address: UInt32, _ bytes: Int, _ what: String) throws -> UnsafeMutableRawPointer {
            guard bytes >= 0, Int(address) + bytes <= memory.count else {
                throw AcceleratorError.outOfBounds(address: Int(address), "\(what) of the descriptor at \(descriptor) (\(bytes) bytes)")
            }
            return base + Int(address)
        }
        func bytes(_ a: UInt32, _ n: Int, _ what: String) throws -> UnsafeMutablePointer<UInt8> {
            try region(a, n, what).assumingMemoryBound(to: UInt8.self)
        }
        func words(_ a: UInt32, _ n: Int, _ what: String) throws -> UnsafeMutablePointer<Int32> {
            guard a % 4 == 0 else { throw AcceleratorError.badDescriptor(address: descriptor, "\(what) is not word-aligned") }
            return try region(a, 4 * n, what).assumingMemoryBound(to: Int32.self)
        }
        let cin = Int(i.inChannels), cout = Int(i.outChannels), h = Int(i.height), w = Int(i.width)
        let (oh, ow) = i.outputSize
        guard h > 0, w > 0 else { throw AcceleratorError.badDescriptor(address: descriptor, "empty map") }
        let reference = kernels == .reference
        switch i.opcode {
        case .keypoints:
            let k = Int(i.keypointCount), units = Compiler.keypointUnits
            guard cout == k + 1, h == w, (2 * units) % h == 0 else {
                throw AcceleratorError.badDescriptor(address: descriptor, "keypoint heatmap geometry")
            }
            let kp = try words(i.aux, 4 * k, "keypoints")
            let points = (0..<(2 * k)).map { SIMD2(kp[2 * $0], kp[2 * $0 + 1]) }
            let (source, driving) = (Array(points[0..<k]), Array(points[k...]))
            let table = try words(i.weights, 2 * units + 1, "Gaussian table")
            let heat = try bytes(i.output, cout * h * w, "heatmaps"), shifts = try words(i.bias, 2 * cout, "shifts")
            let zp = Int32(i.outputZeroPoint)
            if reference {
                ElementwiseArithmetic.keypointHeat(source: source, driving: driving, units: units, size: h, table: table,
                                                   tableCount: 2 * units + 1, multiplier: i.multiplier, shift: i.shift,
                                                   zeroPoint: zp, heat: heat, shifts: shifts)
            } else {
                ElementwiseKernels.keypointHeat(source: source, driving: driving, units: units, size: h, table: table,
                                                tableCount: 2 * units + 1, multiplier: i.multiplier, shift: i.shift,
                                                zeroPoint: zp, heat: heat, shifts: shifts, threads: threads)
            }
        case .averagePool:
            let f = Int(i.factor)
            guard f > 0, h % f == 0, w % f == 0 else { throw AcceleratorError.badDescriptor(address: descriptor, "pooling factor") }
            let src = try bytes(i.input, cin * h * w, "input"), dst = try bytes(i.output, cin * oh * ow, "output")
            if reference {
                store(map(src, channels: cin, height: h, width: w, zeroPoints: Array(repeating: 0, count: cin)).averagePooled(f), dst)
            } else {
                ElementwiseKernels.averagePool(src, channels: cin, height: h, width: w, factor: f, output: dst, threads: threads)
            }
        case .gridShift:
            let shifts = Int(i.keypointCount)
            guard cout == cin * shifts else { throw AcceleratorError.badDescriptor(address: descriptor, "grid-shift channels") }
            let src = try bytes(i.input, cin * h * w, "input"), dst = try bytes(i.output, cout * h * w, "output")
            let table = try words(i.bias, 2 * shifts, "shifts"), zp = try constants(i.zeroPoints, cin, "zero points", words)
            if reference {
                let x = map(src, channels: cin, height: h, width: w, zeroPoints: zp)
                for k in 0..<shifts {
                    let positions = QuantizedGridSample.positions(shiftX: table[2 * k], shiftY: table[2 * k + 1], height: h, width: w)
                    store(QuantizedGridSample.reference(x, positions: positions, height: h, width: w), dst + k * cin * h * w)
                }
                return
            }
            // One task per shift (all channels: the taps computed once per pixel), shifts over threads.
            let positions = positionScratch.int32s(shifts * 2 * h * w)
            parallelFor(shifts, threads: threads) { k in
                let at = positions + k * 2 * h * w
                QuantizedGridSample.positions(shiftX: table[2 * k], shiftY: table[2 * k + 1], height: h, width: w, into: at)
                QuantizedGridSample.optimized(input: src, channels: cin, height: h, width: w, zeroPoints: zp,
                                              positions: at, outputHeight: h, outputWidth: w, mask: nil,
                                              output: dst + k * cin * h * w, threads: 1)
            }
        case .convolution:
            let conv = try convolution(i, descriptor: descriptor, words: words, bytes: bytes)
            let src = try bytes(i.input, cin * h * w, "input"), dst = try bytes(i.output, cout * oh * ow, "output")
            let zp = try constants(i.zeroPoints, cin, "zero points", words)
            var residual: UnsafeMutablePointer<UInt8>?
            var residualZeroPoints: [Int32] = []
            let (rh, rw) = i.flags.contains(.poolOutput) ? (2 * oh, 2 * ow) : (oh, ow)
            if i.flags.contains(.residual) {
                residual = try bytes(i.aux, cout * rh * rw, "residual")
                residualZeroPoints = try constants(i.aux3, cout, "residual zero points", words)
            }
            if reference {
                let r = residual.map { map($0, channels: cout, height: rh, width: rw, zeroPoints: residualZeroPoints) }
                store(conv.reference(map(src, channels: cin, height: h, width: w, zeroPoints: zp), residual: r), dst)
                return
            }
            let bias = try constants(i.bias, cout, "bias", words)
            conv.optimized(input: src, height: h, width: w, zeroPoints: zp, correctedBias: bias, residual: residual,
                           residualZeroPoints: residualZeroPoints, output: dst, threads: threads, scratch: scratch)
        case .softmaxFlow:
            let logits = try bytes(i.input, cin * h * w, "logits"), table = try words(i.weights, 256, "exp table")
            let shifts = try words(i.bias, 2 * cin, "shifts"), flow = try words(i.output, 2 * h * w, "flow")
            if reference {
                ElementwiseArithmetic.softmaxFlow(logits: logits, channels: cin, count: h * w, table: table, shifts: shifts, flow: flow)
            } else {
                ElementwiseKernels.softmaxFlow(logits: logits, channels: cin, count: h * w, table: table, shifts: shifts, flow: flow,
                                               threads: threads)
            }
        case .lookup:
            let src = try bytes(i.input, cin * h * w, "input"), table = try words(i.weights, 256, "table")
            let dst = try bytes(i.output, cin * h * w, "output")
            if reference {
                ElementwiseArithmetic.lookup(input: src, count: cin * h * w, table: table, output: dst)
            } else {
                ElementwiseKernels.lookup(input: src, count: cin * h * w, table: table, output: dst)
            }
        case .upsampleFlow:
            guard i.factor > 0 else { throw AcceleratorError.badDescriptor(address: descriptor, "upsampling factor") }
            let src = try words(i.input, 2 * h * w, "flow"), dst = try words(i.output, 2 * oh * ow, "output")
            if reference {
                ElementwiseArithmetic.upsampleFlow(input: src, height: h, width: w, factor: Int(i.factor), output: dst)
            } else {
                ElementwiseKernels.upsampleFlow(input: src, height: h, width: w, factor: Int(i.factor), output: dst, threads: threads)
            }
        case .gridFlow:
            let src = try bytes(i.input, cin * h * w, "input"), dst = try bytes(i.output, cin * h * w, "output")
            let zp = try constants(i.zeroPoints, cin, "zero points", words)
            let mask = i.flags.contains(.mask) ? try bytes(i.aux2, h * w, "mask") : nil
            let flow = try words(i.aux, 2 * h * w, "flow")
            if reference {
                let positions = QuantizedGridSample.positions(flow: flow, height: h, width: w)
                store(QuantizedGridSample.reference(map(src, channels: cin, height: h, width: w, zeroPoints: zp), positions: positions,
                                                    height: h, width: w, mask: mask.map { Array(UnsafeBufferPointer(start: $0, count: h * w)) }),
                      dst)
                return
            }
            let positions = positionScratch.int32s(2 * h * w)
            QuantizedGridSample.positions(flow: flow, height: h, width: w, into: positions, threads: threads)
            QuantizedGridSample.optimized(input: src, channels: cin, height: h, width: w, zeroPoints: zp,
                                          positions: positions, outputHeight: h, outputWidth: w,
                                          mask: mask.map { UnsafePointer($0) }, output: dst, threads: threads)
        }
    }

    /// `count` words of a constant table at `address` (checked like every region), read once.
    private func constants(_ address: UInt32, _ count: Int, _ what: String,
                           _ words: (UInt32, Int, String) throws -> UnsafeMutablePointer<Int32>) throws -> [Int32] {
        if let cached = tables[address], cached.count == count { return cached }
        let table = Array(UnsafeBufferPointer(start: try words(address, count, what), count: count))
        tables[address] = table
        return table
    }

    /// A map in DDR as a tensor (the reference kernels' input).
    private func map(_ p: UnsafeMutablePointer<UInt8>, channels: Int, height: Int, width: Int, zeroPoints: [Int32]) -> QTensor {
        QTensor(channels: channels, height: height, width: width, zeroPoints: zeroPoints,
                data: Array(UnsafeBufferPointer(start: p, count: channels * height * width)))
    }

    /// A tensor's bytes written to DDR.
    private func store(_ t: QTensor, _ p: UnsafeMutablePointer<UInt8>) {
        t.data.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: $0.count) }
    }

    private func convolution(_ i: Instruction, descriptor: Int,
                             words: (UInt32, Int, String) throws -> UnsafeMutablePointer<Int32>,
                             bytes: (UInt32, Int, String) throws -> UnsafeMutablePointer<UInt8>) throws -> QuantizedConvolution {
        if let cached = convolutions[i.weights], cached.inChannels == Int(i.inChannels), cached.outChannels == Int(i.outChannels),
           cached.upsampleInput == i.flags.contains(.upsampleInput), cached.poolOutput == i.flags.contains(.poolOutput) {
            return cached
        }
        let cin = Int(i.inChannels), cout = Int(i.outChannels), k = Int(i.factor)
        guard k == 3 else { throw AcceleratorError.badDescriptor(address: descriptor, "kernel size \(k): the engine runs 3x3") }
        let w = try bytes(i.weights, cout * cin * k * k, "weights")
        let weights = (0..<(cout * cin * k * k)).map { Int8(bitPattern: w[$0]) }
        let rq = try words(i.requantization, 2 * cout, "requantization")
        let requantization = Requantization(multiplier: (0..<cout).map { rq[2 * $0] }, shift: (0..<cout).map { rq[2 * $0 + 1] },
                                            outputZeroPoint: Int32(i.outputZeroPoint), minimum: Int32(i.clampMin),
                                            maximum: Int32(i.clampMax))
        var residual: ResidualAdd?
        if i.flags.contains(.residual) {
            let r = try words(i.aux2, 2 * cout, "residual rescaling")
            residual = ResidualAdd(multiplier: (0..<cout).map { r[2 * $0] }, shift: (0..<cout).map { r[2 * $0 + 1] })
        }
        // DDR holds the bias with the input zero points' share taken out (what the engine adds to
        // raw products); the layer's own bias, which the reference definition starts from, puts it back.
        let corrected = try words(i.bias, cout, "bias")
        let zp = try words(i.zeroPoints, cin, "zero points")
        let bias = (0..<cout).map { o in
            (0..<cin).reduce(corrected[o]) { b, c in b &+ zp[c] &* (0..<9).reduce(Int32(0)) { $0 + Int32(weights[(o * cin + c) * 9 + $1]) } }
        }
        let conv = QuantizedConvolution(outChannels: cout, inChannels: cin, kernelSize: k, weights: weights, bias: bias,
                                        requantization: requantization, upsampleInput: i.flags.contains(.upsampleInput),
                                        poolOutput: i.flags.contains(.poolOutput), residual: residual)
        convolutions[i.weights] = conv
        return conv
    }
}
