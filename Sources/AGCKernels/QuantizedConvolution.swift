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
    /// Weights widened once, [out][in][tap] (the optimised kernel's operand).
    let wideWeights: [Int32]

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
        wideWeights = weights.map { Int32($0) }
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
    /// plus the rescaled residual, requantized and clamped, then pooled.
    public func reference(_ x: QTensor, residual r: QTensor? = nil) -> QTensor {
        precondition(x.channels == inChannels, "convolution expects \(inChannels) channels, got \(x.channels)")
        precondition((r == nil) == (residual == nil), "a residual map goes with a residual add")
        let src = upsampleInput ? x.upsampledNearest2x() : x
        let h = src.height, w = src.width, k = kernelSize, pad = k / 2
        var out = [UInt8](repeating: 0, count: outChannels * h * w)
        for o in 0..<outChannels {
            for y in 0..<h {
                for xx in 0..<w {
                    var acc = bias[o]
                    for i in 0..<inChannels {
                        for ky in 0..<k {
                            let sy = y + ky - pad
                            guard sy >= 0 && sy < h else { continue }
                            for kx in 0..<k {
                                let sx = xx + kx - pad
                                guard sx >= 0 && sx < w else { continue }
                                let v = Int32(src.data[(i * h + sy) * w + sx]) - src.zeroPoints[i]
                                acc += Int32(weights[((o * inChannels + i) * k + ky) * k + kx]) * v
                            }
                        }
                    }
                    if let add = residual, let r {
                        let v = Int32(r.data[(o * h + y) * w + xx]) - r.zeroPoints[o]
                        acc += FixedPoint.multiply(v, multiplier: add.multiplier[o], shift: add.shift[o])
                    }
                    out[(o * h + y) * w + xx] = requantization.apply(acc, channel: o)
                }
            }
        }
        let result = QTensor(channels: outChannels, height: h, width: w, zeroPoint: requantization.outputZeroPoint, data: out)
        return poolOutput ? result.averagePooled(2) : result
    }

    /// `optimized` on tensors (tests and the float-free reference tools).
    public func optimized(_ x: QTensor, residual r: QTensor? = nil, threads: Int = KernelThreads.count) -> QTensor {
        precondition(x.channels == inChannels, "convolution expects \(inChannels) channels, got \(x.channels)")
        precondition((r == nil) == (residual == nil), "a residual map goes with a residual add")
        let size = outputSize(height: x.height, width: x.width)
        var out = [UInt8](repeating: 0, count: outChannels * size.height * size.width)
        let bias = correctedBias(inputZeroPoints: x.zeroPoints)
        x.data.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                if let r {
                    r.data.withUnsafeBufferPointer { res in
                        optimized(input: input.baseAddress!, height: x.height, width: x.width, zeroPoints: x.zeroPoints,
                                  correctedBias: bias, residual: res.baseAddress!, residualZeroPoints: r.zeroPoints,
                                  output: output.baseAddress!, threads: threads)
                    }
                } else {
                    optimized(input: input.baseAddress!, height: x.height, width: x.width, zeroPoints: x.zeroPoints,
                              correctedBias: bias, residual: nil, residualZeroPoints: [],
                              output: output.baseAddress!, threads: threads)
                }
            }
        }
        return QTensor(channels: outChannels, height: size.height, width: size.width,
                       zeroPoint: requantization.outputZeroPoint, data: out)
    }

    /// The engine's way, bit-exact with `reference`: the (upsampled) input is laid out once as
    /// 16-bit planes padded with each channel's zero point, raw products summed in 16-lane INT32
    /// vectors for four output channels and one or two rows at a time (two when the output is
    /// pooled), the zero-point correction already in `correctedBias`; tasks over threads.
    public func optimized(input: UnsafePointer<UInt8>, height ih: Int, width iw: Int, zeroPoints: [Int32],
                          correctedBias: [Int32], residual: UnsafePointer<UInt8>?, residualZeroPoints: [Int32],
                          output: UnsafeMutablePointer<UInt8>, threads: Int) {
        precondition(zeroPoints.count == inChannels && correctedBias.count == outChannels)
        precondition((residual == nil) == (self.residual == nil), "a residual map goes with a residual add")
        let up = upsampleInput ? 2 : 1
        let h = ih * up, w = iw * up, k = kernelSize, pad = k / 2, taps = k * k
        let lanes = 16
        let rowStride = (w + 2 * pad + lanes - 1) / lanes * lanes + lanes
        let rowsPadded = h + 2 * pad
        let planeSize = rowsPadded * rowStride
        let cin = inChannels, cout = outChannels
        var padded = [Int16](repeating: 0, count: cin * planeSize)
        padded.withUnsafeMutableBufferPointer { buf in
            let p = buf.baseAddress!
            parallelFor(cin, threads: threads) { i in
                let plane = p + i * planeSize
                plane.update(repeating: Int16(zeroPoints[i]), count: planeSize)
                for y in 0..<h {
                    let src = input + (i * ih + y / up) * iw
                    let dst = plane + (y + pad) * rowStride + pad
                    if up == 1 {
                        for x in 0..<w { dst[x] = Int16(src[x]) }
                    } else {
                        for x in 0..<w { dst[x] = Int16(src[x >> 1]) }
                    }
                }
            }
        }
        let rows = poolOutput ? 2 : 1
        let blocks = (cout + 3) / 4
        let rowGroups = h / rows
        let rq = requantization, add = self.residual
        let ow = poolOutput ? w / 2 : w
        let oh = poolOutput ? h / 2 : h
        padded.withUnsafeBufferPointer { pbuf in
            wideWeights.withUnsafeBufferPointer { wbuf in
                let pin = pbuf.baseAddress!, wts = wbuf.baseAddress!
                parallelFor(blocks * rowGroups, threads: threads) { task in
                    let block = task / rowGroups, group = task % rowGroups
                    let y0 = group * rows
                    let channels = (0..<4).map { min(block * 4 + $0, cout - 1) }
                    let w0 = wts + channels[0] * cin * taps, w1 = wts + channels[1] * cin * taps
                    let w2 = wts + channels[2] * cin * taps, w3 = wts + channels[3] * cin * taps
                    var values = [Int32](repeating: 0, count: 4 * rows * lanes)
                    var x0 = 0
                    while x0 < w {
                        var a00 = SIMD16<Int32>(repeating: correctedBias[channels[0]]), a10 = a00
                        var a01 = SIMD16<Int32>(repeating: correctedBias[channels[1]]), a11 = a01
                        var a02 = SIMD16<Int32>(repeating: correctedBias[channels[2]]), a12 = a02
                        var a03 = SIMD16<Int32>(repeating: correctedBias[channels[3]]), a13 = a03
                        for i in 0..<cin {
                            let plane = pin + i * planeSize
                            let wi = i * taps
                            for ky in 0..<k {
                                let row0 = plane + (y0 + ky) * rowStride + x0
                                for kx in 0..<k {
                                    let t = wi + ky * k + kx
                                    let v0 = SIMD16<Int32>(truncatingIfNeeded: UnsafeRawPointer(row0 + kx).loadUnaligned(as: SIMD16<Int16>.self))
                                    a00 &+= v0 &* w0[t]
                                    a01 &+= v0 &* w1[t]
                                    a02 &+= v0 &* w2[t]
                                    a03 &+= v0 &* w3[t]
                                    if rows == 2 {
                                        let v1 = SIMD16<Int32>(truncatingIfNeeded: UnsafeRawPointer(row0 + rowStride + kx).loadUnaligned(as: SIMD16<Int16>.self))
                                        a10 &+= v1 &* w0[t]
                                        a11 &+= v1 &* w1[t]
                                        a12 &+= v1 &* w2[t]
                                        a13 &+= v1 &* w3[t]
                                    }
                                }
                            }
                        }
                        let count = min(lanes, w - x0)
                        func stage(_ acc: SIMD16<Int32>, _ j: Int, _ r: Int) {
                            let o = channels[j], y = y0 + r
                            for l in 0..<count {
                                var a = acc[l]
                                if let add, let residual {
                                    let v = Int32(residual[(o * h + y) * w + x0 + l]) - residualZeroPoints[o]
                                    a &+= FixedPoint.multiply(v, multiplier: add.multiplier[o], shift: add.shift[o])
                                }
                                values[(j * rows + r) * lanes + l] = Int32(rq.apply(a, channel: o))
                            }
                        }
                        stage(a00, 0, 0); stage(a01, 1, 0); stage(a02, 2, 0); stage(a03, 3, 0)
                        if rows == 2 { stage(a10, 0, 1); stage(a11, 1, 1); stage(a12, 2, 1); stage(a13, 3, 1) }
                        for j in 0..<4 where block * 4 + j < cout {
                            let o = block * 4 + j
                            if rows == 2 {
                                let top = j * 2 * lanes, bottom = top + lanes
                                for l in stride(from: 0, to: count, by: 2) {
                                    let sum = values[top + l] + values[top + l + 1] + values[bottom + l] + values[bottom + l + 1]
                                    output[(o * oh + y0 / 2) * ow + (x0 + l) / 2] = UInt8((sum + 2) >> 2)
                                }
                            } else {
                                for l in 0..<count { output[(o * oh + y0) * ow + x0 + l] = UInt8(values[j * lanes + l]) }
                            }
                        }
                        x0 += lanes
                    }
                }
            }
        }
    }
}
