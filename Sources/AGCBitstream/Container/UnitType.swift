/// The unit types of format 1.4: the one table of type numbers (docs/bitstream.md refers here).
///
/// Bit 7 of a type is its critical bit: a reader that meets an unknown type skips it by its
/// length when the bit is clear and refuses the file when it is set.
public enum UnitType: UInt8, CaseIterable, Codable, Sendable {
    /// Coding parameters of the whole stream; always the first unit.
    case sequenceHeader = 0x81
    /// One random-access key picture: frame number and the key-frame codec's packet, which
    /// decodes on its own (an IDR / AV1 key frame).
    case keyFrame = 0x82
    /// Modes and keypoints of a run of frames, range coded.
    case keypointRun = 0x83
    /// Parameters of the audio stream, once, before its packets.
    case audioConfig = 0x04
    /// A group of audio packets with their timestamps.
    case audioPackets = 0x05
    /// Hashes of decoded pictures, for conformance checks.
    case pictureHashes = 0x06
    /// Byte offsets of key frames and keypoint runs, near the end of the file.
    case index = 0x07
    /// The last unit of the stream; the trailer follows it.
    case endOfStream = 0x08
    /// A key picture predicted from the earlier key pictures since the last random-access one
    /// (format 1.1): the same fields as a key frame. Critical: a 1.0 reader must refuse it.
    case predictedKeyFrame = 0x84
    /// A keypoint run whose generated frames also say which key picture they are animated from
    /// (format 1.2): the same fields as a keypoint run. Critical: a 1.1 reader must refuse it.
    case referencedKeypointRun = 0x85
    /// A predicted key picture and the keypoint run of the frames after it in one unit, the key
    /// picture's keypoints coded first in the run, against the keypoints of the frames before it
    /// (format 1.3). Critical: a 1.2 reader must refuse it.
    case predictedKeyFrameWithRun = 0x86
    /// A group of audio packets whose timestamps and durations follow from the previous packet
    /// unless a packet says otherwise (format 1.3): the packets of 0x05 in about 2 bytes of
    /// framing each instead of 5. Ancillary, like 0x05.
    case chainedAudioPackets = 0x09
    /// The camera's motion at each of a run of frames (format 1.4): the affine map the key
    /// picture is moved by before the network animates it. Critical: a 1.3 reader must refuse it.
    case cameraMotion = 0x87

    /// Whether the unit is a key picture (0x82, 0x84, 0x86).
    public var isKeyPicture: Bool { [.keyFrame, .predictedKeyFrame, .predictedKeyFrameWithRun].contains(self) }
    /// Whether the unit is a keypoint run of its own (0x83, 0x85).
    public var isKeypointRun: Bool { self == .keypointRun || self == .referencedKeypointRun }

    /// The critical bit.
    public static let criticalBit: UInt8 = 0x80

    /// Whether a raw type byte has its critical bit set.
    public static func isCritical(_ type: UInt8) -> Bool { type & criticalBit != 0 }

    /// A readable name for a raw type byte (known or not).
    public static func name(of type: UInt8) -> String {
        guard let known = UnitType(rawValue: type) else {
            return "unknown " + (isCritical(type) ? "critical" : "ancillary") + " type \(type)"
        }
        return known.name
    }

    /// The name used in messages and inspection output, e.g. "keypoint run".
    public var name: String {
        switch self {
        case .sequenceHeader: return "sequence header"
        case .keyFrame: return "key frame"
        case .keypointRun: return "keypoint run"
        case .audioConfig: return "audio config"
        case .audioPackets: return "audio packets"
        case .pictureHashes: return "picture hashes"
        case .index: return "index"
        case .endOfStream: return "end of stream"
        case .predictedKeyFrame: return "predicted key frame"
        case .referencedKeypointRun: return "keypoint run with references"
        case .predictedKeyFrameWithRun: return "predicted key frame with run"
        case .chainedAudioPackets: return "audio packets, chained"
        case .cameraMotion: return "camera motion"
        }
    }
}
