import AGCBitstream
import AGCMedia
import XCTest
@testable import AGCCodec

/// The first audio stream is carried (as its packets with `--audio copy`, as Opus by default) and
/// restored by the decoder.
final class AudioCarryTests: XCTestCase {
    /// A scratch folder and in it `voice.mp4`: the sample's pictures (H.264) with a `tone` (an
    /// ffmpeg lavfi source) as AAC, `seconds` long.
    func voiceClip(tone: String, seconds: Double, extra: [String] = []) throws -> (dir: String, clip: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agc-audio-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../samples/talking-head.mp4").standardized.path
        let clip = (dir as NSString).appendingPathComponent("voice.mp4")
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        ffmpeg.arguments = ["-v", "error", "-i", sample, "-f", "lavfi", "-i", tone, "-t", "\(seconds)"] + extra
            + ["-c:v", "libx264", "-c:a", "aac", "-shortest", "-y", clip]
        try ffmpeg.run()
        ffmpeg.waitUntilExit()
        XCTAssertEqual(ffmpeg.terminationStatus, 0)
        return (dir, clip)
    }

    func testCopiedAudioPacketsSurviveEncodeAndDecode() throws {
        let (dir, clip) = try voiceClip(tone: "sine=frequency=440:sample_rate=48000", seconds: 0.8)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        var options = EncoderOptions()
        options.progress = false
        options.crop = .full
        options.audio = .copy
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

    func testOpusByDefaultWrittenAsItIsIntoMP4AndMKV() throws {
        // Stereo 44.1 kHz AAC, as the team's clips carry: down-mixed and resampled to 48 kHz mono.
        let (dir, clip) = try voiceClip(tone: "sine=frequency=300:sample_rate=44100", seconds: 1.2, extra: ["-ac", "2"])
        defer { try? FileManager.default.removeItem(atPath: dir) }

        var options = EncoderOptions()
        options.progress = false
        options.crop = .full
        XCTAssertEqual(options.audio, .opus(kilobitsPerSecond: AudioMode.defaultOpusRate))
        let agc = (dir as NSString).appendingPathComponent("voice.agc")
        let summary = try Encoder(options: options, backend: BackendKind.emulator.make()).encode(input: clip, output: agc)
        XCTAssertEqual(summary.audio, "opus:\(AudioMode.defaultOpusRate)")
        // The stream's own packets: 20 ms each, starting the encoder's pre-skip early.
        let reader = try BitstreamReader(data: try Data(contentsOf: URL(fileURLWithPath: agc)))
        var carried: [AGCBitstream.AudioPacket] = []
        var config: AudioConfig?
        for unit in try reader.readAll() {
            if case .audioPackets(let p) = unit.element { carried += p }
            if case .audioConfig(let c) = unit.element { config = c }
        }
        XCTAssertEqual(config?.codecName, "opus")
        XCTAssertEqual(config?.sampleRate, 48000)
        XCTAssertEqual(config?.channels, 1)
        XCTAssertEqual(carried.first?.pts, -312, "libopus's pre-skip at 48 kHz")
        XCTAssertTrue(carried.dropLast().allSatisfy { $0.duration == 960 })
        let seconds = Double(carried.map(\.duration).reduce(0, +)) / 48000
        XCTAssertEqual(seconds, 1.2, accuracy: 0.05, "the audio's length")
        let kbps = Double(carried.map(\.data.count).reduce(0, +)) * 8 / 1000 / seconds
        XCTAssertLessThan(kbps, Double(AudioMode.defaultOpusRate) * 1.5, "about the asked rate")

        for name in ["back.mp4", "back.mkv"] {
            let out = (dir as NSString).appendingPathComponent(name)
            var decoding = DecoderOptions()
            decoding.progress = false
            _ = try Decoder(backend: try BackendKind.emulator.make(), options: decoding).decode(input: agc, output: out)
            let restored = try AudioPacketReader(path: out)
            XCTAssertEqual(restored.parameters.codecName, "opus", name)
            XCTAssertEqual(restored.parameters.channels, 1, name)
            var packets: [Data] = []
            while let p = try restored.nextPacket() { packets.append(p.data) }
            XCTAssertEqual(packets, carried.map { Data($0.data) }, "\(name): the Opus packets as they are (no second transcode)")
        }
    }

    func testAudioModeArguments() {
        XCTAssertEqual(AudioMode(argument: "opus"), .opus(kilobitsPerSecond: AudioMode.defaultOpusRate))
        XCTAssertEqual(AudioMode(argument: "opus:24"), .opus(kilobitsPerSecond: 24))
        XCTAssertEqual(AudioMode(argument: "copy"), .copy)
        XCTAssertEqual(AudioMode(argument: "none"), AudioMode.none)
        for bad in ["opus:", "opus:5", "opus:600", "opus:x", "aac", "copy:1", ""] {
            XCTAssertNil(AudioMode(argument: bad), bad)
        }
    }
}
