import CAGCKernels

/// A 2-D convolution layer with stride 1 and "same" zero padding (kernel size odd), weights in
/// PyTorch's [out, in, kh, kw] order, and an optional fused ReLU.
public struct Convolution: Sendable {
    public let outChannels: Int
    public let inChannels: Int
    public let kernelSize: Int
    /// [out][in][ky][kx]
    public let weights: [Float]
    public let bias: [Float]
    /// The weights regrouped for the vector kernels: [out / 8][in][ky][kx][8], zero-filled past `outChannels`.
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
        let blocks = (outChannels + 7) / 8
        var packed = [Float](repeating: 0, count: blocks * inChannels * taps * 8)
        for o in 0..<outChannels {
            for i in 0..<inChannels {
                for t in 0..<taps {
                    packed[(((o / 8) * inChannels + i) * taps + t) * 8 + o % 8] = weights[(o * inChannels + i) * taps + t]
                }
            }
        }
        self.packed = packed
    }

    /// Multiply-accumulates for an input of `height` x `width`.
    public func macs(height: Int, width: Int) -> Int {
        outChannels * inChannels * kernelSize * kernelSize * height * width
    }

    /// Applies the layer with the process-wide kernel choice: optionally 2x nearest upsampling
    /// before and 2x2 average pooling after (`F.avg_pool2d(relu(conv(x)), 2)`).
    public func callAsFunction(_ x: Tensor, relu: Bool = false, upsampleInput: Bool = false, poolOutput: Bool = false) -> Tensor {
        switch KernelChoice.current {
        case .reference:
            let y = reference(upsampleInput ? Resampling.upsampleNearest2x(x) : x, relu: relu)
            return poolOutput ? Resampling.averagePool(y, factor: 2) : y
        case .optimized: return optimized(x, relu: relu, upsampleInput: upsampleInput, poolOutput: poolOutput)
        }
    }

    /// Plain scalar convolution: the definition the optimised kernel is checked against. One
    /// output plane at a time: each tap adds its weight times the shifted input plane over the
    /// rows and columns where the tap lands inside the map (zero padding).
    public func reference(_ x: Tensor, relu: Bool = false) -> Tensor {
        precondition(x.channels == inChannels, "convolution expects \(inChannels) channels, got \(x.channels)")
        let h = x.height, w = x.width, k = kernelSize, pad = k / 2
        var out = Tensor(channels: outChannels, height: h, width: w)
        for o in 0..<outChannels {
            let base = o * h * w
            for p in 0..<(h * w) { out.data[base + p] = bias[o] }
            for i in 0..<inChannels {
                let plane = i * h * w
                for ky in 0..<k {
                    for kx in 0..<k {
                        let weight = weights[((o * inChannels + i) * k + ky) * k + kx]
                        let dy = ky - pad, dx = kx - pad
                        for y in max(0, -dy)..<min(h, h - dy) {
                            for xx in max(0, -dx)..<min(w, w - dx) {
                                out.data[base + y * w + xx] += weight * x.data[plane + (y + dy) * w + xx + dx]
                            }
                        }
                    }
                }
            }
            if relu {
                for p in 0..<(h * w) { out.data[base + p] = max(out.data[base + p], 0) }
            }
        }
        return out
    }

    /// Direct convolution on a zero-padded copy of the input by the vector kernel of `isa`
    /// (`CAGCKernels`: register blocks of pixel vectors x output channels, fused multiply-adds),
    /// output-channel blocks and rows split over threads.
    ///
    /// `upsampleInput`: the input is first upsampled 2x (nearest), folded into the padded copy.
    /// `poolOutput`: each task's rows are averaged 2x2 as they come out of the kernel.
    public func optimized(_ x: Tensor, relu: Bool = false, upsampleInput: Bool = false, poolOutput: Bool = false,
                          isa: KernelISA = .current) -> Tensor {
        precondition(x.channels == inChannels, "convolution expects \(inChannels) channels, got \(x.channels)")
        let up = upsampleInput ? 2 : 1
        let ih = x.height, iw = x.width, h = ih * up, w = iw * up, k = kernelSize, pad = k / 2
        precondition(!poolOutput || (h % 2 == 0 && w % 2 == 0), "2x2 pooling needs an even size")
        let pw = w + 2 * pad + 16, ph = h + 2 * pad
        let cin = inChannels, cout = outChannels, taps = k * k
        // Every value of the padded copy and of the output is written once: no zero fill.
        // The padded copy in the calling thread's kept working buffer (the same warm memory layer
        // after layer), every value written once: no zero fill.
        guard let scratch = agc_thread_scratch(4 * cin * ph * pw) else { fatalError("out of memory for a padded copy") }
        let paddedBase = scratch.assumingMemoryBound(to: Float.self)
        x.data.withUnsafeBufferPointer { src in
            parallelFor(cin) { i in
                let plane = paddedBase + i * ph * pw
                plane.initialize(repeating: 0, count: pad * pw)
                (plane + (pad + h) * pw).initialize(repeating: 0, count: pad * pw)
                for y in 0..<h {
                    let from = src.baseAddress! + (i * ih + y / up) * iw
                    let row = plane + (y + pad) * pw
                    row.initialize(repeating: 0, count: pad)
                    if up == 1 {
                        (row + pad).initialize(from: from, count: w)
                    } else {
                        for xx in 0..<w { row[pad + xx] = from[xx >> 1] }
                    }
                    (row + pad + w).initialize(repeating: 0, count: pw - pad - w)
                }
            }
        }
        let padded = UnsafePointer(paddedBase)
        let (oh, ow) = poolOutput ? (h / 2, w / 2) : (h, w)
        var out = Tensor(channels: cout, height: oh, width: ow,
                         data: [Float](unsafeUninitializedCapacity: cout * oh * ow) { _, n in n = cout * oh * ow })
        let blocks = (cout + 7) / 8
        var rowsPerTask = max(1, min(h, 2048 / max(w, 1)))
        if poolOutput { rowsPerTask = max(2, rowsPerTask & ~1) }
        let rowTasks = (h + rowsPerTask - 1) / rowsPerTask
        packed.withUnsafeBufferPointer { pwt in
            bias.withUnsafeBufferPointer { pb in
                out.data.withUnsafeMutableBufferPointer { pout in
                    parallelFor(blocks * rowTasks) { task in
                        let block = task / rowTasks, y0 = (task % rowTasks) * rowsPerTask
                        let o0 = block * 8, count = min(8, cout - o0), y1 = min(h, y0 + rowsPerTask)
                        let weights = pwt.baseAddress! + block * cin * taps * 8
                        guard poolOutput else {
                            agc_conv_f32(isa.cValue, padded, Int32(cin), Int32(ph), Int32(pw), Int32(k), Int32(y0),
                                         Int32(y1), Int32(w), weights, pb.baseAddress! + o0, Int32(count), relu ? 1 : 0,
                                         pout.baseAddress! + o0 * h * w, h * w)
                            return
                        }
                        // The task's rows (from row y0 of the padded input) into a buffer, then pooled.
                        agc_conv_f32_pooled(isa.cValue, padded + y0 * pw, Int32(cin), Int32(ph), Int32(pw), Int32(k),
                                            Int32(y1 - y0), Int32(w), weights, pb.baseAddress! + o0, Int32(count), relu ? 1 : 0,
                                            pout.baseAddress! + o0 * oh * ow + (y0 / 2) * ow, oh * ow)
                    }
                }
            }
        }
        return out
    }
}
