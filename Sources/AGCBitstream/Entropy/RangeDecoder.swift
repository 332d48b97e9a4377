/// The decoding half of the format's binary range coder.
///
/// Safe on any input: all arithmetic wraps instead of trapping, reading past the end of the
/// data yields zero bytes and sets `isCorrupt`, and no call loops more than a fixed number of times.
public struct RangeDecoder: Sendable {
    private let data: [UInt8]
    private var position: Int
    private let end: Int
    private var range: UInt32 = 0xFFFF_FFFF
    private var code: UInt32 = 0

    /// True once the decoder has read past the end of its data or found an impossible state;
    /// everything decoded since is meaningless.
    public private(set) var isCorrupt = false

    /// A decoder over `data[range]` (all of `data` when `range` is nil); reads the first 4 bytes.
    public init(_ data: [UInt8], range: Range<Int>? = nil) {
        self.data = data
        let bounds = range ?? 0..<data.count
        position = max(0, min(bounds.lowerBound, data.count))
        end = max(position, min(bounds.upperBound, data.count))
        for _ in 0..<4 { code = (code << 8) | UInt32(nextByte()) }
        if code == 0xFFFF_FFFF { isCorrupt = true }
    }

    /// Bytes read so far, including the 4 read at the start and any read past the end.
    public private(set) var bytesConsumed = 0

    /// True when the data were consumed exactly, with no overrun and no bytes left over: what a
    /// correctly coded payload gives after its last symbol.
    public var finishedCleanly: Bool { !isCorrupt && position == end }

    /// Decodes one bit with the adaptive probability `model`, then updates the model.
    @inline(__always)
    public mutating func decode(_ model: inout AdaptiveBit) -> Bool {
        let bound = (range >> AdaptiveBit.precisionBits) &* model.probabilityOfZero
        let bit: Bool
        if code < bound {
            range = bound
            bit = false
        } else {
            code &-= bound
            range &-= bound
            bit = true
        }
        model.update(bit)
        normalize()
        return bit
    }

    /// Decodes one bit coded with probability 1/2 ("bypass" bin).
    @inline(__always)
    public mutating func decodeBypass() -> Bool {
        range >>= 1
        let bit = code >= range
        if bit { code &-= range }
        normalize()
        return bit
    }

    /// Marks the data as corrupt (used by callers that find decoded values out of range).
    public mutating func markCorrupt() { isCorrupt = true }

    @inline(__always)
    private mutating func normalize() {
        // Bounded probabilities keep range >= 2^9 after any step, so this runs at most twice;
        // the zero check only guards against a broken invariant.
        while range < RangeEncoder.topValue {
            if range == 0 { isCorrupt = true; range = 0xFFFF_FFFF; break }
            range <<= 8
            code = (code << 8) | UInt32(nextByte())
        }
    }

    @inline(__always)
    private mutating func nextByte() -> UInt8 {
        bytesConsumed += 1
        guard position < end else { isCorrupt = true; return 0 }
        defer { position += 1 }
        return data[position]
    }
}
