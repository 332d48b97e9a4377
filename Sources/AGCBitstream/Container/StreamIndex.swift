/// Where the key frames and keypoint runs are: written as the index unit at the end of the
/// stream, or rebuilt by scanning the units when the trailer is missing or damaged.
public struct StreamIndex: Hashable, Codable, Sendable {
    /// A frame number and the byte offset (from the start of the file) of the unit that starts it.
    public struct Entry: Hashable, Codable, Sendable {
        public var frame: Int
        public var offset: Int

        public init(frame: Int, offset: Int) {
            self.frame = frame
            self.offset = offset
        }
    }

    /// Frames in the stream.
    public var frameCount: Int
    /// Every random-access key frame unit, by increasing frame number: where decoding can start.
    public var keyFrames: [Entry]
    /// Every keypoint run unit (frame = its first frame), in stream order.
    public var keypointRuns: [Entry]
    /// Every predicted key picture unit, by increasing frame number (format 1.1; appended
    /// list, empty in 1.0 streams).
    public var predictedKeyFrames: [Entry]

    public init(frameCount: Int, keyFrames: [Entry], keypointRuns: [Entry], predictedKeyFrames: [Entry] = []) {
        self.frameCount = frameCount
        self.keyFrames = keyFrames
        self.keypointRuns = keypointRuns
        self.predictedKeyFrames = predictedKeyFrames
    }

    /// Every key picture, random-access or predicted, by increasing frame number.
    public var keyPictureFrames: [Int] { (keyFrames + predictedKeyFrames).map(\.frame).sorted() }

    /// The last random-access key frame at or before `frame`: where decoding of `frame` starts.
    public func keyFrame(atOrBefore frame: Int) -> Entry? { keyFrames.last { $0.frame <= frame } }

    /// The keypoint runs after the key frame at `keyFrameOffset` (those a decoder seeking to that
    /// key frame reads).
    public func keypointRuns(after keyFrameOffset: Int) -> [Entry] {
        keypointRuns.filter { $0.offset > keyFrameOffset }
    }
}

extension StreamIndex: UnitPayload {
    static var unitType: UnitType { .index }

    func encode(into writer: inout ByteWriter) {
        writer.varint(frameCount)
        for entries in [keyFrames, keypointRuns] + (predictedKeyFrames.isEmpty ? [] : [predictedKeyFrames]) {
            writer.varint(entries.count)
            var previous = Entry(frame: 0, offset: 0)
            for entry in entries {
                writer.varint(entry.frame - previous.frame)
                writer.varint(entry.offset - previous.offset)
                previous = entry
            }
        }
    }

    init(from reader: inout ByteReader) throws {
        let frameCount = try reader.varint("frame count", in: 0...FormatLimits.maxFrameCount)
        var lists = [[Entry]]()
        for name in ["key frame", "keypoint run", "predicted key frame"] {
            // The third list is appended in format 1.1 and absent from 1.0 indexes.
            if lists.count == 2 && reader.remaining == 0 { lists.append([]); break }
            // Each entry takes at least 2 bytes, which bounds the count by the payload.
            let count = try reader.varint("\(name) entry count", in: 0...(reader.remaining / 2))
            var entries = [Entry]()
            var previous = Entry(frame: 0, offset: 0)
            for _ in 0..<count {
                let frame = previous.frame + (try reader.varint("frame step", in: 0...FormatLimits.maxFrameCount))
                let offset = previous.offset + (try reader.varint("offset step", in: 1...FormatLimits.maxOffset))
                guard frame <= FormatLimits.maxFrameCount, offset <= FormatLimits.maxOffset else {
                    throw PayloadError("\(name) entry beyond the format's limits")
                }
                previous = Entry(frame: frame, offset: offset)
                entries.append(previous)
            }
            lists.append(entries)
        }
        self.init(frameCount: frameCount, keyFrames: lists[0], keypointRuns: lists[1], predictedKeyFrames: lists[2])
    }
}

/// The end-of-stream unit; its payload is empty in format 1.0.
struct EndOfStream: UnitPayload {
    static var unitType: UnitType { .endOfStream }
    init() {}
    func encode(into writer: inout ByteWriter) {}
    init(from reader: inout ByteReader) throws {}
}
