import AGCKernels

/// Key frame + motion -> frame: the key frame warped in pixel space plus a correction decoded from
/// key-frame features warped at motion resolution and weighted by the occlusion map.
public struct Generator: Sendable {
    let config: ModelConfig
    let enc0, enc1, enc2, dec1, dec0, out: Convolution
    let residual: [(Convolution, Convolution)]

    init(_ loader: LayerLoader, config: ModelConfig) throws {
        self.config = config
        let c = config.genChannels
        enc0 = try loader.conv("gen.enc0", in: 3, out: c)
        enc1 = try loader.conv("gen.enc1", in: c, out: 2 * c)
        enc2 = try loader.conv("gen.enc2", in: 2 * c, out: 4 * c)
        residual = try (0..<config.genResBlocks).map {
            (try loader.conv("gen.res\($0).conv1", in: 4 * c, out: 4 * c),
             try loader.conv("gen.res\($0).conv2", in: 4 * c, out: 4 * c))
        }
        dec1 = try loader.conv("gen.dec1", in: 4 * c, out: 2 * c)
        dec0 = try loader.conv("gen.dec0", in: 2 * c, out: c)
        out = try loader.conv("gen.out", in: c, out: 3)
    }

    /// The key frame warped by the motion upsampled to full size (no correction).
    public func warp(source: Tensor, motion: Motion) -> Tensor {
        let s = config.size, r = config.motionRes
        let coarse = Tensor(channels: 2, height: r, width: r, data: deinterleave(motion.displacement, count: r * r))
        let fine = Resampling.resizeBilinear(coarse, height: s, width: s)
        let displacement = interleave(fine.data, count: s * s)
        return GridSample.sample(source, grid: Geometry.grid(size: s, displacement: displacement), height: s, width: s)
    }

    public func callAsFunction(source: Tensor, motion: Motion) -> Tensor {
        let r = config.motionRes
        let warped = warp(source: source, motion: motion)
        var x = enc0(source, relu: true, poolOutput: true)
        x = enc1(x, relu: true, poolOutput: true)
        x = enc2(x, relu: true)
        x = GridSample.sample(x, grid: Geometry.grid(size: r, displacement: motion.displacement), height: r, width: r)
        x = Activations.multiplyBroadcast(x, mask: motion.occlusion)
        for (conv1, conv2) in residual {
            x = Activations.add(x, conv2(conv1(x, relu: true)))
        }
        x = dec1(x, relu: true, upsampleInput: true)
        x = dec0(x, relu: true, upsampleInput: true)
        return Activations.add(warped, out(x))
    }
}

/// [x0, y0, x1, y1, ...] -> [x0, x1, ..., y0, y1, ...]
func deinterleave(_ v: [Float], count: Int) -> [Float] {
    var out = [Float](repeating: 0, count: 2 * count)
    for p in 0..<count {
        out[p] = v[2 * p]
        out[count + p] = v[2 * p + 1]
    }
    return out
}

/// [x0, x1, ..., y0, y1, ...] -> [x0, y0, x1, y1, ...]
func interleave(_ v: [Float], count: Int) -> [Float] {
    var out = [Float](repeating: 0, count: 2 * count)
    for p in 0..<count {
        out[2 * p] = v[p]
        out[2 * p + 1] = v[count + p]
    }
    return out
}
