/// Hashes of decoded pictures for consecutive frames, so a decoder can check it rebuilds what
/// the encoder's decoder did. The hashed bytes are the decoded picture as packed RGB24 rows,
/// top to bottom, at the coded size. One hash covers `framesPerHash` consecutive pictures (their
/// bytes one after another); groups are aligned to frame numbers that are multiples of it, and
/// the last group of a stream may be shorter.
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
    /// One hash per group of frames from `firstFrame`, all `hashLength` (1...32) bytes long.
    public var hashes: [[UInt8]]
    /// Frames each hash covers (1: one hash per frame). Appended field: 1 when absent.
    public var framesPerHash: Int

    public init(algorithm: Algorithm = .sha256, firstFrame: Int, hashes: [[UInt8]], framesPerHash: Int = 1) {
        self.algorithm = algorithm
        self.firstFrame = firstFrame
        self.hashes = hashes
        self.framesPerHash = framesPerHash
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
        writer.varint(framesPerHash)
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
        let group = reader.remaining > 0 ? try reader.varint("frames per hash", in: 1...FormatLimits.maxRunFrames) : 1
        self.init(algorithm: algorithm, firstFrame: firstFrame, hashes: hashes, framesPerHash: group)
    }
}
