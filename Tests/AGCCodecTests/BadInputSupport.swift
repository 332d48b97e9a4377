import AGCBitstream
import AGCMedia
import XCTest
@testable import AGCCodec

/// What the bad-input tests share (docs/bad-input.md): a scratch folder per test, inputs made
/// with ffmpeg from the bundled sample, streams rewritten or re-framed by hand, the library's
/// encoder and decoder, and the built command-line tools.
class BadInputTestCase: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardized.path
    static let sample = (root as NSString).appendingPathComponent("samples/talking-head.mp4")

    var dir = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("agc-bad-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }

    func files() -> Set<String> { Set((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []) }

    func encode(_ input: String, _ output: String, crop: CropMode = .full) throws -> EncodeSummary {
        var options = EncoderOptions()
        options.progress = false
        options.crop = crop
        options.maxKeyInterval = 4  // a predicted key picture at frame 4: the stream holds every unit type
        return try Encoder(options: options, backend: BackendKind.emulator.make()).encode(input: input, output: output)
    }

    @discardableResult
    func decode(_ input: String, _ output: String) throws -> DecodeSummary {
        var options = DecoderOptions()
        options.progress = false
        // As agc-decode does: the stream's model among the package's.
        return try Decoder(backend: .byStreamModel(.emulator, catalog: try .shipped()), options: options)
            .decode(input: input, output: output)
    }

    /// The error's message names `file`, and the folder holds only `expected` afterwards.
    func assertFails(naming file: String, leaving expected: Set<String>, _ body: () throws -> Void,
                     line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { error in
            XCTAssertTrue("\(error)".contains(file), "message does not name \(file): \(error)", line: line)
        }
        XCTAssertEqual(files(), expected, "files left behind", line: line)
    }

    /// Runs ffmpeg quietly with `arguments` (overwriting outputs); throws if it fails.
    func ffmpeg(_ arguments: [String]) throws {
        let result = try run("/usr/bin/ffmpeg", ["-v", "error", "-y"] + arguments)
        guard result.status == 0 else { throw ToolFailure(command: "ffmpeg", arguments: arguments, stderr: result.stderr) }
    }

    /// The sample's first 8 frames as an H.264 clip with a matching AAC sine tone, so that its
    /// stream holds every unit type.
    func clip() throws -> String {
        let clip = path("clip.mp4")
        guard !FileManager.default.fileExists(atPath: clip) else { return clip }
        try ffmpeg(["-i", Self.sample, "-f", "lavfi", "-i", "sine=d=0.32", "-frames:v", "8", "-c:v", "libx264",
                    "-c:a", "aac", "-shortest", clip])
        return clip
    }

    /// A valid stream of the clip, `clip.agc`.
    func validStream() throws -> String {
        let out = path("clip.agc")
        _ = try encode(try clip(), out)
        return out
    }

    /// Writes the units of `stream` again under a changed header (`header`) with each key frame
    /// passed through `keyFrame`, to `output`. The result is well framed: every CRC is right.
    func rewrite(_ stream: String, to output: String, header change: (inout SequenceHeader) -> Void,
                 keyFrame: (inout KeyFrame) -> Void = { _ in }, run: (inout KeypointRun) throws -> Void = { _ in }) throws {
        let reader = try BitstreamReader(data: try Data(contentsOf: URL(fileURLWithPath: stream)))
        var header = reader.header
        change(&header)
        let writer = try BitstreamWriter(header: header)
        for unit in try reader.readAll() {
            switch unit.element {
            case .keyFrame(var k):
                keyFrame(&k)
                try writer.write(k)
            case .keypointRun(var r):
                try run(&r)
                try writer.write(r)
            case .audioConfig(let c): try writer.write(c)
            case .audioPackets(let p): try writer.write(p)
            case .pictureHashes(let h): try writer.write(h)
            default: break
            }
        }
        try writer.finish()
        try writer.data.write(to: URL(fileURLWithPath: output))
    }

    /// `bytes` with the unit at `offset` replaced by one of the same type carrying `payload`,
    /// framed by hand (so the payload may break the format's limits) with a correct CRC.
    func reframed(_ bytes: [UInt8], unitAt offset: Int, payload: [UInt8]) -> [UInt8] {
        let old = BitstreamInspector.inspect(bytes).units.first { $0.offset == offset }!
        var unit = [old.type]
        var length = payload.count
        repeat {
            unit.append(UInt8(length & 0x7F) | (length >= 0x80 ? 0x80 : 0))
            length >>= 7
        } while length > 0
        unit += payload
        let crc = CRC32.checksum(unit)
        unit += (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * $0)) }
        return Array(bytes[..<offset]) + unit + Array(bytes[(offset + old.size)...])
    }

    /// The payload of the unit at `offset`.
    func payload(_ bytes: [UInt8], unitAt offset: Int) -> [UInt8] {
        let unit = BitstreamInspector.inspect(bytes).units.first { $0.offset == offset }!
        let start = offset + unit.size - 4 - unit.payloadSize
        return Array(bytes[start..<(start + unit.payloadSize)])
    }

    /// The built command-line tool `name` (.build/release), or a skip when it is not built.
    func tool(_ name: String) throws -> String {
        let tool = (Self.root as NSString).appendingPathComponent(".build/release/\(name)")
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            throw XCTSkip("\(tool) is not built (swift build -c release)")
        }
        return tool
    }

    /// Runs the tool `name` with `arguments` through bash, with `limits` (shell commands such as
    /// `ulimit -f 1`) applied first; as the unprivileged user nobody when `unprivileged` and this
    /// process is root (root writes anywhere).
    func runTool(_ name: String, _ arguments: [String], limits: String = "", unprivileged: Bool = false) throws
        -> (status: Int32, stderr: String) {
        var command = ["/bin/bash", "-c", limits + "\nexec \"$@\"", "bash", try tool(name)] + arguments
        if unprivileged && geteuid() == 0 {
            command = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + command
        }
        return try run(command[0], Array(command.dropFirst()))
    }

    /// Runs `executable` with `arguments` and returns its exit status and standard error.
    func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}

/// A helper tool that failed while a test made its input.
struct ToolFailure: Error, CustomStringConvertible {
    let command: String
    let arguments: [String]
    let stderr: String

    var description: String { "\(command) \(arguments.joined(separator: " ")) failed: \(stderr)" }
}
