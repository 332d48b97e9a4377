import Foundation

/// The network's hyper-parameters, as written by `training/export.py` (`agc-model.json`).
public struct ModelConfig: Codable, Sendable, Equatable {
    public var size: Int
    public var numKp: Int
    public var motionRes: Int
    public var kpChannels: Int
    public var kpMaxChannels: Int
    public var kpDepth: Int
    public var kpTemperature: Float
    public var dmChannels: Int
    public var dmMaxChannels: Int
    public var dmDepth: Int
    public var heatmapVariance: Float
    public var genChannels: Int
    public var genResBlocks: Int

    enum CodingKeys: String, CodingKey {
        case size, numKp = "num_kp", motionRes = "motion_res", kpChannels = "kp_channels"
        case kpMaxChannels = "kp_max_channels", kpDepth = "kp_depth", kpTemperature = "kp_temperature"
        case dmChannels = "dm_channels", dmMaxChannels = "dm_max_channels", dmDepth = "dm_depth"
        case heatmapVariance = "heatmap_variance", genChannels = "gen_channels", genResBlocks = "gen_res_blocks"
    }
}

/// The model description shipped beside the weights: identifier, weights hash, config.
public struct ModelDescription: Codable, Sendable {
    /// A name that changes whenever the weights do (it embeds the hash's first 12 hex digits).
    public var identifier: String
    /// SHA-256 of the safetensors file, lowercase hex.
    public var sha256: String
    public var config: ModelConfig
    public var gmacPerFrame: [String: Double]?

    enum CodingKeys: String, CodingKey {
        case identifier, sha256, config, gmacPerFrame = "gmac_per_frame"
    }
}
