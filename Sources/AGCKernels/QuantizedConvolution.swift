import CAGCKernels

/// The residual add fused into a convolution's output stage: the residual map (same shape as the
/// convolution's output) is rescaled to accumulator units, per output channel, and added to the
/// accumulator before requantization.
public struct ResidualAdd: Sendable {
    public var multiplier: [Int32]
    public var shift: [Int32]

    public init(multiplier: [Int32], shift: [Int32]) {
        precondition(multiplier.count == shift.count)
        self.multiplier = multiplier
        self.shift = shift
    }
}

/// An INT8 convolution as the convolution engine runs it: stride 1, "same" padding with each
/// input channel's zero point (real zero), unsigned 8-bit activations, signed 8-bit weights
/// symmetric per output channel, INT32 bias and accumulator, requantized per output channel
/// (`FixedPoint`), a ReLU as the clamp. Fused stages: 2x nearest upsampling of the input (in the
/// addressing), a residual add in the accumulator, 2x2 average pooling of the output.
public struct QuantizedConvolution: Sendable {
    public let outChannels: Int
    public let inChannels: Int
    public let kernelSize: Int
    /// [out][in][ky][kx]
    public let weights: [Int8]
    /// Bias in accumulator units.
    public let bias: [Int32]
    public let requantization: Requantization
    public var upsampleInput: Bool
    public var poolOutput: Bool
    public var residual: ResidualAdd?
    /// Weights packed once for the vector kernels: four input channels' bytes per int32, in blocks
    /// of eight output channels, [out / 8][group of four inputs][tap][out % 8] (3x3 kernels only;
    /// empty otherwise).
    let packedWeights: [Int32]
    /// The same split into 16-bit pairs for the AVX2 kernel, two words per packed word.
    let pairedWeights: [Int32]

    public init(outChannels: Int, inChannels: Int, kernelSize: Int, weights: [Int8], bias: [Int32],
                requantization: Requantization, upsampleInput: Bool = false, poolOutput: Bool = false,
                residual: ResidualAdd? = nil) {
        precondition(kernelSize % 2 == 1, "only odd kernel sizes are supported")
        precondition(weights.count == outChannels * inChannels * kernelSize * kernelSize, "weight count")
        precondition(bias.count == outChannels && requantization.multiplier.count == outChannels, "per-channel counts")
        precondition(residual.map { $0.multiplier.count == outChannels } ?? true, "residual per-channel counts")
        self.outChannels = outChannels
        self.inChannels = inChannels
        self.kernelSize = kernelSize
        self.weights = weights
        self.bias = bias
        self.requantization = requantization
        self.upsampleInput = upsampleInput
        self.poolOutput = poolOutput
        self.residual = residual
        packedWeights = kernelSize == 3
            ? InterleavedLayout.packWeights(weights, outChannels: outChannels, inChannels: inChannels) : []
        pairedWeights = InterleavedLayout.pairWeights(packedWeights)
    }

