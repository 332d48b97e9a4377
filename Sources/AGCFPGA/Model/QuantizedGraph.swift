import AGCModel

/// The integer decoder network as `training/quantize.py` writes it (`agc-int8.json`): named
/// tensors with their shapes and quantization, and the operations of the accelerator that
/// compute them, in order. Real scales are kept for documentation; nothing computes with them.
public struct QuantizedGraph: Decodable, Sendable {
    public var format: String
    public var identifier: String
    public var sha256: String
    public var floatModel: FloatModel
    public var config: ModelConfig
    public var units: Units
    public var tensors: [String: TensorInfo]
    public var ops: [GraphOp]

    public struct FloatModel: Decodable, Sendable {
        public var identifier: String
        public var sha256: String
    }

    /// Fixed-point units: keypoints in 1/`keypoint` of the half-frame, flows Q16.16
    /// (`flowOne`), heatmaps Q15 (`heatOne`).
    public struct Units: Decodable, Sendable {
        public var keypoint: Int
        public var flowOne: Int
        public var heatOne: Int
        enum CodingKeys: String, CodingKey { case keypoint, flowOne = "flow_one", heatOne = "heat_one" }
    }

    public struct TensorInfo: Decodable, Sendable {
        /// [channels, height, width]
        public var shape: [Int]
        /// "u8" (8-bit activations), "flow" (Q16.16 x and y planes), "shift" (Q16.16 pairs).
        public var type: String
        public var scale: Double?
        public var zeroPoint: Int?
        /// A concatenation's parts, in channel order.
        public var parts: [String]?

        public var channels: Int { shape[0] }
        public var height: Int { shape[1] }
        public var width: Int { shape[2] }

        enum CodingKeys: String, CodingKey { case shape, type, scale, zeroPoint = "zero_point", parts }
    }

    enum CodingKeys: String, CodingKey {
        case format, identifier, sha256, floatModel = "float_model", config, units, tensors, ops
    }
}

/// One operation of the graph.
public enum GraphOp: Decodable, Sendable, Equatable {
    /// Keypoints -> heatmap differences (Q15 Gaussian table, quantized) and per-keypoint shifts.
    case keypoints(heat: String, shifts: String, table: String, multiplier: Int32, shift: Int32)
    case averagePool(input: String, output: String, factor: Int)
    /// The input sampled once per shift (output channel k x C + c).
    case gridShift(input: String, shifts: String, output: String)
    case convolution(Convolution)
    /// Softmax over the mask logits (exp table) weighting the shifts: a Q16.16 flow.
    case softmaxFlow(input: String, shifts: String, output: String, table: String)
    /// An 8-bit lookup table (the sigmoid).
    case lookup(input: String, output: String, table: String)
    /// Bilinear upsampling of a flow (align_corners=False).
    case upsampleFlow(input: String, output: String, factor: Int)
    /// The input sampled along a flow, optionally multiplied by an 8-bit mask.
    case gridFlow(input: String, flow: String, output: String, mask: String?)

    public struct Convolution: Sendable, Equatable {
        public var layer: String
        public var input: String
        public var output: String
        public var relu: Bool
        public var upsampleInput: Bool
        public var poolOutput: Bool
        public var residual: String?
    }

    enum CodingKeys: String, CodingKey {
        case op, heat, shifts, table, multiplier, shift, input = "in", output = "out", factor, layer, relu
        case upsampleInput = "upsample_in", poolOutput = "pool_out", residual, flow, mask
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func s(_ key: CodingKeys) throws -> String { try c.decode(String.self, forKey: key) }
        switch try s(.op) {
        case "keypoints":
            self = .keypoints(heat: try s(.heat), shifts: try s(.shifts), table: try s(.table),
                              multiplier: try c.decode(Int32.self, forKey: .multiplier), shift: try c.decode(Int32.self, forKey: .shift))
        case "avgpool":
            self = .averagePool(input: try s(.input), output: try s(.output), factor: try c.decode(Int.self, forKey: .factor))
        case "grid_shift":
            self = .gridShift(input: try s(.input), shifts: try s(.shifts), output: try s(.output))
        case "conv":
            self = .convolution(Convolution(
                layer: try s(.layer), input: try s(.input), output: try s(.output), relu: try c.decode(Bool.self, forKey: .relu),
                upsampleInput: try c.decode(Bool.self, forKey: .upsampleInput), poolOutput: try c.decode(Bool.self, forKey: .poolOutput),
                residual: try c.decodeIfPresent(String.self, forKey: .residual)))
        case "softmax_flow":
            self = .softmaxFlow(input: try s(.input), shifts: try s(.shifts), output: try s(.output), table: try s(.table))
        case "lut":
            self = .lookup(input: try s(.input), output: try s(.output), table: try s(.table))
        case "upsample_flow":
            self = .upsampleFlow(input: try s(.input), output: try s(.output), factor: try c.decode(Int.self, forKey: .factor))
        case "grid_flow":
            self = .gridFlow(input: try s(.input), flow: try s(.flow), output: try s(.output),
                             mask: try c.decodeIfPresent(String.self, forKey: .mask))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .op, in: c, debugDescription: "unknown operation \(other)")
        }
    }

    /// The tensors the operation reads.
    public var inputs: [String] {
        switch self {
        case .keypoints: return []
        case let .averagePool(input, _, _), let .lookup(input, _, _), let .upsampleFlow(input, _, _): return [input]
        case let .gridShift(input, shifts, _), let .softmaxFlow(input, shifts, _, _): return [input, shifts]
        case let .convolution(conv): return [conv.input] + (conv.residual.map { [$0] } ?? [])
        case let .gridFlow(input, flow, _, mask): return [input, flow] + (mask.map { [$0] } ?? [])
        }
    }

    /// The tensors the operation writes.
    public var outputs: [String] {
        switch self {
        case let .keypoints(heat, shifts, _, _, _): return [heat, shifts]
        case let .averagePool(_, output, _), let .gridShift(_, _, output), let .softmaxFlow(_, _, output, _),
             let .lookup(_, output, _), let .upsampleFlow(_, output, _), let .gridFlow(_, _, output, _):
            return [output]
        case let .convolution(conv): return [conv.output]
        }
    }
}
