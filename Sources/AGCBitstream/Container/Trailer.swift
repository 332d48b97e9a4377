/// The fixed-size trailer, the last 16 bytes of a complete file: the index unit's offset
/// (8 bytes, little-endian), the CRC-32 of those 8 bytes (4 bytes, little-endian), and "AGCI".
enum Trailer {
    static let size = 16
    static let magic: [UInt8] = Array("AGCI".utf8)

    static func encode(indexOffset: Int) -> [UInt8] {
        var writer = ByteWriter()
        writer.u64LE(UInt64(indexOffset))
        let crc = CRC32.checksum(writer.bytes)
        writer.u32LE(crc)
        writer.raw(magic)
        return writer.bytes
    }

    /// The index offset stored in the trailer at the end of `bytes`.
    static func indexOffset(in bytes: [UInt8]) throws -> Int {
        guard bytes.count >= FormatVersion.fileHeaderSize + size else {
            throw BitstreamError.badTrailer(reason: "absent")
        }
        let start = bytes.count - size
        guard Array(bytes[(start + 12)...]) == magic else {
            throw BitstreamError.badTrailer(reason: "no trailer magic")
        }
        var reader = ByteReader(bytes, range: start..<bytes.count)
        let offset = try reader.u64LE()
        let crc = try reader.u32LE()
        guard crc == CRC32.checksum(bytes[start..<(start + 8)]) else {
            throw BitstreamError.badTrailer(reason: "CRC mismatch")
        }
        guard offset >= UInt64(FormatVersion.fileHeaderSize), offset < UInt64(start) else {
            throw BitstreamError.badTrailer(reason: "index offset \(offset) lies outside the file")
        }
        return Int(offset)
    }
}