    /// Output height and width for an input of `height` x `width`.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        let scale = upsampleInput ? 2 : 1
        return poolOutput ? (height * scale / 2, width * scale / 2) : (height * scale, width * scale)
    }

    /// The bias with the input zero points' contribution taken out, so that an engine which pads
    /// with the zero points can sum raw products: bias - sum over inputs of zp x (sum of taps).
    public func correctedBias(inputZeroPoints zp: [Int32]) -> [Int32] {
        precondition(zp.count == inChannels)
        let taps = kernelSize * kernelSize
        return (0..<outChannels).map { o in
            var b = bias[o]
            for i in 0..<inChannels {
                let base = (o * inChannels + i) * taps
                b -= zp[i] * (0..<taps).reduce(Int32(0)) { $0 + Int32(weights[base + $1]) }
            }
            return b
        }
    }

    public func callAsFunction(_ x: QTensor, residual r: QTensor? = nil) -> QTensor {
        switch KernelChoice.current {
        case .reference: return reference(x, residual: r)
        case .optimized: return optimized(x, residual: r)
        }
    }

    /// Plain scalar definition: acc = bias + sum w * (x - zp_in) (padding contributes zero),
    /// plus the rescaled residual, requantized and clamped, then pooled. One output plane at a
    /// time: each tap adds its weight times the shifted input plane over the rows and columns
    /// where the tap lands inside the map.
    public func reference(_ x: QTensor, residual r: QTensor? = nil) -> QTensor {
        precondition(x.channels == inChannels, "convolution expects \(inChannels) channels, got \(x.channels)")
        precondition((r == nil) == (residual == nil), "a residual map goes with a residual add")
        let src = upsampleInput ? x.upsampledNearest2x() : x
        let h = src.height, w = src.width, k = kernelSize, pad = k / 2
        var out = [UInt8](repeating: 0, count: outChannels * h * w)
        var acc = [Int32](repeating: 0, count: h * w)
        for o in 0..<outChannels {
            for p in 0..<(h * w) { acc[p] = bias[o] }
            for i in 0..<inChannels {
                let zp = src.zeroPoints[i], plane = i * h * w
                for ky in 0..<k {
                    for kx in 0..<k {
                        let weight = Int32(weights[((o * inChannels + i) * k + ky) * k + kx])
                        let dy = ky - pad, dx = kx - pad
                        for y in max(0, -dy)..<min(h, h - dy) {
                            for xx in max(0, -dx)..<min(w, w - dx) {
                                acc[y * w + xx] += weight * (Int32(src.data[plane + (y + dy) * w + xx + dx]) - zp)
                            }
                        }
                    }
                }
            }
            for p in 0..<(h * w) {
                var a = acc[p]
                if let add = residual, let r {
                    let v = Int32(r.data[o * h * w + p]) - r.zeroPoints[o]
                    a += FixedPoint.multiply(v, multiplier: add.multiplier[o], shift: add.shift[o])
                }
                out[o * h * w + p] = requantization.apply(a, channel: o)
            }
        }
        let result = QTensor(channels: outChannels, height: h, width: w, zeroPoint: requantization.outputZeroPoint, data: out)
        return poolOutput ? result.averagePooled(2) : result
    }

    /// `optimized` on tensors (tests and the float-free reference tools).
    public func optimized(_ x: QTensor, residual r: QTensor? = nil, threads: Int = KernelThreads.count,
                          isa: KernelISA = .current) -> QTensor {
        precondition(x.channels == inChannels, "convolution expects \(inChannels) channels, got \(x.channels)")
        precondition((r == nil) == (residual == nil), "a residual map goes with a residual add")
        let size = outputSize(height: x.height, width: x.width)
        var out = [UInt8](repeating: 0, count: outChannels * size.height * size.width)
        let bias = correctedBias(inputZeroPoints: x.zeroPoints)
        x.data.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                withOptionalBuffer(r?.data) { res in
                    optimized(input: input.baseAddress!, height: x.height, width: x.width, zeroPoints: x.zeroPoints,
                              correctedBias: bias, residual: res, residualZeroPoints: r?.zeroPoints ?? [],
                              output: output.baseAddress!, threads: threads, isa: isa)
                }
            }
        }
        return QTensor(channels: outChannels, height: size.height, width: size.width,
                       zeroPoint: requantization.outputZeroPoint, data: out)
    }

    /// The engine's way, bit-exact with `reference`: the (upsampled) input laid out once with a
    /// one-pixel border of each channel's zero point and channels interleaved in fours, so that
    /// one 32-bit lane holds four channels of a pixel; INT32 accumulators for eight output
    /// channels and one or two rows at a time by the vector kernel of `isa` (`CAGCKernels`, the
    /// zero-point correction already in `correctedBias`); then the output stage (residual,
    /// requantization, pooling). Tasks over threads.
    public func optimized(input: UnsafePointer<UInt8>, height ih: Int, width iw: Int, zeroPoints: [Int32],
                          correctedBias: [Int32], residual: UnsafePointer<UInt8>?, residualZeroPoints: [Int32],
                          output: UnsafeMutablePointer<UInt8>, threads: Int, isa: KernelISA = .current,
                          scratch: ScratchSpace? = nil) {
        precondition(kernelSize == 3, "the vector kernels are 3x3")
        precondition(zeroPoints.count == inChannels && correctedBias.count == outChannels)
        precondition((residual == nil) == (self.residual == nil), "a residual map goes with a residual add")
        let up = upsampleInput ? 2 : 1
        let h = ih * up, w = iw * up
        let layout = InterleavedLayout(channels: inChannels, height: h, width: w)
        // The laid-out input lives in the caller's scratch space when it has one (no allocation,
        // no page faults, per frame), else in a buffer of its own.
        let space = scratch ?? ScratchSpace()
        let buffer = space.bytes(layout.bytes)
        zeroPoints.withUnsafeBufferPointer { zp in
            parallelFor(layout.groups, threads: threads) { g in
                agc_pack_interleaved(input, Int32(inChannels), Int32(ih), Int32(iw), Int32(up), zp.baseAddress!,
                                     buffer, Int32(g), Int32(g + 1), Int32(layout.paddedRows), Int32(layout.rowPixels))
            }
        }
        let packed = UnsafeBufferPointer(start: UnsafePointer(buffer), count: layout.bytes)
        let rows = poolOutput ? 2 : 1
        let blockSize = 8
        let blocks = (outChannels + blockSize - 1) / blockSize
        let rowGroups = h / rows
        let rq = requantization
        let ow = poolOutput ? w / 2 : w, oh = poolOutput ? h / 2 : h
        let cout = outChannels
        let residualMultiplier = self.residual?.multiplier ?? [], residualShift = self.residual?.shift ?? []
        let pbuf = packed
        packedWeights.withUnsafeBufferPointer { wbuf in
            pairedWeights.withUnsafeBufferPointer { pairs in
                correctedBias.withUnsafeBufferPointer { bbuf in
                    parallelFor(blocks * rowGroups, threads: threads) { task in
                        let block = task / rowGroups, y0 = (task % rowGroups) * rows
                        let o0 = block * blockSize, count = min(blockSize, cout - o0), weightsAt = o0 * layout.groups * 9
                        agc_conv3x3_block(isa.cValue, pbuf.baseAddress!, Int32(layout.groups), Int32(layout.paddedRows),
                                          Int32(layout.rowPixels), Int32(y0), Int32(rows), Int32(w), wbuf.baseAddress! + weightsAt,
                                          pairs.baseAddress! + 2 * weightsAt, bbuf.baseAddress! + o0, Int32(count), Int32(o0),
                                          rq.multiplier, rq.shift, rq.outputZeroPoint, rq.minimum, rq.maximum,
                                          residual.map { $0 + (o0 * h + y0) * w }, h * w, residualZeroPoints,
                                          residualMultiplier, residualShift, output + (o0 * oh + y0 / rows) * ow, oh * ow)
                    }
                }
            }
        }
    }
}
