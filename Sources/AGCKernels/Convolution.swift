/// A 2-D convolution layer with stride 1 and "same" zero padding (kernel size odd), weights in
/// PyTorch's [out, in, kh, kw] order, and an optional fused ReLU.
public struct Convolution: Sendable {
    public let outChannels: Int
    public let inChannels: Int
    public let kernelSize: Int
    /// [out][in][ky][kx]
    public let weights: [Float]
    public let bias: [Float]
    /// The weights regrouped for the optimised kernel: [out / 4][in][ky][kx][4], zero-filled past `outChannels`.
    let packed: [Float]

    public init(outChannels: Int, inChannels: Int, kernelSize: Int, weights: [Float], bias: [Float]) {
        precondition(kernelSize % 2 == 1, "only odd kernel sizes are supported")
        precondition(weights.count == outChannels * inChannels * kernelSize * kernelSize, "weight count")
        precondition(bias.count == outChannels, "bias count")
        self.outChannels = outChannels
        self.inChannels = inChannels
        self.kernelSize = kernelSize
        self.weights = weights
        self.bias = bias
        let taps = kernelSize * kernelSize
        let blocks = (outChannels + 3) / 4
        var packed = [Float](repeating: 0, count: blocks * inChannels * taps * 4)
        for o in 0..<outChannels {
            for i in 0..<inChannels {
                for t in 0..<taps {
                    packed[(((o / 4) * inChannels + i) * taps + t) * 4 + o % 4] = weights[(o * inChannels + i) * taps + t]
                }
            }
        }
        self.packed = packed
    }

    /// Multiply-accumulates for an input of `height` x `width`.
    public func macs(height: Int, width: Int) -> Int {
        outChannels * inChannels * kernelSize * kernelSize * height * width
    }

    /// Applies the layer with the process-wide kernel choice.
    public func callAsFunction(_ x: Tensor, relu: Bool = false) -> Tensor {
        switch KernelChoice.current {
        case .reference: return reference(x, relu: relu)
        case .optimized: return optimized(x, relu: relu)
        }
    }

    /// Plain scalar convolution: the definition the optimised kernel is checked against.
    public func reference(_ x: Tensor, relu: Bool = false) -> Tensor {
        precondition(x.channels == inChannels, "convolution expects \(inChannels) channels, got \(x.channels)")
        let h = x.height, w = x.width, k = kernelSize, pad = k / 2
        var out = Tensor(channels: outChannels, height: h, width: w)
        for o in 0..<outChannels {
            for y in 0..<h {
                for xx in 0..<w {
                    var acc = bias[o]
                    for i in 0..<inChannels {
                        for ky in 0..<k {
                            let sy = y + ky - pad
                            if sy < 0 || sy >= h { continue }
                            for kx in 0..<k {
                                let sx = xx + kx - pad
                                if sx < 0 || sx >= w { continue }
                                acc += weights[((o * inChannels + i) * k + ky) * k + kx] * x.data[(i * h + sy) * w + sx]
                            }
                        }
                    }
                    out.data[(o * h + y) * w + xx] = relu ? max(acc, 0) : acc
                }
            }
        }
        return out
    }

