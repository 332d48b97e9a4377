/// A unit payload this module knows how to write and parse.
protocol UnitPayload: Equatable {
    /// The unit type that carries it.
    static var unitType: UnitType { get }
    /// Appends the payload's fields (format 1.0 layout).
    func encode(into writer: inout ByteWriter)
    /// Parses the fields of format 1.0, checking every value against `FormatLimits`; bytes after
    /// them (fields appended by a later minor version) are ignored.
    init(from reader: inout ByteReader) throws
}
