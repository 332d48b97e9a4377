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
    /// Whether the key picture's keypoints (optional field 1) are coded against the keypoint
    /// predictor of the frames before it rather than from nothing: unit 0x86 (format 1.3), a
    /// predicted key picture only.
    public var keypointsArePredicted: Bool

    public init(frameNumber: Int, packet: [UInt8], optionalFields: [OptionalField] = [], isRandomAccess: Bool = true,
                keypointsArePredicted: Bool = false) {
        self.frameNumber = frameNumber
        self.packet = packet
        self.optionalFields = optionalFields
        self.isRandomAccess = isRandomAccess
        self.keypointsArePredicted = keypointsArePredicted
    }
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

/// The payload of a predicted key picture unit whose keypoints are predicted (0x86, format 1.3):
/// a key frame's fields under a third type.
struct PredictedKeypointsKeyFrame: UnitPayload {
    static var unitType: UnitType { .predictedKeyFrameWithPredictedKeypoints }
    var keyFrame: KeyFrame

    init(_ keyFrame: KeyFrame) { self.keyFrame = keyFrame }

    func encode(into writer: inout ByteWriter) { keyFrame.encode(into: &writer) }

    init(from reader: inout ByteReader) throws {
        keyFrame = try KeyFrame(from: &reader)
        keyFrame.isRandomAccess = false
        keyFrame.keypointsArePredicted = true
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
