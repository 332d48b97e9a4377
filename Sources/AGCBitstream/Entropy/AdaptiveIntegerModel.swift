/// The adaptive contexts for one kind of signed integer, coded with the format's exp-Golomb-like
/// binarisation (docs/bitstream.md, "Integers"):
///
/// 1. `zero`: is the value non-zero?
/// 2. `sign`: is it negative?
/// 3. magnitude class `c = floor(log2 |v|)` in unary: `c` ones then a zero (omitted at `c = 31`),
///    bin `i` of the unary code using context `classBins[i]`;
/// 4. the `c` bits of `|v| - 2^c`, most significant first: the first with context `msbBins[c]`,
///    the rest as bypass bins.
public struct AdaptiveIntegerModel: Sendable, Equatable {
    /// The largest magnitude class: |v| < 2^32.
    public static let maxClass = 31

    public var zero = AdaptiveBit()
    public var sign = AdaptiveBit()
    public var classBins = [AdaptiveBit](repeating: AdaptiveBit(), count: maxClass)
    public var msbBins = [AdaptiveBit](repeating: AdaptiveBit(), count: maxClass + 1)

    /// Contexts with every probability at 1/2.
    public init() {}
}

extension RangeEncoder {
    /// Codes a signed integer with the binarisation of `AdaptiveIntegerModel`.
    public mutating func encodeSigned(_ value: Int32, _ model: inout AdaptiveIntegerModel) {
        encode(value != 0, &model.zero)
        guard value != 0 else { return }
        encode(value < 0, &model.sign)
        let magnitude = value.magnitude
        let magnitudeClass = 31 - magnitude.leadingZeroBitCount
        for bin in 0..<magnitudeClass { encode(true, &model.classBins[bin]) }
        if magnitudeClass < AdaptiveIntegerModel.maxClass { encode(false, &model.classBins[magnitudeClass]) }
        guard magnitudeClass > 0 else { return }
        encode((magnitude >> (magnitudeClass - 1)) & 1 != 0, &model.msbBins[magnitudeClass])
        var bit = magnitudeClass - 2
        while bit >= 0 {
            encodeBypass((magnitude >> bit) & 1 != 0)
            bit -= 1
        }
    }
}

extension RangeDecoder {
    /// Decodes a signed integer coded by `RangeEncoder.encodeSigned`. A magnitude that does not
    /// fit `Int32` (only possible in corrupt data) is clamped and sets `isCorrupt`.
    public mutating func decodeSigned(_ model: inout AdaptiveIntegerModel) -> Int32 {
        guard decode(&model.zero) else { return 0 }
        let negative = decode(&model.sign)
        var magnitudeClass = 0
        while magnitudeClass < AdaptiveIntegerModel.maxClass && decode(&model.classBins[magnitudeClass]) {
            magnitudeClass += 1
        }
        var magnitude = UInt64(1) << UInt64(magnitudeClass)
        if magnitudeClass > 0 {
            if decode(&model.msbBins[magnitudeClass]) { magnitude |= UInt64(1) << UInt64(magnitudeClass - 1) }
            var bit = magnitudeClass - 2
            while bit >= 0 {
                if decodeBypass() { magnitude |= UInt64(1) << UInt64(bit) }
                bit -= 1
            }
        }
        let limit: UInt64 = negative ? 1 << 31 : (1 << 31) - 1
        if magnitude > limit {
            markCorrupt()
            magnitude = limit
        }
        return negative ? Int32(truncatingIfNeeded: 0 &- Int64(magnitude)) : Int32(magnitude)
    }
}
