import AGCBitstream
import AGCFPGA
import Foundation

/// `agc-decode --inspect`: a stream's header, units (type, offset, size, CRC status), bits per
/// frame and key-frame positions, as text or as ffprobe-style JSON.
public enum Inspection {
    /// Bits attributed to one frame: a key picture's unit, or its share (an even split) of the
    /// keypoint run unit that covers it, plus its share of the camera-motion unit that covers it.
    public struct FrameBits: Codable, Sendable {
        public var frame: Int
        /// "key" (a random-access key picture), "predicted key" or "keypoints".
        public var type: String
        public var bits: Double
    }

    public struct Format: Codable, Sendable {
        public var filename: String
        public var size: Int
        public var version: String?
        public var frameCount: Int?
        public var duration: Double?
        public var bitRate: Double?
        public var trailer: String
        public var error: String?
    }

    public struct Output: Codable, Sendable {
        public var format: Format
        public var header: SequenceHeader?
        /// Whether this decoder has the model the header names: "current" (the package's),
        /// "retired" (an earlier model the package keeps) or "missing" (not decodable here).
        public var model: String?
        public var units: [UnitSummary]
        public var keyFrames: [Int]
        /// The random-access key pictures among `keyFrames` (where decoding can start).
        public var randomAccessPoints: [Int]
        public var bytesByKind: [String: Int]
        public var frames: [FrameBits]
    }

    /// Inspects the file at `path` (never stops at the first damaged unit: each unit's CRC status
    /// is reported).
    public static func inspect(path: String) throws -> Output {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CodecError.input("\(path): cannot read: \((error as NSError).localizedDescription)")
        }
        let report = BitstreamInspector.inspect([UInt8](data))
        var frames: [FrameBits] = []
        var cameraBits: [Int: Double] = [:]  // format 1.4: a camera-motion unit's bytes, split evenly over its frames
        for unit in report.units where unit.crcOK {
            guard let first = unit.frame else { continue }
            let type = UnitType(rawValue: unit.type)
            if type?.isKeyPicture == true {
                let kind = type == .keyFrame ? "key" : "predicted key"
                // A 0x86 unit's run codes the key picture's keypoints and the frames after it:
                // its bytes are shared among those frames, the rest is the key picture's.
                let runBits = Double(8 * (unit.runDataSize ?? 0)), covered = Double(unit.frameCount ?? 1)
                frames.append(FrameBits(frame: first, type: kind, bits: Double(8 * unit.size) - runBits + runBits / covered))
                for f in (first + 1)..<(first + (unit.frameCount ?? 1)) {
                    frames.append(FrameBits(frame: f, type: "keypoints", bits: runBits / covered))
                }
            } else if let count = unit.frameCount, count > 0,
                      type?.isKeypointRun == true {
                for f in first..<(first + count) {
                    frames.append(FrameBits(frame: f, type: "keypoints", bits: Double(8 * unit.size) / Double(count)))
                }
            } else if let count = unit.frameCount, count > 0, type == .cameraMotion {
                for f in first..<(first + count) { cameraBits[f, default: 0] += Double(8 * unit.size) / Double(count) }
            }
        }
        for i in frames.indices { frames[i].bits += cameraBits[frames[i].frame] ?? 0 }
        frames.sort { $0.frame < $1.frame }
        let frameCount = frames.count
        let fps = report.header.map { $0.frameRate.doubleValue } ?? 0
        let duration = fps > 0 && frameCount > 0 ? Double(frameCount) / fps : nil
        let format = Format(filename: path, size: report.fileSize,
                            version: report.version.map { "\($0.major).\($0.minor)" }, frameCount: frameCount,
                            duration: duration, bitRate: duration.map { Double(report.fileSize * 8) / $0 },
                            trailer: report.trailer, error: report.error)
        let catalog = try? ModelCatalog.shipped()
        let model = report.header.map { catalog?.entry(forStreamModel: $0.modelHashHex)?.origin.rawValue ?? "missing" }
        return Output(format: format, header: report.header, model: model, units: report.units, keyFrames: report.keyFrameNumbers,
                      randomAccessPoints: report.randomAccessFrameNumbers, bytesByKind: report.bytesByKind, frames: frames)
    }

    /// The inspection as text for people, or as JSON (snake_case keys, like ffprobe).
    public static func render(path: String, json: Bool) throws -> String {
        let out = try inspect(path: path)
        if json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: try encoder.encode(out), as: UTF8.self)
        }
        var lines = ["\(path): \(out.format.size) bytes, format \(out.format.version ?? "?"), trailer \(out.format.trailer)"]
        if let h = out.header {
            lines.append("  coded \(h.codedWidth)x\(h.codedHeight) at \(h.frameRate) fps, crop \(h.crop.x),\(h.crop.y),"
                + "\(h.crop.width),\(h.crop.height) of \(h.sourceWidth)x\(h.sourceHeight) (rotation \(h.rotation))")
            lines.append("  model \(h.modelIdentifier) sha256 \(h.modelHashHex.prefix(16))... (\(out.model ?? "missing") here), "
                + "\(h.keypointCount) keypoints, "
                + "step 1/\(h.keypointStepDenominator), key frames \(h.keyFrameCodec), audio \(h.hasAudio ? "yes" : "no")")
        }
        if let d = out.format.duration, let rate = out.format.bitRate {
            lines.append(String(format: "  %d frames, %.2f s, %.2f kb/s", out.format.frameCount ?? 0, d, rate / 1000))
        }
        lines.append("  bytes: " + out.bytesByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("  key frames at: " + out.keyFrames.map(String.init).joined(separator: " "))
        if out.randomAccessPoints.count != out.keyFrames.count {
            lines.append("  random-access key frames at: " + out.randomAccessPoints.map(String.init).joined(separator: " ")
                + " (the others are predicted key pictures)")
        }
        // The type column is as wide as the longest name in this stream.
        let width = max(22, (out.units.map { $0.typeName.count }.max() ?? 0) + 8)
        lines.append("  offset      type" + String(repeating: " ", count: width - 8) + "size  crc  frames")
        for u in out.units {
            let frames = u.frame.map { f in u.frameCount.map { "\(f)-\(f + $0 - 1)" } ?? "\(f)" } ?? ""
            let offset = String(u.offset), size = String(u.size)
            lines.append("  " + offset + String(repeating: " ", count: max(1, 12 - offset.count)) + u.typeName
                + String(repeating: " ", count: max(1, width - u.typeName.count - size.count)) + size
                + "  " + (u.crcOK ? "ok " : "BAD") + "  " + frames + (u.problem.map { "  \($0)" } ?? ""))
        }
        if let e = out.format.error { lines.append("  error: \(e)") }
        return lines.joined(separator: "\n")
    }
}
