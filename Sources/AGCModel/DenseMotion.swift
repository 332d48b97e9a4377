import AGCKernels

/// What the dense motion network predicts at motion resolution R.
public struct Motion: Sendable {
    /// R x R displacements of the sampling grid, interleaved (x, y).
    public var displacement: [Float]
    /// 1 x R x R occlusion map in (0, 1): how much of the key frame's features to keep.
    public var occlusion: Tensor
}

/// Key frame + source and driving keypoints -> dense motion: soft masks over K+1 candidate shifts
/// (one per keypoint, plus the still background) from an hourglass over the key frame shifted by
/// each of them and the keypoints' heatmap differences.
public struct DenseMotion: Sendable {
    let config: ModelConfig
    let hourglass: Hourglass
    let mask: Convolution
    let occlusion: Convolution

    init(_ loader: LayerLoader, config: ModelConfig) throws {
        self.config = config
        let k1 = config.numKp + 1
        hourglass = try Hourglass(loader, prefix: "dm.hg", inChannels: 4 * k1, block: config.dmChannels,
                                  depth: config.dmDepth, maxChannels: config.dmMaxChannels)
        let features = config.dmChannels + 4 * k1
        mask = try loader.conv("dm.mask", in: features, out: k1)
        occlusion = try loader.conv("dm.occlusion", in: features, out: 1)
    }

    public func callAsFunction(source: Tensor, kpSource: [Keypoint], kpDriving: [Keypoint]) -> Motion {
        let r = config.motionRes, k1 = config.numKp + 1, n = r * r
        let small = Resampling.averagePool(source, factor: config.size / r)
        // Candidate shifts: background (none), then source - driving for each keypoint.
        let shifts = [Keypoint(0, 0)] + zip(kpSource, kpDriving).map { $0 - $1 }
        var heat = [Float](repeating: 0, count: k1 * n)
        for k in 0..<config.numKp {
            let drv = Geometry.gaussian(kpDriving[k], size: r, variance: config.heatmapVariance)
            let src = Geometry.gaussian(kpSource[k], size: r, variance: config.heatmapVariance)
            for p in 0..<n { heat[(k + 1) * n + p] = drv[p] - src[p] }
        }
        let shifted = shifts.map { GridSample.sample(small, grid: Geometry.shiftedGrid(size: r, by: $0), height: r, width: r) }
        let input = Tensor.concatenate([Tensor(channels: k1, height: r, width: r, data: heat)] + shifted)
        let features = hourglass(input)
        let masks = Activations.softmaxChannels(mask(features))
        var displacement = [Float](repeating: 0, count: 2 * n)
        for k in 1..<k1 {
            let s = shifts[k]
            for p in 0..<n {
                let m = masks.data[k * n + p]
                displacement[2 * p] += m * s.x
                displacement[2 * p + 1] += m * s.y
            }
        }
        return Motion(displacement: displacement, occlusion: Activations.sigmoid(occlusion(features)))
    }
}
