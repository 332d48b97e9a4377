/// The encoding half of the format's binary range coder (see docs/bitstream.md, "Range coder").
///
/// 32-bit range, 33-bit low with carry propagation through a cached byte and a count of pending
/// 0xFF bytes, renormalisation a byte at a time whenever the range drops below 2^24. The first
/// byte a classic coder of this kind emits is always zero; this one omits it.
public struct RangeEncoder: Sendable {
    static let topValue: UInt32 = 1 << 24

    private var low: UInt64 = 0
    private var range: UInt32 = 0xFFFF_FFFF
    private var cache: UInt8 = 0
    private var pendingCount = 1
    private var skipNextByte = true
    private(set) var output: [UInt8] = []

    /// An encoder with an empty output.
    public init() {}

    /// Codes `bit` with the adaptive probability `model`, then updates the model.
    @inline(__always)
    public mutating func encode(_ bit: Bool, _ model: inout AdaptiveBit) {
        let bound = (range >> AdaptiveBit.precisionBits) &* model.probabilityOfZero
        if bit {
            low &+= UInt64(bound)
            range &-= bound
        } else {
            range = bound
        }
        model.update(bit)
        normalize()
    }

    /// Codes `bit` with probability 1/2 and no model ("bypass" bin).
    @inline(__always)
    public mutating func encodeBypass(_ bit: Bool) {
        range >>= 1
        if bit { low &+= UInt64(range) }
        normalize()
    }

    /// Bytes written so far, counting those held back for carry propagation (an estimate of the
    /// final size, exact to within 5 bytes).
    public var approximateSize: Int { output.count + pendingCount + 4 }

    /// Flushes the coder state and returns the coded bytes; the encoder is spent afterwards.
    public mutating func finish() -> [UInt8] {
        for _ in 0..<5 { shiftLow() }
        return output
    }

    @inline(__always)
    private mutating func normalize() {
        while range < RangeEncoder.topValue {
            range <<= 8
            shiftLow()
        }
    }

    private mutating func shiftLow() {
        if low < 0xFF00_0000 || low >= 0x1_0000_0000 {
            let carry = UInt8(truncatingIfNeeded: low >> 32)
            var byte = cache
            repeat {
                emit(byte &+ carry)
                byte = 0xFF
                pendingCount -= 1
            } while pendingCount != 0
            cache = UInt8(truncatingIfNeeded: low >> 24)
        }
        pendingCount += 1
        low = (low & 0x00FF_FFFF) << 8
    }

    @inline(__always)
    private mutating func emit(_ byte: UInt8) {
        if skipNextByte { skipNextByte = false; return }
        output.append(byte)
    }
}
