import AGCMedia
import XCTest
@testable import AGCCodec

/// The first audio stream is carried as its packets and restored by the decoder.
final class AudioCarryTests: XCTestCase {
    func testAudioPacketsSurviveEncodeAndDecode() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agc-audio-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../samples/talking-head.mp4").standardized.path
        let clip = (dir as NSString).appendingPathComponent("voice.mp4")
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        ffmpeg.arguments = ["-v", "error", "-i", sample, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                            "-t", "0.8", "-c:v", "libx264", "-c:a", "aac", "-shortest", "-y", clip]
        try ffmpeg.run()
        ffmpeg.waitUntilExit()
        XCTAssertEqual(ffmpeg.terminationStatus, 0)

        var options = EncoderOptions()
        options.progress = false
        options.crop = .full
        let agc = (dir as NSString).appendingPathComponent("voice.agc")
        _ = try Encoder(options: options, backend: BackendKind.emulator.make()).encode(input: clip, output: agc)
        let out = (dir as NSString).appendingPathComponent("back.mp4")
        var decoding = DecoderOptions()
        decoding.progress = false
        _ = try Decoder(backend: try BackendKind.emulator.make(), options: decoding).decode(input: agc, output: out)

        let source = try AudioPacketReader(path: clip), restored = try AudioPacketReader(path: out)
        XCTAssertEqual(restored.parameters.codecName, "aac")
        XCTAssertEqual(restored.parameters.sampleRate, 48000)
        var a: [Data] = [], b: [Data] = []
        while let p = try source.nextPacket() { a.append(p.data) }
        while let p = try restored.nextPacket() { b.append(p.data) }
        XCTAssertFalse(a.isEmpty)
        XCTAssertEqual(a, b, "audio packets are copied unchanged")
    }
}
