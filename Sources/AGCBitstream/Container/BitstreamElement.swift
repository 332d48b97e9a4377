/// The parsed content of one unit.
public enum BitstreamElement: Hashable, Sendable {
    case sequenceHeader(SequenceHeader)
    /// A key picture, random-access (0x82) or predicted (0x84, or 0x86 with its run):
    /// `KeyFrame.isRandomAccess`, `KeyFrame.run`.
    case keyFrame(KeyFrame)
    /// A keypoint run, with (0x85) or without (0x83) references: `KeypointRun.codesReferences`.
    case keypointRun(KeypointRun)
    /// The camera's maps of a run of frames (0x87, format 1.4).
    case cameraMotion(CameraRun)
    case audioConfig(AudioConfig)
    case audioPackets([AudioPacket])
    case pictureHashes(PictureHashes)
    case index(StreamIndex)
    case endOfStream
    /// A unit type this reader does not know, without the critical bit: skip it.
    case unknown(type: UInt8, payload: [UInt8])
}

/// A unit's place in the file and its parsed content.
public struct DecodedUnit: Hashable, Sendable {
    public let info: UnitInfo
    public let element: BitstreamElement
}

extension BitstreamElement {
    /// Parses the payload of the CRC-checked unit `info`; unknown critical types are refused.
    static func parse(_ bytes: [UInt8], _ info: UnitInfo) throws -> BitstreamElement {
        var reader = ByteReader(bytes, range: info.payloadRange)
        do {
            guard let type = UnitType(rawValue: info.type) else {
                if UnitType.isCritical(info.type) {
                    throw BitstreamError.unknownCriticalUnit(type: info.type, offset: info.offset)
                }
                return .unknown(type: info.type, payload: Array(bytes[info.payloadRange]))
            }
            switch type {
            case .sequenceHeader: return .sequenceHeader(try SequenceHeader(from: &reader))
            case .keyFrame: return .keyFrame(try KeyFrame(from: &reader))
            case .predictedKeyFrame: return .keyFrame(try PredictedKeyFrame(from: &reader).keyFrame)
            case .predictedKeyFrameWithRun: return .keyFrame(try KeyFrameWithRun(from: &reader).keyFrame)
            case .keypointRun: return .keypointRun(try KeypointRun(from: &reader))
            case .referencedKeypointRun: return .keypointRun(try ReferencedKeypointRun(from: &reader).run)
            case .cameraMotion: return .cameraMotion(try CameraRun(from: &reader))
            case .audioConfig: return .audioConfig(try AudioConfig(from: &reader))
            case .audioPackets: return .audioPackets(try AudioPacketGroup(from: &reader).packets)
            case .chainedAudioPackets: return .audioPackets(try ChainedAudioPacketGroup(from: &reader).packets)
            case .pictureHashes: return .pictureHashes(try PictureHashes(from: &reader))
            case .index: return .index(try StreamIndex(from: &reader))
            case .endOfStream: return .endOfStream
            }
        } catch let error as PayloadError {
            throw BitstreamError.malformedPayload(type: info.type, offset: info.offset, reason: error.reason)
        }
    }
}
