import AGCKernels

/// Frame (3 x size x size, values in [0, 1]) -> K keypoints: a spatial softmax over an hourglass's
/// heatmaps at motion resolution, and the expected position under each.
public struct KeypointDetector: Sendable {
    let config: ModelConfig
    let hourglass: Hourglass
    let head: Convolution

    init(_ loader: LayerLoader, config: ModelConfig) throws {
        self.config = config
        hourglass = try Hourglass(loader, prefix: "kp.hg", inChannels: 3, block: config.kpChannels,
                                  depth: config.kpDepth, maxChannels: config.kpMaxChannels)
        head = try loader.conv("kp.head", in: config.kpChannels + 3, out: config.numKp)
    }

    public func callAsFunction(_ frame: Tensor) -> [Keypoint] {
        let r = config.motionRes
        let small = Resampling.averagePool(frame, factor: config.size / r)
        let logits = head(hourglass(small))
        let prob = Activations.softmaxSpatial(logits, temperature: config.kpTemperature)
        return (0..<config.numKp).map { k in
            var kp = Keypoint(0, 0)
            for y in 0..<r {
                for x in 0..<r {
                    let p = prob.data[(k * r + y) * r + x]
                    kp.x += p * Geometry.centre(x, r)
                    kp.y += p * Geometry.centre(y, r)
                }
            }
            return kp
        }
    }
}
