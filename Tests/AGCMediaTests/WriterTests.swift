import AGCMedia
import Foundation
import XCTest

final class WriterTests: XCTestCase {
    private func frames(_ file: String) throws -> [RGBImage] {
        let reader = try VideoReader(path: file)
        var images: [RGBImage] = []
        while let frame = try reader.nextFrame() { images.append(frame.image) }
        return images
    }

    private func leftovers(in media: TestMedia) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: media.directory.path).filter { $0.hasSuffix(".tmp") }
    }

    func testFFV1RoundTripIsLossless() throws {
        let media = try TestMedia()
        let source = try frames(try media.testPattern())
        let output = media.path("out.mkv")
        let writer = try VideoWriter(path: output, format: .mkvFFV1, width: 320, height: 240,
                                     frameRate: Rational(num: 25, den: 1))
        for image in source { try writer.write(image) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "nothing at the final name until finish")
        try writer.finish()
        let reader = try VideoReader(path: output)
        XCTAssertEqual(reader.info.codecName, "ffv1")
        XCTAssertEqual(reader.info.frameRate, Rational(num: 25, den: 1))
        var back: [RGBImage] = []
        while let frame = try reader.nextFrame() {
            XCTAssertEqual(frame.pts, Double(back.count) / 25, accuracy: 0.002)
            back.append(frame.image)
        }
        XCTAssertEqual(back.count, source.count)
        XCTAssertTrue(back == source, "FFV1 in gbrp gives back the exact RGB")
        XCTAssertEqual(try leftovers(in: media), [])
    }

    func testH264RoundTripIsHighQuality() throws {
        let media = try TestMedia()
        let source = try frames(try media.testPattern())
        let output = media.path("out.mp4")
        let writer = try VideoWriter(path: output, format: .mp4H264, width: 320, height: 240,
                                     frameRate: Rational(num: 30000, den: 1001))
        for image in source { try writer.write(image) }
        try writer.finish()
        let info = try probeVideo(path: output)
        XCTAssertEqual(info.codecName, "h264")
        XCTAssertEqual(info.frameRate, Rational(num: 30000, den: 1001))
        let back = try frames(output)
        XCTAssertEqual(back.count, source.count)
        // The synthetic pattern has sharp colour edges, so 4:2:0 alone caps its PSNR: compare with
        // that ceiling (the same pictures through Y4M 4:2:0, no compression).
        let y4m = media.path("ceiling.y4m")
        let ceilingWriter = try Y4MWriter(path: y4m, width: 320, height: 240, frameRate: Rational(num: 25, den: 1))
        for image in source { try ceilingWriter.write(image) }
        try ceilingWriter.finish()
        let ceiling = try frames(y4m)
        for i in 0..<source.count {
            let limit = psnr(ceiling[i].pixels, source[i].pixels)
            let quality = psnr(back[i].pixels, source[i].pixels)
            if i == 0 { print(String(format: "H.264 crf 17: %.2f dB, 4:2:0 ceiling %.2f dB", quality, limit)) }
            XCTAssertGreaterThan(quality, min(36, limit - 2.5), "frame \(i)")
        }
        XCTAssertEqual(try leftovers(in: media), [])
    }

    func testNoPartialOutputOnErrorOrWithoutFinish() throws {
        let media = try TestMedia()
        let output = media.path("abandoned.mp4")
        do {
            let writer = try VideoWriter(path: output, format: .mp4H264, width: 64, height: 64,
                                         frameRate: Rational(num: 25, den: 1))
            try writer.write(RGBImage(width: 64, height: 64))
            XCTAssertEqual(try leftovers(in: media).count, 1)
            XCTAssertThrowsError(try writer.write(RGBImage(width: 32, height: 32)), "wrong size is refused")
        }
        do {
            let writer = try VideoWriter(path: output, format: .mkvFFV1, width: 64, height: 64,
                                         frameRate: (num: 25, den: 1))
            try writer.write(RGBImage(width: 64, height: 64))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        XCTAssertEqual(try leftovers(in: media), [])

        let unwritable = "/nonexistent-folder/out.mp4"
        XCTAssertThrowsError(try VideoWriter(path: unwritable, format: .mp4H264, width: 64, height: 64,
                                             frameRate: Rational(num: 25, den: 1))) { error in
            XCTAssertEqual((error as? MediaError)?.kind, .io)
            XCTAssertTrue("\(error)".contains(unwritable), "\(error)")
        }
        XCTAssertThrowsError(try VideoWriter(path: output, format: .mp4H264, width: 63, height: 64,
                                             frameRate: Rational(num: 25, den: 1)))
        XCTAssertThrowsError(try Y4MWriter(path: unwritable, width: 64, height: 64,
                                           frameRate: Rational(num: 25, den: 1)))
    }

    func testAudioIsCopiedPacketForPacket() throws {
        let media = try TestMedia()
        let source = media.path("with-audio.mp4")
        try media.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=128x96:rate=25", "-f", "lavfi",
                          "-i", "sine=frequency=440:sample_rate=48000", "-t", "1", "-c:v", "libx264",
                          "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", source])
        XCTAssertThrowsError(try AudioPacketReader(path: try media.testPattern())) { error in
            XCTAssertEqual((error as? MediaError)?.kind, .noAudioStream)
        }
        let audio = try AudioPacketReader(path: source)
        XCTAssertEqual(audio.parameters.codecName, "aac")
        XCTAssertEqual(audio.parameters.sampleRate, 48000)
        XCTAssertEqual(audio.parameters.channels, 1)
        XCTAssertFalse(audio.parameters.extradata.isEmpty)
        var packets: [AudioPacket] = []
        while let packet = try audio.nextPacket() { packets.append(packet) }
        XCTAssertGreaterThan(packets.count, 40)
        let video = try frames(source)
        for format in VideoFileFormat.allCases {
            let output = media.path("remux.\(format.fileExtension)")
            let writer = try VideoWriter(path: output, format: format, width: 128, height: 96,
                                         frameRate: Rational(num: 25, den: 1), audio: audio.parameters)
            for image in video { try writer.write(image) }
            for packet in packets { try writer.writeAudio(packet) }
            try writer.finish()
            let copy = try AudioPacketReader(path: output)
            XCTAssertEqual(copy.parameters.codecName, "aac")
            XCTAssertEqual(copy.parameters.sampleRate, 48000)
            XCTAssertEqual(copy.parameters.extradata, audio.parameters.extradata)
            var copied: [Data] = []
            while let packet = try copy.nextPacket() { copied.append(packet.data) }
            XCTAssertEqual(copied, packets.map(\.data), "\(format)")
            XCTAssertEqual(try frames(output).count, video.count)
        }
    }

    func testY4MToFileAndHandle() throws {
        let media = try TestMedia()
        let source = try frames(try media.testPattern())
        for chroma in [Y4MWriter.Chroma.c420, .c444] {
            let output = media.path("out-\(chroma).y4m")
            let writer = try Y4MWriter(path: output, width: 320, height: 240, frameRate: Rational(num: 25, den: 1),
                                       chroma: chroma)
            for image in source { try writer.write(image) }
            try writer.finish()
            let bytes = try Data(contentsOf: URL(fileURLWithPath: output))
            let header = String(decoding: bytes.prefix { $0 != 10 }, as: UTF8.self)
            XCTAssertTrue(header.hasPrefix("YUV4MPEG2 W320 H240 F25:1"), header)
            let planeBytes = chroma == .c420 ? 320 * 240 * 3 / 2 : 320 * 240 * 3
            XCTAssertEqual(bytes.count, header.utf8.count + 1 + source.count * (6 + planeBytes))
            let back = try frames(output)
            XCTAssertEqual(back.count, source.count)
            let quality = psnr(back[3].pixels, source[3].pixels)
            XCTAssertGreaterThan(quality, chroma == .c420 ? 28 : 40, "\(chroma)")

            let piped = media.path("piped-\(chroma).y4m")
            _ = FileManager.default.createFile(atPath: piped, contents: nil)
            let handle = try XCTUnwrap(FileHandle(forWritingAtPath: piped))
            let toHandle = try Y4MWriter(fileHandle: handle, width: 320, height: 240,
                                         frameRate: Rational(num: 25, den: 1), chroma: chroma)
            for image in source { try toHandle.write(image) }
            try toHandle.finish()
            try handle.close()
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: piped)), bytes)
        }
        XCTAssertEqual(try leftovers(in: media), [])
    }
}
