/// An optional field of a key frame unit: a tag and opaque bytes. Format 1.0 defines no tags;
/// readers keep the ones they do not know and ignore them.
public struct OptionalField: Hashable, Codable, Sendable {
    public var tag: Int
    public var value: [UInt8]

    public init(tag: Int, value: [UInt8]) {
        self.tag = tag
        self.value = value
    }
}

/// A key picture: its frame number and the key-frame codec's packet (opaque to this module).
/// A random-access one (unit type 0x82) decodes on its own; a predicted one (0x84, format 1.1)
/// needs the key pictures before it back to the last random-access one.
public struct KeyFrame: Hashable, Sendable {
    public var frameNumber: Int
    public var packet: [UInt8]
    /// Tagged extras (the documented place for later additions, e.g. the key frame's keypoints).
    public var optionalFields: [OptionalField]
    /// Whether decoding can start here: the unit type, 0x82 (true) or 0x84 / 0x86 (false).
    public var isRandomAccess: Bool
    /// Unit 0x86 (format 1.3), a predicted key picture only: the key picture's keypoints and the
    /// frames after it, range coded together as one run whose first coded frame is the key
    /// picture itself (`firstFrame` = `frameNumber` + 1, `frameCount` the frames after it).
    /// Such a unit carries no keypoints field; nil for units 0x82 and 0x84.
    public var run: KeypointRun?

    public init(frameNumber: Int, packet: [UInt8], optionalFields: [OptionalField] = [], isRandomAccess: Bool = true,
                run: KeypointRun? = nil) {
        self.frameNumber = frameNumber
        self.packet = packet
        self.optionalFields = optionalFields
        self.isRandomAccess = isRandomAccess
        self.run = run
    }

    /// One past the last frame the unit covers.
    public var endFrame: Int { frameNumber + 1 + (run?.frameCount ?? 0) }
}

/// The payload of a predicted key picture unit (0x84): a key frame's fields under another type.
struct PredictedKeyFrame: UnitPayload {
    static var unitType: UnitType { .predictedKeyFrame }
    var keyFrame: KeyFrame

    init(_ keyFrame: KeyFrame) { self.keyFrame = keyFrame }

    func encode(into writer: inout ByteWriter) { keyFrame.encode(into: &writer) }

    init(from reader: inout ByteReader) throws {
        keyFrame = try KeyFrame(from: &reader)
        keyFrame.isRandomAccess = false
    }
}

/// The payload of a predicted key picture with its run (0x86, format 1.3): a key frame's fields,
/// then the run's frame count, its flags (bit 0: generated frames name their key picture, as in
/// unit 0x85) and its coded data.
struct KeyFrameWithRun: UnitPayload {
    static var unitType: UnitType { .predictedKeyFrameWithRun }
    var keyFrame: KeyFrame

    init(_ keyFrame: KeyFrame) { self.keyFrame = keyFrame }

    func encode(into writer: inout ByteWriter) {
        keyFrame.encode(into: &writer)
        let run = keyFrame.run ?? KeypointRun(firstFrame: keyFrame.frameNumber + 1, frameCount: 0, codedData: [])
        writer.varint(run.frameCount)
        writer.varint(run.codesReferences ? 1 : 0)
        writer.blob(run.codedData)
    }

    init(from reader: inout ByteReader) throws {
        keyFrame = try KeyFrame(from: &reader)
        keyFrame.isRandomAccess = false
        let first = keyFrame.frameNumber + 1
        let count = try reader.varint("frame count", in: 0...FormatLimits.maxRunFrames)
        guard first + count <= FormatLimits.maxFrameCount else {
            throw PayloadError("frames \(first)+\(count) run past the frame-number limit")
        }
        let flags = try reader.varint("run flags", in: 0...1)
        keyFrame.run = KeypointRun(firstFrame: first, frameCount: count, codedData: try reader.blob("coded data"),
                                   codesReferences: flags == 1)
    }
}

extension KeyFrame: UnitPayload {
    static var unitType: UnitType { .keyFrame }

    func encode(into writer: inout ByteWriter) {
        writer.varint(frameNumber)
        writer.blob(packet)
        writer.varint(optionalFields.count)
        for field in optionalFields {
            writer.varint(field.tag)
            writer.blob(field.value)
        }
    }

    init(from reader: inout ByteReader) throws {
        let frameNumber = try reader.varint("frame number", in: 0...(FormatLimits.maxFrameCount - 1))
        let packet = try reader.blob("packet")
        let count = try reader.varint("optional field count", in: 0...FormatLimits.maxListEntries)
        var fields = [OptionalField]()
        for _ in 0..<count {
            let tag = try reader.varint("optional field tag", in: 0...Int(UInt32.max))
            fields.append(OptionalField(tag: tag, value: try reader.blob("optional field")))
        }
        self.init(frameNumber: frameNumber, packet: packet, optionalFields: fields)
    }
}
