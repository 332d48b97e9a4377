/// An 8-bit activation map: `channels` planes of `height` x `width` unsigned bytes (CHW) with a
/// zero point (the byte that stands for real zero) and, for documentation, its real scale.
public struct QTensor: Sendable, Equatable {
    public var channels: Int
    public var height: Int
    public var width: Int
    public var zeroPoint: Int32
    public var data: [UInt8]

    public init(channels: Int, height: Int, width: Int, zeroPoint: Int32, data: [UInt8]) {
        precondition(data.count == channels * height * width, "tensor data does not match its shape")
        self.channels = channels
        self.height = height
        self.width = width
        self.zeroPoint = zeroPoint
        self.data = data
    }
}

/// An INT8 convolution (stride 1, "same" padding with the input's zero point): unsigned 8-bit
/// activations, signed 8-bit weights symmetric per output channel, INT32 bias and accumulator,
/// requantized per output channel (`FixedPoint`), an optional ReLU as the clamp.
public struct QuantizedConvolution: Sendable {
    public let outChannels: Int
    public let inChannels: Int
    public let kernelSize: Int
    /// [out][in][ky][kx]
    public let weights: [Int8]
    /// Bias in accumulator units (input scale x weight scale).
    public let bias: [Int32]
    public let requantization: Requantization
    /// Sum of each output channel's weights (for the input zero-point correction).
    let weightSums: [Int32]

    public init(outChannels: Int, inChannels: Int, kernelSize: Int, weights: [Int8], bias: [Int32],
                requantization: Requantization) {
        precondition(kernelSize % 2 == 1, "only odd kernel sizes are supported")
        precondition(weights.count == outChannels * inChannels * kernelSize * kernelSize, "weight count")
        precondition(bias.count == outChannels && requantization.multiplier.count == outChannels, "per-channel counts")
        self.outChannels = outChannels
        self.inChannels = inChannels
        self.kernelSize = kernelSize
        self.weights = weights
        self.bias = bias
        self.requantization = requantization
        let n = inChannels * kernelSize * kernelSize
        weightSums = (0..<outChannels).map { o in weights[(o * n)..<((o + 1) * n)].reduce(Int32(0)) { $0 + Int32($1) } }
    }

    public func callAsFunction(_ x: QTensor) -> QTensor {
        switch KernelChoice.current {
        case .reference: return reference(x)
        case .optimized: return optimized(x)
        }
    }

    /// Plain scalar definition: acc = bias + sum w * (x - zp_in), padding contributes zero.
    public func reference(_ x: QTensor) -> QTensor {
        precondition(x.channels == inChannels, "convolution expects \(inChannels) channels, got \(x.channels)")
        let h = x.height, w = x.width, k = kernelSize, pad = k / 2
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
                                let v = Int32(x.data[(i * h + sy) * w + sx]) - x.zeroPoint
                                acc += Int32(weights[((o * inChannels + i) * k + ky) * k + kx]) * v
                            }
                        }
                    }
                    out[(o * h + y) * w + xx] = requantization.apply(acc, channel: o)
                }
            }
        }
        return QTensor(channels: outChannels, height: h, width: w, zeroPoint: requantization.outputZeroPoint, data: out)
    }

    /// Input padded with its zero point, raw products summed in SIMD Int32 lanes, the zero-point
    /// correction folded into the bias; rows split over threads. Bit-exact with `reference`.
    public func optimized(_ x: QTensor) -> QTensor {
        precondition(x.channels == inChannels, "convolution expects \(inChannels) channels, got \(x.channels)")
        let h = x.height, w = x.width, k = kernelSize, pad = k / 2, pw = w + 2 * pad, ph = h + 2 * pad
        var padded = [Int32](repeating: x.zeroPoint, count: inChannels * ph * pw)
        for i in 0..<inChannels {
            for y in 0..<h {
                for xx in 0..<w { padded[(i * ph + y + pad) * pw + xx + pad] = Int32(x.data[(i * h + y) * w + xx]) }
            }
        }
        let corrected = (0..<outChannels).map { bias[$0] - x.zeroPoint * weightSums[$0] }
        let wide = weights.map { Int32($0) }
        var out = [UInt8](repeating: 0, count: outChannels * h * w)
        let cin = inChannels, taps = k * k, rq = requantization
        padded.withUnsafeBufferPointer { pin in
            wide.withUnsafeBufferPointer { pwt in
                out.withUnsafeMutableBufferPointer { pout in
                    let input = pin.baseAddress!, wts = pwt.baseAddress!, output = pout.baseAddress!
                    parallelFor(outChannels * h) { task in
                        let o = task / h, y = task % h
                        var x0 = 0
                        while x0 < w {
                            let lanes = min(8, w - x0)
                            var acc = SIMD8<Int32>(repeating: corrected[o])
                            for i in 0..<cin {
                                let wp = wts + (o * cin + i) * taps
                                for ky in 0..<k {
                                    let row = input + (i * ph + y + ky) * pw + x0
                                    for kx in 0..<k {
                                        var v = SIMD8<Int32>(repeating: 0)
                                        for l in 0..<lanes { v[l] = row[kx + l] }
                                        acc &+= v &* wp[ky * k + kx]
                                    }
                                }
                            }
                            for l in 0..<lanes { output[(o * h + y) * w + x0 + l] = rq.apply(acc[l], channel: o) }
                            x0 += 8
                        }
                    }
                }
            }
        }
        return QTensor(channels: outChannels, height: h, width: w, zeroPoint: rq.outputZeroPoint, data: out)
    }
}