    /// Direct convolution on a zero-padded copy of the input: four output channels at a time,
    /// eight pixels per SIMD vector, rows split over threads.
    public func optimized(_ x: Tensor, relu: Bool = false) -> Tensor {
        precondition(x.channels == inChannels, "convolution expects \(inChannels) channels, got \(x.channels)")
        let h = x.height, w = x.width, k = kernelSize, pad = k / 2
        let pw = w + 2 * pad, ph = h + 2 * pad
        var padded = [Float](repeating: 0, count: inChannels * ph * pw)
        x.data.withUnsafeBufferPointer { src in
            padded.withUnsafeMutableBufferPointer { dst in
                for i in 0..<inChannels {
                    for y in 0..<h {
                        let from = src.baseAddress! + (i * h + y) * w
                        let to = dst.baseAddress! + (i * ph + y + pad) * pw + pad
                        to.update(from: from, count: w)
                    }
                }
            }
        }
        var out = Tensor(channels: outChannels, height: h, width: w)
        let blocks = (outChannels + 3) / 4
        let rowsPerTask = max(1, min(h, 4096 / max(w, 1)))
        let rowTasks = (h + rowsPerTask - 1) / rowsPerTask
        let cin = inChannels, cout = outChannels, taps = k * k
        padded.withUnsafeBufferPointer { pin in
            packed.withUnsafeBufferPointer { pwt in
                bias.withUnsafeBufferPointer { pb in
                    out.data.withUnsafeMutableBufferPointer { pout in
                        let input = pin.baseAddress!, wts = pwt.baseAddress!, bs = pb.baseAddress!
                        let output = pout.baseAddress!
                        parallelFor(blocks * rowTasks) { task in
                            let block = task / rowTasks
                            let y0 = (task % rowTasks) * rowsPerTask
                            let y1 = min(h, y0 + rowsPerTask)
                            let o0 = block * 4
                            let live = min(4, cout - o0)
                            var b = SIMD4<Float>(repeating: 0)
                            for j in 0..<live { b[j] = bs[o0 + j] }
                            for y in y0..<y1 {
                                var x0 = 0
                                while x0 + 8 <= w {
                                    var a0 = SIMD8<Float>(repeating: b[0]), a1 = SIMD8<Float>(repeating: b[1])
                                    var a2 = SIMD8<Float>(repeating: b[2]), a3 = SIMD8<Float>(repeating: b[3])
                                    for i in 0..<cin {
                                        let plane = input + (i * ph + y) * pw + x0
                                        var wp = wts + ((block * cin + i) * taps) * 4
                                        for ky in 0..<k {
                                            let row = UnsafeRawPointer(plane + ky * pw)
                                            for kx in 0..<k {
                                                let v = row.loadUnaligned(fromByteOffset: kx * 4, as: SIMD8<Float>.self)
                                                a0 += v * wp[0]
                                                a1 += v * wp[1]
                                                a2 += v * wp[2]
                                                a3 += v * wp[3]
                                                wp += 4
                                            }
                                        }
                                    }
                                    if relu {
                                        let zero = SIMD8<Float>(repeating: 0)
                                        a0 = pointwiseMax(a0, zero); a1 = pointwiseMax(a1, zero)
                                        a2 = pointwiseMax(a2, zero); a3 = pointwiseMax(a3, zero)
                                    }
                                    let dst = UnsafeMutableRawPointer(output + (o0 * h + y) * w + x0)
                                    let stride = h * w * 4
                                    dst.storeBytes(of: a0, as: SIMD8<Float>.self)
                                    if live > 1 { dst.storeBytes(of: a1, toByteOffset: stride, as: SIMD8<Float>.self) }
                                    if live > 2 { dst.storeBytes(of: a2, toByteOffset: 2 * stride, as: SIMD8<Float>.self) }
                                    if live > 3 { dst.storeBytes(of: a3, toByteOffset: 3 * stride, as: SIMD8<Float>.self) }
                                    x0 += 8
                                }
                                // Narrow maps (fewer than 8 columns left): scalar.
                                while x0 < w {
                                    for j in 0..<live {
                                        var acc = b[j]
                                        for i in 0..<cin {
                                            let plane = input + (i * ph + y) * pw + x0
                                            let wp = wts + ((block * cin + i) * taps) * 4 + j
                                            for ky in 0..<k {
                                                for kx in 0..<k {
                                                    acc += plane[ky * pw + kx] * wp[(ky * k + kx) * 4]
                                                }
                                            }
                                        }
                                        output[((o0 + j) * h + y) * w + x0] = relu ? max(acc, 0) : acc
                                    }
                                    x0 += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
