import AGCBitstream
import AGCMedia
import XCTest
@testable import AGCCodec

/// Every bad input gives one clear error naming the file, and leaves no partial output behind.
final class BadInputTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("agc-bad-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }

    func encode(_ input: String, _ output: String) throws {
        var options = EncoderOptions()
        options.progress = false
        options.crop = .full
        _ = try Encoder(options: options, backend: BackendKind.emulator.make()).encode(input: input, output: output)
    }

    func decode(_ input: String, _ output: String) throws {
        var options = DecoderOptions()
        options.progress = false
        _ = try Decoder(backend: try BackendKind.emulator.make(), options: options).decode(input: input, output: output)
    }

    /// The error's message names `file`, and the folder holds only `expected` afterwards.
    func assertFails(naming file: String, leaving expected: Set<String>, _ body: () throws -> Void,
                     line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { error in
            XCTAssertTrue("\(error)".contains(file), "message does not name \(file): \(error)", line: line)
        }
        let left = Set((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
        XCTAssertEqual(left, expected, "files left behind", line: line)
    }

    /// The sample's first 8 frames as an H.264 clip.
    func clip() throws -> String {
        let clip = path("clip.mp4")
        guard !FileManager.default.fileExists(atPath: clip) else { return clip }
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../samples/talking-head.mp4").standardized.path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        p.arguments = ["-v", "error", "-i", sample, "-frames:v", "8", "-c:v", "libx264", "-y", clip]
        try p.run()
        p.waitUntilExit()
        return clip
    }

    /// A valid stream of the sample's first frames.
    func validStream() throws -> String {
        let out = path("clip.agc")
        try encode(try clip(), out)
        return out
    }

    func testMissingInput() {
        assertFails(naming: path("nothing.mp4"), leaving: []) { try encode(path("nothing.mp4"), path("o.agc")) }
        assertFails(naming: path("nothing.agc"), leaving: []) { try decode(path("nothing.agc"), path("o.y4m")) }
    }

    func testNotAVideo() throws {
        try Data("hello, not a video\n".utf8).write(to: URL(fileURLWithPath: path("text.mp4")))
        assertFails(naming: path("text.mp4"), leaving: ["text.mp4"]) { try encode(path("text.mp4"), path("o.agc")) }
        assertFails(naming: path("text.mp4"), leaving: ["text.mp4"]) { try decode(path("text.mp4"), path("o.y4m")) }
    }

    func testTruncatedStream() throws {
        let good = try validStream()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path("cut.agc")))
        assertFails(naming: path("cut.agc"), leaving: ["clip.mp4", "clip.agc", "cut.agc"]) {
            try decode(path("cut.agc"), path("o.y4m"))
        }
    }

    func testBitFlipInEveryUnit() throws {
        let good = try validStream()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good)))
        let report = BitstreamInspector.inspect(bytes)
        for unit in report.units {
            var bad = bytes
            bad[unit.offset + unit.size / 2] ^= 0x10
            try Data(bad).write(to: URL(fileURLWithPath: path("flip.agc")))
            assertFails(naming: path("flip.agc"), leaving: ["clip.mp4", "clip.agc", "flip.agc"]) {
                try decode(path("flip.agc"), path("o.y4m"))
            }
        }
    }

    func testModelMismatchIsRefused() throws {
        let good = try validStream()
        let reader = try BitstreamReader(data: try Data(contentsOf: URL(fileURLWithPath: good)))
        var header = reader.header
        header.modelHash = [UInt8](repeating: 7, count: 32)
        header.modelIdentifier = "another-model"
        let writer = try BitstreamWriter(header: header)
        for unit in try reader.readAll() {
            switch unit.element {
            case .keyFrame(let k): try writer.write(k)
            case .keypointRun(let r): try writer.write(r)
            default: break
            }
        }
        try writer.finish(frameCount: reader.frameCount)
        try writer.data.write(to: URL(fileURLWithPath: path("other.agc")))
        XCTAssertThrowsError(try decode(path("other.agc"), path("o.y4m"))) { error in
            guard case CodecError.modelMismatch(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("another-model") && message.contains(self.path("other.agc")))
        }
    }

    func testUnwritableOutputAndExistingOutputKept() throws {
        let good = try validStream()
        assertFails(naming: path("no/such/dir/o.y4m"), leaving: ["clip.mp4", "clip.agc"]) {
            try decode(good, path("no/such/dir/o.y4m"))
        }
        // A failing encode leaves an existing output as it was.
        try Data("old".utf8).write(to: URL(fileURLWithPath: path("keep.agc")))
        assertFails(naming: path("missing.mp4"), leaving: ["clip.mp4", "clip.agc", "keep.agc"]) {
            try encode(path("missing.mp4"), path("keep.agc"))
        }
        XCTAssertEqual(try String(contentsOfFile: path("keep.agc"), encoding: .utf8), "old")
    }

    func testDeviceBackendNeedsADevice() {
        XCTAssertThrowsError(try BackendKind.fpga.make()) { XCTAssertTrue("\($0)".contains("--device"), "\($0)") }
        XCTAssertThrowsError(try BackendKind.fpga.make(device: path("no-such-device"))) {
            XCTAssertTrue("\($0)".contains(self.path("no-such-device")), "\($0)")
        }
    }

    func testVerifyWithoutHashesIsAnError() throws {
        var options = EncoderOptions()
        options.progress = false
        options.crop = .full
        options.pictureHashGroup = 0
        _ = try Encoder(options: options, backend: BackendKind.emulator.make()).encode(input: clip(), output: path("nohash.agc"))
        var decoding = DecoderOptions()
        decoding.progress = false
        decoding.verify = true
        XCTAssertThrowsError(try Decoder(backend: try BackendKind.emulator.make(), options: decoding)
            .decode(input: path("nohash.agc"), output: path("nohash.y4m"))) {
            XCTAssertTrue("\($0)".contains("no picture hashes"), "\($0)")
        }
    }
}
