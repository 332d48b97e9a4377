import Foundation

/// One line of an inspection: a unit's place, size, CRC status and, where it has them, frames.
public struct UnitSummary: Hashable, Codable, Sendable {
    public var offset: Int
    public var type: UInt8
    public var typeName: String
    public var critical: Bool
    /// All bytes of the unit (type, length, payload, CRC).
    public var size: Int
    public var payloadSize: Int
    public var crcOK: Bool
    /// The key frame's number, or a keypoint run's / hash unit's first frame.
    public var frame: Int?
    /// Frames a keypoint run, a key frame with its run (0x86) or hash unit covers.
    public var frameCount: Int?
    /// Bytes of a 0x86 unit's range-coded run (the key picture's keypoints and the frames after it).
    public var runDataSize: Int?
    /// Why the payload could not be parsed, if it could not.
    public var problem: String?
}

/// The result of inspecting a file: what a tool prints, or serialises with `JSONEncoder`.
public struct InspectionReport: Hashable, Codable, Sendable {
    public var fileSize: Int
    public var version: FormatVersion?
    public var header: SequenceHeader?
    public var units: [UnitSummary]
    /// "valid", "absent" or what is wrong with it.
    public var trailer: String
    /// The first problem that stopped the walk through the units, if any.
    public var error: String?
    /// Bytes by kind: "key frames", "keypoints", "audio", and "overhead" (file header, sequence
    /// header, index, hashes, end of stream, trailer, unknown units).
    public var bytesByKind: [String: Int]
    /// Key-frame numbers (random-access and predicted key pictures), in order.
    public var keyFrameNumbers: [Int]
    /// The random-access key frames among them.
    public var randomAccessFrameNumbers: [Int] = []
}

/// Lists the units of a file without stopping at the first bad CRC, for tools such as
/// `agc-decode --inspect`. It never throws: problems are reported in the result.
public enum BitstreamInspector {
    /// Inspects the file in `bytes`.
    public static func inspect(_ bytes: [UInt8]) -> InspectionReport {
        var report = InspectionReport(fileSize: bytes.count, units: [], trailer: "absent", bytesByKind: [:],
                                      keyFrameNumbers: [])
        guard bytes.count >= FormatVersion.fileHeaderSize,
              Array(bytes.prefix(FormatVersion.magic.count)) == FormatVersion.magic else {
            report.error = "\(BitstreamError.badMagic)"
            return report
        }
        report.version = FormatVersion(major: bytes[4], minor: bytes[5])
        report.bytesByKind["overhead"] = FormatVersion.fileHeaderSize
        var offset = FormatVersion.fileHeaderSize
        var sawEnd = false
        while offset < bytes.count && !sawEnd {
            do {
                let (info, stored, computed) = try UnitFraming.locate(bytes, at: offset)
                var summary = UnitSummary(offset: offset, type: info.type, typeName: info.typeName,
                                          critical: UnitType.isCritical(info.type), size: info.size,
                                          payloadSize: info.payloadLength, crcOK: stored == computed)
                if summary.crcOK { describe(bytes, info, into: &summary, report: &report) }
                report.bytesByKind[kind(of: info.type), default: 0] += info.size
                report.units.append(summary)
                sawEnd = info.type == UnitType.endOfStream.rawValue
                offset = info.endOffset
            } catch {
                report.error = "\(error)"
                break
            }
        }
        if sawEnd && offset < bytes.count {
            do {
                _ = try Trailer.indexOffset(in: bytes)
                let stray = bytes.count - offset - Trailer.size
                report.trailer = stray == 0 ? "valid" : "valid, after \(stray) stray bytes"
                report.bytesByKind["overhead", default: 0] += Trailer.size
            } catch {
                report.trailer = "\(error)"
            }
        } else if !sawEnd && report.error == nil {
            report.error = "\(BitstreamError.missingEndOfStream)"
        }
        return report
    }

    /// Inspects the file in `data`.
    public static func inspect(_ data: Data) -> InspectionReport { inspect([UInt8](data)) }

    private static func kind(of type: UInt8) -> String {
        let known = UnitType(rawValue: type)
        if known?.isKeyPicture == true { return "key frames" }
        if known?.isKeypointRun == true || known == .cameraMotion { return "keypoints" }
        switch known {
        case .audioConfig, .audioPackets, .chainedAudioPackets: return "audio"
        default: return "overhead"
        }
    }

    private static func describe(_ bytes: [UInt8], _ info: UnitInfo, into summary: inout UnitSummary,
                                 report: inout InspectionReport) {
        do {
            switch try BitstreamElement.parse(bytes, info) {
            case .sequenceHeader(let header):
                if report.header == nil { report.header = header }
            case .keyFrame(let keyFrame):
                summary.frame = keyFrame.frameNumber
                if let run = keyFrame.run {
                    summary.frameCount = 1 + run.frameCount
                    summary.runDataSize = run.codedData.count
                }
                report.keyFrameNumbers.append(keyFrame.frameNumber)
                if keyFrame.isRandomAccess { report.randomAccessFrameNumbers.append(keyFrame.frameNumber) }
            case .keypointRun(let run):
                summary.frame = run.firstFrame
                summary.frameCount = run.frameCount
            case .cameraMotion(let camera):
                summary.frame = camera.firstFrame
                summary.frameCount = camera.frameCount
            case .pictureHashes(let hashes):
                summary.frame = hashes.firstFrame
                summary.frameCount = hashes.hashes.count * hashes.framesPerHash
            default:
                break
            }
        } catch {
            summary.problem = "\(error)"
        }
    }
}
