/// Hashes of decoded pictures for consecutive frames, so a decoder can check it rebuilds what
/// the encoder's decoder did. The hashed bytes are the decoded picture as packed RGB24 rows,
/// top to bottom, at the coded size.
public struct PictureHashes: Hashable, Codable, Sendable {
    /// How the hashes are computed.
    public struct Algorithm: RawRepresentable, Hashable, Codable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// SHA-256, truncated to the first `hashLength` bytes.
        public static let sha256 = Algorithm(rawValue: 1)
    }

    public var algorithm: Algorithm
    public var firstFrame: Int
    /// One hash per frame from `firstFrame`, all `hashLength` (1...32) bytes long.
    public var hashes: [[UInt8]]

    public init(algorithm: Algorithm = .sha256, firstFrame: Int, hashes: [[UInt8]]) {
        self.algorithm = algorithm
        self.firstFrame = firstFrame
        self.hashes = hashes
    }

    /// The length of every hash (0 when there are none).
    public var hashLength: Int { hashes.first?.count ?? 0 }
}

extension PictureHashes: UnitPayload {
    static var unitType: UnitType { .pictureHashes }

    func encode(into writer: inout ByteWriter) {
        writer.u8(algorithm.rawValue)
        writer.u8(UInt8(truncatingIfNeeded: hashLength))
        writer.varint(firstFrame)
        writer.varint(hashes.count)
        for hash in hashes { writer.raw(hash) }
    }

    init(from reader: inout ByteReader) throws {
        let algorithm = Algorithm(rawValue: try reader.u8())
        let length = Int(try reader.u8())
        guard length <= 32 else { throw PayloadError("hash length \(length) is over 32") }
        let firstFrame = try reader.varint("first frame", in: 0...(FormatLimits.maxFrameCount - 1))
        let count = try reader.varint("hash count", in: 0...FormatLimits.maxRunFrames)
        guard length > 0 || count == 0 else { throw PayloadError("hashes of length 0") }
        guard count * length <= reader.remaining else { throw PayloadError("\(count) hashes exceed the payload") }
        var hashes = [[UInt8]]()
        for _ in 0..<count { hashes.append(try reader.raw(count: length)) }
        self.init(algorithm: algorithm, firstFrame: firstFrame, hashes: hashes)
    }
}
