/// Everything that can be wrong with an AGC bitstream, or with values handed to the writer.
/// Offsets are byte offsets from the start of the file; the description is one line that names
/// the problem, to which a caller adds the file name.
public enum BitstreamError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file does not start with the AGC magic bytes.
    case badMagic
    /// The file's major version is one this reader does not implement.
    case unsupportedVersion(major: UInt8, minor: UInt8)
    /// The file ends inside the unit (or file header) that starts at `offset`.
    case truncatedUnit(offset: Int)
    /// The unit's stored CRC-32 does not match its bytes.
    case crcMismatch(type: UInt8, offset: Int, stored: UInt32, computed: UInt32)
    /// The unit declares a payload longer than what is left of the file.
    case lengthExceedsFile(offset: Int, declared: UInt64, available: Int)
    /// A unit type this reader does not know, with the critical bit set.
    case unknownCriticalUnit(type: UInt8, offset: Int)
    /// A unit's payload cannot be parsed or holds a value outside the format's limits.
    case malformedPayload(type: UInt8, offset: Int, reason: String)
    /// A header value beyond what the format allows (e.g. a frame size of 100000).
    case implausibleValue(field: String, value: Int64, limit: String)
    /// The first unit is not a sequence header.
    case missingSequenceHeader(offset: Int)
    /// Units continue after the end of the file without an end-of-stream unit.
    case missingEndOfStream
    /// The bytes after the end-of-stream unit are not a valid trailer.
    case badTrailer(reason: String)
    /// Range-coded keypoint data that cannot have been produced by an encoder.
    case corruptKeypointData(firstFrame: Int, reason: String)
    /// A value passed to the writer or a coder that the format cannot carry.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .badMagic:
            return "not an AGC bitstream (bad magic bytes)"
        case let .unsupportedVersion(major, minor):
            return "unsupported AGC format version \(major).\(minor) (this reader implements "
                + "\(FormatVersion.current.major).x)"
        case let .truncatedUnit(offset):
            return "truncated: the file ends inside the unit at byte offset \(offset)"
        case let .crcMismatch(type, offset, stored, computed):
            return "CRC mismatch in \(UnitType.name(of: type)) unit at byte offset \(offset) (stored "
                + "\(hex(stored)), computed \(hex(computed)))"
        case let .lengthExceedsFile(offset, declared, available):
            return "unit at byte offset \(offset) declares \(declared) payload bytes but only \(available) remain"
        case let .unknownCriticalUnit(type, offset):
            return "unknown critical unit type \(hex(type)) at byte offset \(offset): this file needs a newer decoder"
        case let .malformedPayload(type, offset, reason):
            return "malformed \(UnitType.name(of: type)) unit at byte offset \(offset): \(reason)"
        case let .implausibleValue(field, value, limit):
            return "implausible \(field) = \(value) (allowed: \(limit))"
        case let .missingSequenceHeader(offset):
            return "no sequence header: the unit at byte offset \(offset) must be one"
        case .missingEndOfStream:
            return "truncated: the stream has no end-of-stream unit"
        case let .badTrailer(reason):
            return "bad trailer: \(reason)"
        case let .corruptKeypointData(firstFrame, reason):
            return "corrupt keypoint data in the run starting at frame \(firstFrame): \(reason)"
        case let .invalidArgument(message):
            return "invalid argument: \(message)"
        }
    }
}

private func hex<T: FixedWidthInteger>(_ value: T) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: max(0, T.bitWidth / 4 - digits.count)) + digits
}
