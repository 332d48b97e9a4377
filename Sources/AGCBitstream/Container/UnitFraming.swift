/// A unit's place in the file. A unit is: type (1 byte), payload length (LEB128), payload,
/// CRC-32 of the type, length and payload bytes (4 bytes, little-endian).
public struct UnitInfo: Hashable, Codable, Sendable {
    /// Offset of the type byte from the start of the file.
    public let offset: Int
    /// The raw type byte (see `UnitType`).
    public let type: UInt8
    /// Offset of the first payload byte.
    public let payloadOffset: Int
    /// Payload bytes.
    public let payloadLength: Int

    /// The offset just after the unit's CRC.
    public var endOffset: Int { payloadOffset + payloadLength + 4 }
    /// All bytes of the unit: type, length, payload, CRC.
    public var size: Int { endOffset - offset }
    /// The payload's byte range in the file.
    public var payloadRange: Range<Int> { payloadOffset..<(payloadOffset + payloadLength) }
    /// The type's name, e.g. "key frame".
    public var typeName: String { UnitType.name(of: type) }
}

/// Building units and finding their bounds; the one place that knows the unit framing.
enum UnitFraming {
    /// The CRC-32 size.
    static let crcSize = 4

    /// The bytes of a unit of raw type `type` carrying `payload`.
    static func encode(type: UInt8, payload: [UInt8]) -> [UInt8] {
        var writer = ByteWriter()
        writer.u8(type)
        writer.varint(payload.count)
        writer.raw(payload)
        let crc = CRC32.checksum(writer.bytes)
        writer.u32LE(crc)
        return writer.bytes
    }

    /// The framing of the unit at `offset` and its stored and computed CRCs. Checks that the unit
    /// fits the file, not that the CRCs agree.
    static func locate(_ bytes: [UInt8], at offset: Int) throws -> (info: UnitInfo, stored: UInt32, computed: UInt32) {
        guard offset >= 0, offset < bytes.count else { throw BitstreamError.truncatedUnit(offset: offset) }
        var reader = ByteReader(bytes, range: offset..<bytes.count)
        let type: UInt8
        let declared: UInt64
        do {
            type = try reader.u8()
            declared = try reader.varint()
        } catch {
            // A varint can only fail here by running out of bytes or running past 64 bits.
            if reader.isAtEnd { throw BitstreamError.truncatedUnit(offset: offset) }
            throw BitstreamError.malformedPayload(type: bytes[offset], offset: offset, reason: "bad length field")
        }
        let payloadOffset = reader.position
        let available = bytes.count - payloadOffset
        guard declared <= UInt64(available) else {
            throw BitstreamError.lengthExceedsFile(offset: offset, declared: declared, available: available)
        }
        guard declared <= UInt64(FormatLimits.maxPayloadLength) else {
            throw BitstreamError.implausibleValue(field: "unit payload length", value: Int64(declared),
                                                  limit: "at most \(FormatLimits.maxPayloadLength) bytes")
        }
        let length = Int(declared)
        guard available - length >= crcSize else { throw BitstreamError.truncatedUnit(offset: offset) }
        let info = UnitInfo(offset: offset, type: type, payloadOffset: payloadOffset, payloadLength: length)
        let crcOffset = payloadOffset + length
        var crcReader = ByteReader(bytes, range: crcOffset..<(crcOffset + crcSize))
        let stored = try crcReader.u32LE()
        let computed = CRC32.checksum(bytes[offset..<crcOffset])
        return (info, stored, computed)
    }

    /// The framing of the unit at `offset`, after checking its CRC.
    static func checkedUnit(_ bytes: [UInt8], at offset: Int) throws -> UnitInfo {
        let (info, stored, computed) = try locate(bytes, at: offset)
        guard stored == computed else {
            throw BitstreamError.crcMismatch(type: info.type, offset: offset, stored: stored, computed: computed)
        }
        return info
    }
}
