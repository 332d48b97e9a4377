import Foundation

/// Uniform scalar quantization of keypoint coordinates with step `1 / stepDenominator`.
///
/// Keypoints are Float (x, y) pairs nominally in [-1, 1]. The representable range is
/// [-2, 2], i.e. quantized values in [-2D, 2D] for D = `stepDenominator`; values outside it are
/// clamped and NaN quantizes to 0. Dequantization is `Float(q) / Float(D)`, exact in IEEE
/// arithmetic, so every decoder gets the same floats.
public struct KeypointQuantizer: Hashable, Codable, Sendable {
    /// The largest allowed step denominator (finest step 2^-20).
    public static let maxStepDenominator: UInt32 = 1 << 20
    /// The magnitude of the representable range in units of 1.0.
    public static let rangeMagnitude: Int32 = 2

    /// D: the step is 1/D.
    public let stepDenominator: UInt32

    /// A quantizer with step 1/`stepDenominator`; throws if D is 0 or above `maxStepDenominator`.
    public init(stepDenominator: UInt32) throws {
        guard stepDenominator >= 1 && stepDenominator <= KeypointQuantizer.maxStepDenominator else {
            throw BitstreamError.implausibleValue(field: "keypoint step denominator", value: Int64(stepDenominator),
                                                  limit: "1...\(KeypointQuantizer.maxStepDenominator)")
        }
        self.stepDenominator = stepDenominator
    }

    /// The step as a float.
    public var step: Float { 1 / Float(stepDenominator) }

    /// The largest quantized magnitude, 2D.
    public var limit: Int32 { KeypointQuantizer.rangeMagnitude * Int32(stepDenominator) }

    /// round(v / step), half away from zero, clamped to [-limit, limit]; NaN gives 0.
    public func quantize(_ value: Float) -> Int32 {
        guard !value.isNaN else { return 0 }
        let scaled = (Double(value) * Double(stepDenominator)).rounded(.toNearestOrAwayFromZero)
        return Int32(max(-Double(limit), min(Double(limit), scaled)))
    }

    /// q × step, computed as Float(q) / Float(D).
    public func dequantize(_ value: Int32) -> Float { Float(value) / Float(stepDenominator) }

    /// Quantizes (x, y) pairs.
    public func quantize(_ points: [SIMD2<Float>]) -> [QuantizedKeypoint] {
        points.map { QuantizedKeypoint(x: quantize($0.x), y: quantize($0.y)) }
    }

    /// Quantizes a flat array x0, y0, x1, y1, ... (a trailing odd value is ignored).
    public func quantize(flat values: [Float]) -> [QuantizedKeypoint] {
        stride(from: 0, to: values.count - 1, by: 2).map {
            QuantizedKeypoint(x: quantize(values[$0]), y: quantize(values[$0 + 1]))
        }
    }

    /// Dequantizes to (x, y) pairs.
    public func dequantize(_ points: [QuantizedKeypoint]) -> [SIMD2<Float>] {
        points.map { SIMD2(dequantize($0.x), dequantize($0.y)) }
    }

    /// Dequantizes to a flat array x0, y0, x1, y1, ...
    public func dequantize(flat points: [QuantizedKeypoint]) -> [Float] {
        points.flatMap { [dequantize($0.x), dequantize($0.y)] }
    }
}
