import AGCBitstream
import AGCMedia
import XCTest
@testable import AGCCodec

/// Every bad input gives one clear error naming the file, and leaves no partial output behind
/// (docs/bad-input.md lists the cases and the test of each).
final class BadInputTests: BadInputTestCase {
    func testMissingInput() {
        assertFails(naming: path("nothing.mp4"), leaving: []) { _ = try encode(path("nothing.mp4"), path("o.agc")) }
        assertFails(naming: path("nothing.agc"), leaving: []) { try decode(path("nothing.agc"), path("o.y4m")) }
    }

    func testNotAVideo() throws {
        try Data("hello, not a video\n".utf8).write(to: URL(fileURLWithPath: path("text.mp4")))
        assertFails(naming: path("text.mp4"), leaving: ["text.mp4"]) { _ = try encode(path("text.mp4"), path("o.agc")) }
        assertFails(naming: path("text.mp4"), leaving: ["text.mp4"]) { try decode(path("text.mp4"), path("o.y4m")) }
    }

    func testEmptyFile() throws {
        for name in ["empty.mp4", "empty.agc"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: path(name), contents: nil))
        }
        let inputs: Set = ["empty.mp4", "empty.agc"]
        assertFails(naming: path("empty.mp4"), leaving: inputs) { _ = try encode(path("empty.mp4"), path("o.agc")) }
        assertFails(naming: path("empty.agc"), leaving: inputs) { try decode(path("empty.agc"), path("o.y4m")) }
        XCTAssertThrowsError(try decode(path("empty.agc"), path("o.y4m"))) {
            XCTAssertTrue("\($0)".hasSuffix("the file is empty"), "\($0)")
        }
    }

    func testAudioOnly() throws {
        try ffmpeg(["-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac", path("tone.m4a")])
        assertFails(naming: path("tone.m4a"), leaving: ["tone.m4a"]) { _ = try encode(path("tone.m4a"), path("o.agc")) }
        XCTAssertThrowsError(try encode(path("tone.m4a"), path("o.agc"))) {
            XCTAssertTrue("\($0)".contains("no video stream"), "\($0)")
        }
    }

    /// Half an MP4, with its index (moov) at the end, so missing, and at the front (faststart),
    /// so pointing past the end of the file.
    func testTruncatedMP4() throws {
        let clip = try clip()
        try ffmpeg(["-i", clip, "-c", "copy", "-movflags", "+faststart", path("faststart.mp4")])
        for name in ["clip.mp4", "faststart.mp4"] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path(name)))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path("half-" + name)))
        }
        let inputs: Set = ["clip.mp4", "faststart.mp4", "half-clip.mp4", "half-faststart.mp4"]
        for name in ["half-clip.mp4", "half-faststart.mp4"] {
            assertFails(naming: path(name), leaving: inputs) { _ = try encode(path(name), path("o.agc")) }
        }
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
        // Keypoint runs are 0x83 at the default --references 1 (0x85 with more); predicted key
        // pictures are 0x86 and audio packets 0x09 since format 1.3 (0x84 and 0x05 are read, no
        // longer written). The sample's camera stands still: no 0x87 (testBitFlipInCameraMotion).
        let written = UnitType.allCases.filter {
            ![.referencedKeypointRun, .predictedKeyFrame, .audioPackets, .cameraMotion].contains($0)
        }
        XCTAssertEqual(Set(report.units.map(\.type)), Set(written.map(\.rawValue)),
                       "every unit type is tried")
        for unit in report.units {
            var bad = bytes
            bad[unit.offset + unit.size / 2] ^= 0x10
            try Data(bad).write(to: URL(fileURLWithPath: path("flip.agc")))
            assertFails(naming: path("flip.agc"), leaving: ["clip.mp4", "clip.agc", "flip.agc"]) {
                try decode(path("flip.agc"), path("o.y4m"))
            }
        }
    }

    /// A flipped bit in each camera-motion unit (0x87) of the committed panning stream.
    func testBitFlipInCameraMotion() throws {
        let stream = (KeyPictureStreamTests.fixtures as NSString).appendingPathComponent("format-1.4-hevc.agc")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: stream)))
        let units = BitstreamInspector.inspect(bytes).units.filter { $0.type == UnitType.cameraMotion.rawValue }
        XCTAssertFalse(units.isEmpty)
        for unit in units {
            var bad = bytes
            bad[unit.offset + unit.size / 2] ^= 0x10
            try Data(bad).write(to: URL(fileURLWithPath: path("flip.agc")))
            assertFails(naming: path("flip.agc"), leaving: ["flip.agc"]) { try decode(path("flip.agc"), path("o.y4m")) }
        }
    }

    /// Damage that the CRCs do not catch (a unit written with garbage and a correct CRC): the key
    /// frame's packet, and its keypoints field.
    func testGarbageKeyFrameWithCorrectCRC() throws {
        let good = try validStream()
        let garbage = [UInt8]((0..<200).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 11) })
        try rewrite(good, to: path("packet.agc"), header: { _ in }) { $0.packet = garbage }
        try rewrite(good, to: path("keypoints.agc"), header: { _ in }) {
            $0.optionalFields = [OptionalField(tag: KeyFrameKeypoints.tag, value: [0xFF, 0xFF, 0xFF, 0xFF])]
        }
        let inputs: Set = ["clip.mp4", "clip.agc", "packet.agc", "keypoints.agc"]
        for name in ["packet.agc", "keypoints.agc"] {
            assertFails(naming: path(name), leaving: inputs) { try decode(path(name), path("o.y4m")) }
        }
    }

    /// A key frame unit whose length field claims 4 GB, and one that claims a byte too few.
    func testLyingLength() throws {
        let good = try validStream()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good)))
        let key = try BitstreamReader(bytes: bytes).index.keyFrames[0].offset
        XCTAssertGreaterThan(bytes[key + 1], 0x7F, "a key frame's length takes two bytes")
        var huge = bytes
        huge.replaceSubrange((key + 1)...(key + 2), with: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        var short = bytes
        short[key + 1] -= 1
        try Data(huge).write(to: URL(fileURLWithPath: path("huge.agc")))
        try Data(short).write(to: URL(fileURLWithPath: path("short.agc")))
        let inputs: Set = ["clip.mp4", "clip.agc", "huge.agc", "short.agc"]
        assertFails(naming: path("huge.agc"), leaving: inputs) { try decode(path("huge.agc"), path("o.y4m")) }
        XCTAssertThrowsError(try decode(path("huge.agc"), path("o.y4m"))) {
            XCTAssertTrue("\($0)".contains("declares 4294967295 payload bytes"), "\($0)")
        }
        assertFails(naming: path("short.agc"), leaving: inputs) { try decode(path("short.agc"), path("o.y4m")) }
    }

    /// A header claiming 65535x65535 pictures, and one claiming 2^26 frames for 8 frames of data:
    /// refused with a message, without allocating for the claim.
    func testHugeDeclaredSizes() throws {
        let good = try validStream()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good)))
        let header = 6
        var payload = payload(bytes, unitAt: header)
        XCTAssertEqual(Array(payload.prefix(4)), [0x80, 0x02, 0x80, 0x02], "coded size 256x256")
        payload.replaceSubrange(0..<4, with: [0xFF, 0xFF, 0x03, 0xFF, 0xFF, 0x03])
        try Data(reframed(bytes, unitAt: header, payload: payload)).write(to: URL(fileURLWithPath: path("wide.agc")))
        try rewrite(good, to: path("long.agc"), header: { $0.frameCount = FormatLimits.maxFrameCount })
        let inputs: Set = ["clip.mp4", "clip.agc", "wide.agc", "long.agc"]
        let before = peakMemory()
        assertFails(naming: path("wide.agc"), leaving: inputs) { try decode(path("wide.agc"), path("o.y4m")) }
        XCTAssertThrowsError(try decode(path("wide.agc"), path("o.y4m"))) {
            XCTAssertTrue("\($0)".contains("coded width = 65535 is outside 1...4096"), "\($0)")
        }
        assertFails(naming: path("long.agc"), leaving: inputs) { try decode(path("long.agc"), path("o.y4m")) }
        XCTAssertThrowsError(try decode(path("long.agc"), path("o.y4m"))) {
            XCTAssertTrue("\($0)".contains("ends at frame 8 of \(FormatLimits.maxFrameCount)"), "\($0)")
        }
        XCTAssertLessThan(peakMemory() - before, 1 << 30, "the claims allocated gigabytes")
    }

    func testModelMismatchIsRefused() throws {
        let good = try validStream()
        try rewrite(good, to: path("other.agc")) {
            $0.modelHash = [UInt8](repeating: 7, count: 32)
            $0.modelIdentifier = "another-model"
        }
        XCTAssertThrowsError(try decode(path("other.agc"), path("o.y4m"))) { error in
            guard case CodecError.modelMismatch(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("another-model") && message.contains(self.path("other.agc")))
        }
        XCTAssertEqual(files(), ["clip.mp4", "clip.agc", "other.agc"])
    }

    /// 17x13 and 2x2 pictures encode (the face finder falls back to the centre square) and decode.
    func testOddAndTinyFrameSizes() throws {
        for (name, size) in [("odd.mkv", (17, 13)), ("tiny.mkv", (2, 2))] {
            try ffmpeg(["-i", Self.sample, "-frames:v", "8", "-vf", "scale=\(size.0):\(size.1)", "-c:v", "ffv1", path(name)])
            let summary = try encode(path(name), path(name + ".agc"), crop: .auto)
            XCTAssertEqual(summary.frames, 8, name)
            let header = try BitstreamReader(data: try Data(contentsOf: URL(fileURLWithPath: path(name + ".agc")))).header
            XCTAssertEqual([header.sourceWidth, header.sourceHeight], [size.0, size.1], name)
            let side = min(size.0, size.1)
            XCTAssertEqual(header.crop, AGCBitstream.CropRect(x: (size.0 - side) / 2, y: (size.1 - side) / 2,
                                                              width: side, height: side), name)
            XCTAssertEqual(try decode(path(name + ".agc"), path(name + ".y4m")).framesOut, 8, name)
        }
    }

    /// Frames at irregular times: every frame is coded, at the stream's average rate.
    func testVariableFrameRate() throws {
        try ffmpeg(["-i", Self.sample, "-frames:v", "12", "-vf", "setpts='if(lt(N,6),2*N,12+5*(N-6))/TB/25'",
                    "-fps_mode", "vfr", "-c:v", "libx264", path("vfr.mp4")])
        let summary = try encode(path("vfr.mp4"), path("vfr.agc"))
        XCTAssertEqual(summary.frames, 12)
        let header = try BitstreamReader(data: try Data(contentsOf: URL(fileURLWithPath: path("vfr.agc")))).header
        XCTAssertEqual(header.frameRate, AGCBitstream.Rational(75, 8), "12 frames over 1.28 s")
        XCTAssertEqual(try decode(path("vfr.agc"), path("vfr.y4m")).framesOut, 12)
    }

    /// A 512x256 picture stored with a quarter-turn display matrix: the crop is the centre square
    /// of the upright 256x512 picture, and the coded pictures are those of the upright video.
    func testRotatedInput() throws {
        try ffmpeg(["-i", Self.sample, "-frames:v", "8", "-vf", "crop=512:256:0:128", "-c:v", "libx264", path("wide.mp4")])
        try ffmpeg(["-i", path("wide.mp4"), "-c", "copy", "-metadata:s:v", "rotate=90", path("rotated.mp4")])
        try ffmpeg(["-i", path("rotated.mp4"), "-c:v", "libx264", "-qp", "0", path("upright.mp4")])  // rotation applied
        var pictures: [String: RGBImage] = [:]
        for name in ["rotated", "upright"] {
            var options = EncoderOptions()
            options.progress = false
            options.crop = .full
            _ = try Encoder(options: options, backend: BackendKind.emulator.make())
                .encode(input: path(name + ".mp4"), output: path(name + ".agc")) { if $0 == 0 { pictures[name] = $1 } }
        }
        let header = try BitstreamReader(data: try Data(contentsOf: URL(fileURLWithPath: path("rotated.agc")))).header
        XCTAssertEqual([header.sourceWidth, header.sourceHeight], [512, 256])
        XCTAssertEqual(header.rotation % 180, 90)
        XCTAssertEqual([header.uprightSourceSize.width, header.uprightSourceSize.height], [256, 512])
        XCTAssertEqual(header.crop, AGCBitstream.CropRect(x: 0, y: 128, width: 256, height: 256))
        let rotated = try XCTUnwrap(pictures["rotated"]), upright = try XCTUnwrap(pictures["upright"])
        let difference = zip(rotated.pixels, upright.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +)
        XCTAssertLessThan(Double(difference) / Double(rotated.pixels.count), 4, "the coded picture is not the upright one")
    }

    func testUnwritableOutputAndExistingOutputKept() throws {
        let good = try validStream()
        assertFails(naming: path("no/such/dir/o.y4m"), leaving: ["clip.mp4", "clip.agc"]) {
            try decode(good, path("no/such/dir/o.y4m"))
        }
        // A failing encode leaves an existing output as it was.
        try Data("old".utf8).write(to: URL(fileURLWithPath: path("keep.agc")))
        assertFails(naming: path("missing.mp4"), leaving: ["clip.mp4", "clip.agc", "keep.agc"]) {
            _ = try encode(path("missing.mp4"), path("keep.agc"))
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

    /// This process's peak resident memory, in bytes.
    private func peakMemory() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024  // kilobytes
        #else
        getrusage(RUSAGE_SELF, &usage)
        return usage.ru_maxrss
        #endif
    }
}
