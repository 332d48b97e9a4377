import AGCKernels
import AGCModel
import Crypto
import Foundation

/// The quantized decoder network: the graph and its integer parameters (INT8 weights, INT32
/// biases, multipliers and shifts, lookup tables), checked against the graph's SHA-256.
public struct QuantizedModel: Sendable {
    public let graph: QuantizedGraph
    /// Every convolution, by layer name, with its fused stages.
    public let convolutions: [String: QuantizedConvolution]
    /// Lookup tables by name: the Gaussian (Q15), the softmax's exp (Q16) and the sigmoid (8-bit).
    public let tables: [String: [Int32]]

    public var identifier: String { graph.identifier }
    public var config: ModelConfig { graph.config }

    public init(weights: URL, graph graphURL: URL) throws {
        let graphData: Data, data: Data
        do {
            graphData = try Data(contentsOf: graphURL)
            data = try Data(contentsOf: weights)
        } catch {
            throw ModelError.unreadable(weights.deletingPathExtension().path, error.localizedDescription)
        }
        let graph: QuantizedGraph
        do {
            graph = try JSONDecoder().decode(QuantizedGraph.self, from: graphData)
        } catch {
            throw ModelError.malformed(graphURL.path, "not a quantized model graph: \(error)")
        }
        guard graph.format == "agc-int8-graph-1" else {
            throw ModelError.malformed(graphURL.path, "unknown graph format \(graph.format)")
        }
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        guard digest == graph.sha256 else {
            throw ModelError.hashMismatch(weights.path, expected: graph.sha256, found: digest)
        }
        try self.init(graph: graph, file: SafeTensors(data: data, name: weights.path))
    }

    init(graph: QuantizedGraph, file: SafeTensors) throws {
        self.graph = graph
        var convolutions: [String: QuantizedConvolution] = [:]
        var tables: [String: [Int32]] = [:]
        func ints(_ name: String, count: Int) throws -> [Int32] {
            let (shape, v) = try file.integers(name, as: Int32.self)
            guard shape == [count] else { throw ModelError.shapeMismatch(name, expected: [count], found: shape) }
            return v
        }
        for op in graph.ops {
            switch op {
            case let .convolution(c):
                guard let input = graph.tensors[c.input], let output = graph.tensors[c.output],
                      let zp = output.zeroPoint
                else { throw ModelError.malformed(c.layer, "convolution names an unknown tensor") }
                let cin = input.channels, cout = output.channels
                let (shape, w) = try file.integers("\(c.layer).weight", as: Int8.self)
                guard shape.count == 4, shape[0] == cout, shape[1] == cin, shape[2] == shape[3] else {
                    throw ModelError.shapeMismatch("\(c.layer).weight", expected: [cout, cin, 3, 3], found: shape)
                }
                let requant = Requantization(multiplier: try ints("\(c.layer).multiplier", count: cout),
                                             shift: try ints("\(c.layer).shift", count: cout),
                                             outputZeroPoint: Int32(zp), minimum: c.relu ? Int32(zp) : 0)
                try Self.checkFixedPoint(c.layer, requant.multiplier, requant.shift, shifts: Self.requantizationShifts)
                let residual = try c.residual.map { _ in
                    ResidualAdd(multiplier: try ints("\(c.layer).residual_multiplier", count: cout),
                                shift: try ints("\(c.layer).residual_shift", count: cout))
                }
                if let residual {
                    try Self.checkFixedPoint("\(c.layer) residual", residual.multiplier, residual.shift, shifts: Self.residualShifts)
                }
                convolutions[c.layer] = QuantizedConvolution(
                    outChannels: cout, inChannels: cin, kernelSize: shape[2], weights: w,
                    bias: try ints("\(c.layer).bias", count: cout), requantization: requant,
                    upsampleInput: c.upsampleInput, poolOutput: c.poolOutput, residual: residual)
            case let .keypoints(_, _, table, _, _):
                tables[table] = try ints(table, count: 2 * graph.units.keypoint + 1)
            case let .softmaxFlow(_, _, _, table):
                tables[table] = try ints(table, count: 256)
            case let .lookup(_, _, table):
                let (shape, v) = try file.integers(table, as: UInt8.self)
                guard shape == [256] else { throw ModelError.shapeMismatch(table, expected: [256], found: shape) }
                tables[table] = v.map { Int32($0) }
            default:
                break
            }
        }
        self.convolutions = convolutions
        self.tables = tables
    }

    /// Requantization shifts the scheme computes exactly: at most a division by 2^31, and no left
    /// shift that could overflow an accumulator.
    static let requantizationShifts: ClosedRange<Int32> = -31...0
    /// Residual rescaling shifts: an 8-bit residual (|r - zp| <= 255) shifted left by up to 22
    /// stays below 2^30, with room for the convolution's sum (training/quantize.py keeps to it).
    static let residualShifts: ClosedRange<Int32> = -31...22

    /// Refuses multipliers outside [2^30, 2^31) and shifts outside `shifts`: a model made by a
    /// quantizer that broke the scheme's bounds would otherwise decode to wrapped, wrong pictures.
    static func checkFixedPoint(_ layer: String, _ multipliers: [Int32], _ shifts: [Int32],
                                shifts range: ClosedRange<Int32>) throws {
        if let m = multipliers.first(where: { $0 < 1 << 30 }) {
            throw ModelError.malformed(layer, "multiplier \(m) is not a Q31 value in [2^30, 2^31)")
        }
        if let s = shifts.first(where: { !range.contains($0) }) {
            throw ModelError.malformed(layer, "shift \(s) is outside \(range.lowerBound)...\(range.upperBound), "
                + "where the fixed-point arithmetic is exact (re-quantize with training/quantize.py)")
        }
    }

    /// The quantized model shipped in the package (made by `training/quantize.py`).
    public static func bundled() throws -> QuantizedModel {
        let (weights, graph) = try bundledFiles()
        return try QuantizedModel(weights: weights, graph: graph)
    }

    /// The shipped model's graph alone (identity and hashes), without reading the weights.
    public static func bundledGraph() throws -> QuantizedGraph {
        let files = try bundledFiles()
        return try ModelCatalog.entry(graph: files.graph, weights: files.weights, origin: .current).graph
    }

    /// The package's current model: `Resources/agc-int8.safetensors` and `.json`.
    static func bundledFiles() throws -> (weights: URL, graph: URL) {
        guard let weights = Bundle.module.url(forResource: "agc-int8", withExtension: "safetensors"),
              let graph = Bundle.module.url(forResource: "agc-int8", withExtension: "json")
        else { throw ModelError.unreadable("agc-int8", "the bundled quantized model is missing from the package resources") }
        return (weights, graph)
    }

    /// A keypoint in the integer decoder's units (1/256 of the half-frame), rounded to nearest
    /// and limited to twice the frame: exact for every keypoint step 1/D with D dividing 256.
    public static func keypointUnits(_ kp: Keypoint, units: Int = 256) -> SIMD2<Int32> {
        func convert(_ v: Float) -> Int32 {
            let limit = Float(2 * units)
            guard v.isFinite else { return 0 }
            return Int32(min(max((v * Float(units)).rounded(), -limit), limit))
        }
        return SIMD2(convert(kp.x), convert(kp.y))
    }
}
