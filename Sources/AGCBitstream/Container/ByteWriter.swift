/// Appends the format's primitive fields (bytes, little-endian integers, LEB128 varints,
/// length-prefixed blobs and strings) to a byte array.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init() {}

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u32LE(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    mutating func u64LE(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    /// Unsigned LEB128: 7 bits a byte, least significant group first, high bit set on all but the last.
    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// A non-negative `Int` as a varint.
    mutating func varint(_ value: Int) { varint(UInt64(max(0, value))) }

    /// A signed value, zigzag-mapped (0, -1, 1, -2, ... -> 0, 1, 2, 3, ...) then as a varint.
    mutating func signedVarint(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func raw<Bytes: Sequence>(_ data: Bytes) where Bytes.Element == UInt8 { bytes.append(contentsOf: data) }

    /// A varint byte count followed by the bytes.
    mutating func blob<Bytes: Collection>(_ data: Bytes) where Bytes.Element == UInt8 {
        varint(data.count)
        bytes.append(contentsOf: data)
    }

    /// A string as a blob of its UTF-8 bytes.
    mutating func string(_ value: String) { blob(Array(value.utf8)) }

    /// The number of bytes `value` takes as a varint.
    static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var rest = value
        while rest >= 0x80 { rest >>= 7; size += 1 }
        return size
    }
}
