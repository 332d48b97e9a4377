import Foundation

/// Element-wise and per-pixel operations of the network.
public enum Activations {
    /// Softmax across channels at every pixel (`F.softmax(x, dim=1)`).
    public static func softmaxChannels(_ x: Tensor) -> Tensor {
        var out = x
        let n = x.planeSize
        for p in 0..<n {
            var m = -Float.infinity
            for c in 0..<x.channels { m = max(m, x.data[c * n + p]) }
            var sum: Float = 0
            for c in 0..<x.channels {
                let e = expf(x.data[c * n + p] - m)
                out.data[c * n + p] = e
                sum += e
            }
            for c in 0..<x.channels { out.data[c * n + p] /= sum }
        }
        return out
    }

    /// Softmax over the pixels of each channel, after dividing by `temperature`.
    public static func softmaxSpatial(_ x: Tensor, temperature: Float) -> Tensor {
        var out = x
        let n = x.planeSize
        for c in 0..<x.channels {
            let base = c * n
            var m = -Float.infinity
            for p in 0..<n { m = max(m, x.data[base + p] / temperature) }
            var sum: Float = 0
            for p in 0..<n {
                let e = expf(x.data[base + p] / temperature - m)
                out.data[base + p] = e
                sum += e
            }
            for p in 0..<n { out.data[base + p] /= sum }
        }
        return out
    }

    /// The logistic function, element-wise.
    public static func sigmoid(_ x: Tensor) -> Tensor {
        var out = x
        for i in out.data.indices { out.data[i] = 1 / (1 + expf(-x.data[i])) }
        return out
    }

    /// `a + b`, element-wise.
    public static func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.data.count == b.data.count)
        var out = a
        for i in out.data.indices { out.data[i] += b.data[i] }
        return out
    }

    /// Every channel of `x` multiplied by the single-channel `mask`.
    public static func multiplyBroadcast(_ x: Tensor, mask: Tensor) -> Tensor {
        precondition(mask.channels == 1 && mask.planeSize == x.planeSize)
        var out = x
        let n = x.planeSize
        for c in 0..<x.channels {
            for p in 0..<n { out.data[c * n + p] *= mask.data[p] }
        }
        return out
    }
}
