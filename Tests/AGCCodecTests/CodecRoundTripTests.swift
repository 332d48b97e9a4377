import AGCBitstream
import AGCFPGA
import AGCMedia
import XCTest
@testable import AGCCodec

/// Encode and decode of the bundled sample through the normative INT8 decoder (the emulator), via
/// the library (the same code the tools run).
final class CodecRoundTripTests: XCTestCase {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../samples/talking-head.mp4").standardized.path
    static let work = FileManager.default.temporaryDirectory.appendingPathComponent("agc-codec-tests-\(getpid())").path

    /// One encode shared by the tests: short key intervals so that seeking has several key frames.
    static let encoded: Result<(path: String, summary: EncodeSummary, frames: [RGBImage]), Error> = Result {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        var options = EncoderOptions()
        options.progress = false
        options.maxKeyInterval = 25
        options.crop = .full
        // Finer key pictures than --crf 34's, so that the calm sample has rebuilt frames (at the
        // default every frame between key pictures repeats one).
        options.keyFrameQP = 32
        options.minQuality = .msssim(0.93)
        let path = (work as NSString).appendingPathComponent("sample.agc")
        var frames: [RGBImage] = []
        let summary = try Encoder(options: options, backend: BackendKind.emulator.make())
            .encode(input: sample, output: path) { index, image in
                precondition(index == frames.count)
                frames.append(image)
            }
        return (path, summary, frames)
    }

    func decode(_ path: String, frames: ClosedRange<Int>? = nil, threads: Int = 2) throws -> [(Int, RGBImage)] {
        var options = DecoderOptions()
        options.progress = false
        options.frames = frames
        let decoder = Decoder(backend: try BackendKind.emulator.make(threads: threads), options: options)
        var out: [(Int, RGBImage)] = []
        _ = try decoder.decodeFrames(try decoder.open(path), name: path, frames: frames) { out.append(($0, $1)) }
        return out
    }

    func testDecoderShowsExactlyWhatTheEncoderSaw() throws {
        let (path, summary, reconstructed) = try Self.encoded.get()
        XCTAssertEqual(summary.frames, 75)
        XCTAssertGreaterThanOrEqual(summary.keyFrames.count, 3, "a key frame at least every 25 frames")
        for threads in [1, 2] {
            let decoded = try decode(path, threads: threads)
            XCTAssertEqual(decoded.map(\.0), Array(0..<75))
            for (index, image) in decoded {
                XCTAssertTrue(image == reconstructed[index], "frame \(index) differs from the encoder's reconstruction (\(threads) threads)")
            }
        }
        XCTAssertGreaterThan(summary.meanMSSSIMY, 0.8)
    }

    func testFrameRangeSeeksThroughTheIndex() throws {
        let (path, _, reconstructed) = try Self.encoded.get()
        let part = try decode(path, frames: 40...52)
        XCTAssertEqual(part.map(\.0), Array(40...52))
        for (index, image) in part { XCTAssertTrue(image == reconstructed[index], "frame \(index)") }
    }

    func testOutputFilesByExtension() throws {
        let (path, _, _) = try Self.encoded.get()
        for ext in ["y4m", "mkv", "mp4"] {
            let out = (Self.work as NSString).appendingPathComponent("out.\(ext)")
            var options = DecoderOptions()
            options.progress = false
            let summary = try Decoder(backend: try BackendKind.emulator.make(), options: options).decode(input: path, output: out)
            XCTAssertEqual(summary.framesOut, 75)
            let reader = try VideoReader(path: out)
            var count = 0
            while let frame = try reader.nextFrame() {
                XCTAssertEqual(frame.image.width, 256)
                count += 1
            }
            XCTAssertEqual(count, 75, ext)
        }
    }

    func testVerifyChecksThePictureHashes() throws {
        let (path, _, _) = try Self.encoded.get()
        var options = DecoderOptions()
        options.progress = false
        options.verify = true
        let out = (Self.work as NSString).appendingPathComponent("verified.y4m")
        let summary = try Decoder(backend: try BackendKind.emulator.make(), options: options).decode(input: path, output: out)
        XCTAssertEqual(summary.verification?.framesChecked, 75)
        XCTAssertEqual(summary.verification?.passed, true)
        // A range is verified through the whole hashed groups around it; only the range is shown.
        options.frames = 30...40
        let part = try Decoder(backend: try BackendKind.emulator.make(), options: options).decode(input: path, output: out)
        XCTAssertEqual(part.framesOut, 11)
        XCTAssertEqual(part.verification?.framesChecked, 25)
        // The float network is close but not the normative decoder: the check fails, no output is left.
        options.frames = nil
        let floatOut = (Self.work as NSString).appendingPathComponent("float.y4m")
        XCTAssertThrowsError(try Decoder(backend: try BackendKind.float.make(), options: options).decode(input: path, output: floatOut)) {
            guard case CodecError.verificationFailed(let message) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(message.contains(path) && message.contains("0-24"), message)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: floatOut))
    }

    func testSimulatedDeviceDecodesTheStreamBitForBit() throws {
        let (path, _, _) = try Self.encoded.get()
        let dir = URL(fileURLWithPath: Self.work).appendingPathComponent("device")
        try? FileManager.default.removeItem(at: dir)
        _ = try SimulatedDevice.create(at: dir, ddrSize: 16 << 20)
        let device = try SimulatedDevice(directory: dir, threads: 2)
        device.serve()
        defer { device.stop() }
        var options = DecoderOptions()
        options.progress = false
        options.verify = true
        let out = (Self.work as NSString).appendingPathComponent("device.y4m")
        let summary = try Decoder(backend: try BackendKind.fpga.make(device: dir.path), options: options).decode(input: path, output: out)
        XCTAssertEqual(summary.verification?.framesChecked, 75)
        XCTAssertEqual(summary.verification?.passed, true)
    }

    func testInspectionListsEveryUnit() throws {
        let (path, summary, _) = try Self.encoded.get()
        let out = try Inspection.inspect(path: path)
        XCTAssertEqual(out.keyFrames, summary.keyFrames)
        XCTAssertEqual(out.frames.count, 75)
        XCTAssertTrue(out.units.allSatisfy(\.crcOK))
        XCTAssertEqual(out.format.trailer, "valid")
        XCTAssertEqual(out.model, "current")
        XCTAssertTrue(try Inspection.render(path: path, json: true).contains("\"key_frames\""))
    }
}
