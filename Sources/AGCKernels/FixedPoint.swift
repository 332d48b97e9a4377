/// Integer requantization in the gemmlowp / TFLite fixed-point scheme: a real multiplier
/// m in (0, 1) x 2^shift is held as a Q31 `multiplier` and a power-of-two `shift`.
///
/// The one rounding rule of the integer path: `SaturatingRoundingDoublingHighMul` (round half
/// away from zero of the doubled high product), then `RoundingDivideByPOT` (round half away
/// from zero). Same bits on every machine: integer arithmetic only.
public enum FixedPoint {
    /// (a * b * 2) >> 32 with rounding, saturating the single overflow case INT32_MIN * INT32_MIN.
    @inline(__always)
    public static func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
        if a == b && a == Int32.min { return Int32.max }
        let ab = Int64(a) * Int64(b)
        let nudge: Int64 = ab >= 0 ? (1 << 30) : (1 - (1 << 30))
        // Division truncating toward zero, as in C.
        return Int32(truncatingIfNeeded: (ab + nudge) / (1 << 31))
    }

    /// x / 2^exponent rounded to nearest, ties away from zero.
    @inline(__always)
    public static func roundingDivideByPOT(_ x: Int32, _ exponent: Int32) -> Int32 {
        guard exponent > 0 else { return x }
        let mask = (Int32(1) << exponent) &- 1
        let remainder = x & mask
        let threshold = (mask >> 1) &+ (x < 0 ? 1 : 0)
        return (x >> exponent) &+ (remainder > threshold ? 1 : 0)
    }

    /// x * multiplier * 2^shift (multiplier in Q31).
    @inline(__always)
    public static func multiply(_ x: Int32, multiplier: Int32, shift: Int32) -> Int32 {
        let left = max(shift, 0), right = max(-shift, 0)
        let shifted = left > 0 ? Int32(truncatingIfNeeded: Int64(x) << Int64(left)) : x
        return roundingDivideByPOT(saturatingRoundingDoublingHighMul(shifted, multiplier), right)
    }

    /// The Q31 multiplier and shift of a positive real `scale` (done once, offline, by the
    /// quantizer; here for tests and tools).
    public static func quantizeMultiplier(_ scale: Double) -> (multiplier: Int32, shift: Int32) {
        precondition(scale > 0 && scale.isFinite, "multiplier scale must be positive")
        var exponent = 0
        var q = scale
        while q >= 1 { q /= 2; exponent += 1 }
        while q < 0.5 { q *= 2; exponent -= 1 }
        var m = Int64((q * Double(1 << 31)).rounded())
        if m == (1 << 31) { m /= 2; exponent += 1 }
        return (Int32(m), Int32(exponent))
    }
}

/// Per output channel requantization of an INT32 accumulator to an 8-bit activation.
public struct Requantization: Sendable {
    public var multiplier: [Int32]
    public var shift: [Int32]
    /// The output zero point, and the clamp range (a fused ReLU clamps below at the zero point).
    public var outputZeroPoint: Int32
    public var minimum: Int32
    public var maximum: Int32

    public init(multiplier: [Int32], shift: [Int32], outputZeroPoint: Int32, minimum: Int32 = 0, maximum: Int32 = 255) {
        precondition(multiplier.count == shift.count)
        self.multiplier = multiplier
        self.shift = shift
        self.outputZeroPoint = outputZeroPoint
        self.minimum = minimum
        self.maximum = maximum
    }

    @inline(__always)
    public func apply(_ acc: Int32, channel: Int) -> UInt8 {
        let v = outputZeroPoint &+ FixedPoint.multiply(acc, multiplier: multiplier[channel], shift: shift[channel])
        return UInt8(min(max(v, minimum), maximum))
    }
}
