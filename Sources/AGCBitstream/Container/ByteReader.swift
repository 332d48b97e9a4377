import Foundation

/// Why a payload could not be parsed; the unit reader turns it into a `BitstreamError` that names
/// the unit and its offset.
struct PayloadError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Reads the format's primitive fields from a bounded region of a byte array. Every read checks
/// the bounds and throws `PayloadError` rather than trapping.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        position = range.lowerBound
        end = range.upperBound
    }

    init(_ bytes: [UInt8]) { self.init(bytes, range: 0..<bytes.count) }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    mutating func u8() throws -> UInt8 {
        guard position < end else { throw PayloadError("payload ends early") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u32LE() throws -> UInt32 {
        var value: UInt32 = 0
        for shift in stride(from: 0, to: 32, by: 8) { value |= UInt32(try u8()) << shift }
        return value
    }

    mutating func u64LE() throws -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) { value |= UInt64(try u8()) << shift }
        return value
    }

    /// An unsigned LEB128 value of at most 10 bytes that fits 64 bits.
    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<10 {
            let byte = try u8()
            let group = UInt64(byte & 0x7F)
            if index == 9 && group > 1 { throw PayloadError("varint overflows 64 bits") }
            value |= group << UInt64(7 * index)
            if byte & 0x80 == 0 { return value }
        }
        throw PayloadError("varint longer than 10 bytes")
    }

    /// A varint that must lie in `range`; `field` names it in the error.
    mutating func varint(_ field: String, in range: ClosedRange<Int>) throws -> Int {
        let value = try varint()
        guard value <= UInt64(Int.max), range.contains(Int(value)) else {
            throw PayloadError("\(field) = \(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(value)
    }

    /// A run's first frame and frame count (two varints), the count in `counts`, the run ending
    /// within the frame-number limit.
    mutating func frameSpan(counts: ClosedRange<Int>) throws -> (first: Int, count: Int) {
        let first = try varint("first frame", in: 0...(FormatLimits.maxFrameCount - 1))
        let count = try varint("frame count", in: counts)
        guard first + count <= FormatLimits.maxFrameCount else {
            throw PayloadError("frames \(first)+\(count) run past the frame-number limit")
        }
        return (first, count)
    }

    /// A zigzag-mapped signed varint.
    mutating func signedVarint() throws -> Int64 {
        let value = try varint()
        return Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    mutating func raw(count: Int) throws -> [UInt8] {
        guard count >= 0, count <= remaining else {
            throw PayloadError("field of \(count) bytes exceeds the \(remaining) bytes left in the payload")
        }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    /// A varint byte count followed by that many bytes (at most `limit`).
    mutating func blob(_ field: String, limit: Int = Int.max) throws -> [UInt8] {
        let count = try varint(field + " length", in: 0...min(limit, remaining))
        return try raw(count: count)
    }

    /// A blob that must be valid UTF-8.
    mutating func string(_ field: String, limit: Int) throws -> String {
        let data = try blob(field, limit: limit)
        guard let text = String(bytes: data, encoding: .utf8) else {
            throw PayloadError("\(field) is not valid UTF-8")
        }
        return text
    }
}
