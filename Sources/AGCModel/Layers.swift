import AGCKernels

/// Looks up the convolutions of a model file by name, checking their shapes.
struct LayerLoader {
    let file: SafeTensors

    func conv(_ name: String, in cin: Int, out cout: Int, kernel: Int = 3) throws -> Convolution {
        let (wShape, w) = try file.floats("\(name).weight")
        let expected = [cout, cin, kernel, kernel]
        guard wShape == expected else { throw ModelError.shapeMismatch("\(name).weight", expected: expected, found: wShape) }
        let (bShape, b) = try file.floats("\(name).bias")
        guard bShape == [cout] else { throw ModelError.shapeMismatch("\(name).bias", expected: [cout], found: bShape) }
        return Convolution(outChannels: cout, inChannels: cin, kernelSize: kernel, weights: w, bias: b)
    }
}

/// Encoder (conv + ReLU, 2x average pooling) and decoder (2x nearest upsampling, conv + ReLU)
/// with concatenated skips; output has `block + input` channels at the input resolution.
struct Hourglass {
    let down: [Convolution]
    let up: [Convolution]

    init(_ loader: LayerLoader, prefix: String, inChannels: Int, block: Int, depth: Int, maxChannels: Int) throws {
        let chans = [inChannels] + (0..<depth).map { min(maxChannels, block << $0) }
        down = try (0..<depth).map { try loader.conv("\(prefix).down\($0)", in: chans[$0], out: chans[$0 + 1]) }
        up = try (0..<depth).reversed().enumerated().map { index, level in
            let cin = level == depth - 1 ? chans[level + 1] : 2 * chans[level + 1]
            return try loader.conv("\(prefix).up\(index)", in: cin, out: level > 0 ? chans[level] : block)
        }
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        var skips = [input]
        var x = input
        for conv in down {
            x = conv(x, relu: true, poolOutput: true)
            skips.append(x)
        }
        x = skips.removeLast()
        for conv in up {
            x = conv(x, relu: true, upsampleInput: true)
            x = Tensor.concatenate([x, skips.removeLast()])
        }
        return x
    }
}
