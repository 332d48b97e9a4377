import Foundation

/// Reads an AGC stream held in memory: checks the file header and sequence header at creation,
/// loads the index from the trailer (or rebuilds it by scanning the units), and then gives
/// sequential or random access to the units.
public struct BitstreamReader: Sendable {
    /// Where the index came from.
    public enum IndexSource: Hashable, Codable, Sendable {
        /// The index unit the trailer points to.
        case trailer
        /// A scan of the units, because the trailer was missing or damaged (the reason).
        case rebuilt(reason: String)
    }

    /// The whole file.
    public let bytes: [UInt8]
    public let version: FormatVersion
    public let header: SequenceHeader
    /// The sequence header unit (always right after the file header).
    public let headerUnit: UnitInfo
    public let index: StreamIndex
    public let indexSource: IndexSource
    /// When the index was rebuilt: the error that stopped the scan, if it did not reach the end.
    public let scanError: BitstreamError?

    /// Reads a stream from `data`.
    public init(data: Data) throws { try self.init(bytes: [UInt8](data)) }

    /// Reads a stream from `bytes`.
    public init(bytes: [UInt8]) throws {
        self.bytes = bytes
        let magicCount = FormatVersion.magic.count
        guard Array(bytes.prefix(magicCount)) == Array(FormatVersion.magic.prefix(bytes.count)) else {
            throw BitstreamError.badMagic
        }
        guard bytes.count >= FormatVersion.fileHeaderSize else { throw BitstreamError.truncatedUnit(offset: 0) }
        version = FormatVersion(major: bytes[magicCount], minor: bytes[magicCount + 1])
        guard version.major == FormatVersion.current.major else {
            throw BitstreamError.unsupportedVersion(major: version.major, minor: version.minor)
        }
        let first = try BitstreamReader.decodeUnit(bytes, at: FormatVersion.fileHeaderSize)
        guard case .sequenceHeader(let header) = first.element else {
            throw BitstreamError.missingSequenceHeader(offset: FormatVersion.fileHeaderSize)
        }
        self.header = header
        headerUnit = first.info
        if let index = BitstreamReader.indexFromTrailer(bytes) {
            self.index = index
            indexSource = .trailer
            scanError = nil
        } else {
            let trailerProblem: String
            do { _ = try Trailer.indexOffset(in: bytes); trailerProblem = "the trailer's index is unreadable" } catch {
                trailerProblem = "\(error)"
            }
            (index, scanError) = BitstreamReader.rebuildIndex(bytes, from: first.info.endOffset,
                                                              headerFrameCount: header.frameCount)
            indexSource = .rebuilt(reason: trailerProblem)
        }
    }

    /// Frames in the stream: the header's count, or the index's when the header has 0.
    public var frameCount: Int { header.frameCount > 0 ? header.frameCount : index.frameCount }

    /// The unit at `offset`, CRC-checked and parsed.
    public func unit(at offset: Int) throws -> DecodedUnit { try BitstreamReader.decodeUnit(bytes, at: offset) }

    /// A cursor over the units from `offset` (by default the first unit after the sequence header).
    public func units(from offset: Int? = nil) -> UnitCursor {
        UnitCursor(bytes: bytes, offset: offset ?? headerUnit.endOffset)
    }

    /// Every unit from the sequence header to the end-of-stream unit, checked strictly: any damage,
    /// a missing end-of-stream unit or bytes after it other than a valid trailer is an error.
    public func readAll() throws -> [DecodedUnit] {
        var cursor = units(from: headerUnit.offset)
        var result = [DecodedUnit]()
        while let unit = try cursor.next() { result.append(unit) }
        let rest = bytes.count - cursor.position
        if rest != 0 {
            guard rest == Trailer.size else {
                throw BitstreamError.badTrailer(reason: "\(rest) bytes after the end-of-stream unit")
            }
            let offset = try Trailer.indexOffset(in: bytes)
            guard case .index = try unit(at: offset).element else {
                throw BitstreamError.badTrailer(reason: "offset \(offset) is not an index unit")
            }
        }
        return result
    }

    static func decodeUnit(_ bytes: [UInt8], at offset: Int) throws -> DecodedUnit {
        let info = try UnitFraming.checkedUnit(bytes, at: offset)
        return DecodedUnit(info: info, element: try BitstreamElement.parse(bytes, info))
    }

    private static func indexFromTrailer(_ bytes: [UInt8]) -> StreamIndex? {
        guard let offset = try? Trailer.indexOffset(in: bytes),
              let unit = try? decodeUnit(bytes, at: offset),
              case .index(let index) = unit.element else { return nil }
        let inside = (index.keyFrames + index.keypointRuns + index.predictedKeyFrames).allSatisfy { $0.offset < offset }
        return inside ? index : nil
    }

    /// Scans units from `offset` to the end-of-stream unit or the first damaged unit.
    static func rebuildIndex(_ bytes: [UInt8], from offset: Int, headerFrameCount: Int)
        -> (StreamIndex, BitstreamError?) {
        var keyFrames = [StreamIndex.Entry](), runs = [StreamIndex.Entry](), predicted = [StreamIndex.Entry]()
        var frames = 0
        var cursor = UnitCursor(bytes: bytes, offset: offset)
        var failure: BitstreamError?
        while true {
            do {
                guard let unit = try cursor.next() else { break }
                switch unit.element {
                case .keyFrame(let keyFrame):
                    let entry = StreamIndex.Entry(frame: keyFrame.frameNumber, offset: unit.info.offset)
                    if keyFrame.isRandomAccess { keyFrames.append(entry) } else { predicted.append(entry) }
                    frames = max(frames, keyFrame.endFrame)
                case .keypointRun(let run):
                    runs.append(StreamIndex.Entry(frame: run.firstFrame, offset: unit.info.offset))
                    frames = max(frames, run.firstFrame + run.frameCount)
                default:
                    break
                }
            } catch {
                failure = error as? BitstreamError ?? .invalidArgument("\(error)")
                break
            }
        }
        let count = headerFrameCount > 0 ? headerFrameCount : frames
        return (StreamIndex(frameCount: count, keyFrames: keyFrames, keypointRuns: runs, predictedKeyFrames: predicted),
                failure)
    }
}

/// Walks units one after another, stopping after the end-of-stream unit.
public struct UnitCursor: Sendable {
    private let bytes: [UInt8]
    /// The offset of the next unit (after the end-of-stream unit: where the trailer starts).
    public private(set) var position: Int
    private var finished = false

    init(bytes: [UInt8], offset: Int) {
        self.bytes = bytes
        position = offset
    }

    /// The next unit, or nil after the end-of-stream unit. Throws on damage, on an unknown critical
    /// unit, and when the file ends without an end-of-stream unit.
    public mutating func next() throws -> DecodedUnit? {
        guard !finished else { return nil }
        guard position < bytes.count else {
            finished = true
            throw BitstreamError.missingEndOfStream
        }
        let unit: DecodedUnit
        do { unit = try BitstreamReader.decodeUnit(bytes, at: position) } catch {
            finished = true
            throw error
        }
        position = unit.info.endOffset
        if case .endOfStream = unit.element { finished = true }
        return unit
    }
}
