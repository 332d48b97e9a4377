import AGCMedia
import Foundation
import XCTest

final class VideoReaderTests: XCTestCase {
    func testReadsEveryFrameWithSizeRateAndTimestamps() throws {
        let media = try TestMedia()
        let file = try media.testPattern()
        let reader = try VideoReader(path: file)
        XCTAssertEqual(reader.info.width, 320)
        XCTAssertEqual(reader.info.height, 240)
        XCTAssertEqual(reader.info.rotation, 0)
        XCTAssertEqual(reader.info.frameRate, Rational(num: 25, den: 1))
        XCTAssertEqual(reader.info.codecName, "h264")
        XCTAssertEqual(reader.info.frameCountEstimate, 25)
        XCTAssertEqual(reader.info.durationSeconds, 1, accuracy: 0.05)
        var frames: [VideoFrame] = []
        while let frame = try reader.nextFrame() { frames.append(frame) }
        XCTAssertEqual(frames.count, 25)
        XCTAssertEqual(frames.map(\.index), Array(0..<25))
        for (i, frame) in frames.enumerated() {
            XCTAssertEqual(frame.image.width, 320)
            XCTAssertEqual(frame.image.height, 240)
            XCTAssertEqual(frame.image.pixels.count, 320 * 240 * 3)
            XCTAssertEqual(frame.pts, Double(i) / 25, accuracy: 0.002)
        }
        XCTAssertNil(try reader.nextFrame(), "stays at the end")
    }

    func testMatchesFFmpegsOwnDecode() throws {
        let media = try TestMedia()
        let file = try media.testPattern()
        let reader = try VideoReader(path: file)
        _ = try reader.nextFrame()
        let frame = try XCTUnwrap(try reader.nextFrame())
        let reference = try media.referenceFrame(file, index: 1)
        XCTAssertLessThan(meanAbsoluteDifference(frame.image.pixels, reference), 1.5)
    }

    func testProbeDescribesWithoutDecoding() throws {
        let media = try TestMedia()
        let info = try probeVideo(path: try media.testPattern(width: 160, height: 96))
        XCTAssertEqual(info.width, 160)
        XCTAssertEqual(info.height, 96)
        XCTAssertEqual(info.codedWidth, 160)
        XCTAssertEqual(info.timeBase.den > 0, true)
    }

    func testRotationMetadataTurnsFramesUpright() throws {
        let media = try TestMedia()
        for rotate in [90, 180, 270] {
            let file = try media.rotatedPattern(rotate: rotate)
            let reader = try VideoReader(path: file)
            let sideways = rotate != 180
            XCTAssertEqual(reader.info.codedWidth, 320)
            XCTAssertEqual(reader.info.width, sideways ? 240 : 320, "rotate=\(rotate)")
            XCTAssertEqual(reader.info.height, sideways ? 320 : 240, "rotate=\(rotate)")
            XCTAssertEqual([90, 180, 270].contains(reader.info.rotation), true)
            let frame = try XCTUnwrap(try reader.nextFrame())
            XCTAssertEqual(frame.image.width, reader.info.width)
            XCTAssertEqual(frame.image.height, reader.info.height)
            // The same picture ffmpeg shows after its own autorotation.
            let reference = try media.referenceFrame(file)
            XCTAssertEqual(reference.count, frame.image.pixels.count)
            XCTAssertLessThan(meanAbsoluteDifference(frame.image.pixels, reference), 1.5, "rotate=\(rotate)")
        }
    }

    func testCropAndScale() throws {
        let media = try TestMedia()
        let file = try media.testPattern()
        let full = try XCTUnwrap(try VideoReader(path: file).nextFrame()).image
        let crop = CropRect(x: 40, y: 0, width: 240, height: 240)

        let cropOnly = try VideoReader(path: file)
        cropOnly.setOutput(crop: crop, size: nil)
        let cropped = try XCTUnwrap(try cropOnly.nextFrame()).image
        XCTAssertEqual(cropped, full.cropped(to: crop), "a crop alone is an exact copy")

        for size in [(128, 128), (256, 256), (100, 60)] {
            let reader = try VideoReader(path: file)
            reader.setOutput(crop: crop, size: (width: size.0, height: size.1))
            let image = try XCTUnwrap(try reader.nextFrame()).image
            XCTAssertEqual(image.width, size.0)
            XCTAssertEqual(image.height, size.1)
        }
        // Scaling a crop down and comparing with a straight box average of the crop.
        let reader = try VideoReader(path: file)
        reader.setOutput(crop: crop, size: (width: 120, height: 120))
        let half = try XCTUnwrap(try reader.nextFrame()).image
        var box = [UInt8](repeating: 0, count: 120 * 120 * 3)
        for y in 0..<120 {
            for x in 0..<120 {
                for c in 0..<3 {
                    var sum = 0
                    for dy in 0..<2 {
                        for dx in 0..<2 { sum += Int(cropped.pixels[((2 * y + dy) * 240 + 2 * x + dx) * 3 + c]) }
                    }
                    box[(y * 120 + x) * 3 + c] = UInt8((sum + 2) / 4)
                }
            }
        }
        XCTAssertLessThan(meanAbsoluteDifference(half.pixels, box), 1.0)
    }

    func testCropOutsideThePictureIsAClearError() throws {
        let media = try TestMedia()
        let reader = try VideoReader(path: try media.testPattern())
        reader.setOutput(crop: CropRect(x: 200, y: 0, width: 240, height: 240), size: (width: 64, height: 64))
        XCTAssertThrowsError(try reader.nextFrame()) { error in
            XCTAssertEqual((error as? MediaError)?.kind, .invalidArgument)
        }
    }

    func testClearErrorsForBadInput() throws {
        let media = try TestMedia()
        let missing = media.path("missing.mp4")
        assertMediaError(try VideoReader(path: missing), .fileNotFound, naming: missing)
        assertMediaError(try probeVideo(path: missing), .fileNotFound, naming: missing)

        let text = media.path("text.mp4")
        try "this is not a video\n".write(toFile: text, atomically: true, encoding: .utf8)
        assertMediaError(try VideoReader(path: text), .notMediaFile, naming: text)

        let empty = media.path("empty.mp4")
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        assertMediaError(try VideoReader(path: empty), .notMediaFile, naming: empty)

        let audio = media.path("audio.m4a")
        try media.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=0.5", "-c:a", "aac", audio])
        assertMediaError(try VideoReader(path: audio), .noVideoStream, naming: audio)

        assertMediaError(try VideoReader(path: media.directory.path), .notMediaFile, naming: media.directory.path)
    }

    func testRealClipIfPresent() throws {
        let path = "/work/shared/data/val/lp-d18.mp4"
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("\(path) is not here") }
        let reader = try VideoReader(path: path)
        reader.setOutput(crop: nil, size: (width: 256, height: 256))
        var count = 0
        let start = Date()
        while let frame = try reader.nextFrame() {
            XCTAssertEqual(frame.image.width, 256)
            count += 1
        }
        let seconds = Date().timeIntervalSince(start)
        print("lp-d18: \(count) frames of \(reader.info.width)x\(reader.info.height) -> 256x256 in "
              + String(format: "%.2f s (%.0f fps)", seconds, Double(count) / seconds))
        XCTAssertEqual(count, reader.info.frameCountEstimate)
    }

    func testVariableFrameRateKeepsEveryFrameAndItsTime() throws {
        let media = try TestMedia()
        let file = media.path("vfr.mkv")
        // 10 frames 40 ms apart, then 15 frames 80 ms apart.
        try media.ffmpeg(["-t", "1", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25",
                          "-vf", "setpts='if(lt(N,10),N/25,0.4+(N-10)/12.5)/TB'", "-vsync", "vfr",
                          "-c:v", "libx264", "-pix_fmt", "yuv420p", file])
        let reader = try VideoReader(path: file)
        var times: [Double] = []
        while let frame = try reader.nextFrame() { times.append(frame.pts) }
        XCTAssertEqual(times.count, 25)
        for n in 0..<10 { XCTAssertEqual(times[n], Double(n) / 25, accuracy: 0.002) }
        XCTAssertEqual(times[11] - times[10], 0.08, accuracy: 0.002)
        XCTAssertEqual(times[24], 1.52, accuracy: 0.002)
        XCTAssertEqual(times, times.sorted())
        XCTAssertGreaterThan(reader.info.frameRate.value, 10)
    }

    func testSharedClipsIfPresent() throws {
        let folder = "/work/shared/data"
        let clips = ["val/grid-lwbsza.mp4", "val/ma-entf1.mp4", "train/vr-face1.mp4", "train/lp-s29.mp4"]
            .map { "\(folder)/\($0)" }.filter { FileManager.default.fileExists(atPath: $0) }
        guard !clips.isEmpty else { throw XCTSkip("no clips under \(folder)") }
        for clip in clips {
            let reader = try VideoReader(path: clip)
            let side = min(reader.info.width, reader.info.height)
            reader.setOutput(crop: CropRect(x: (reader.info.width - side) / 2, y: 0, width: side, height: side),
                             size: (width: 256, height: 256))
            var count = 0, last = -1.0
            while let frame = try reader.nextFrame() {
                XCTAssertGreaterThan(frame.pts, last, clip)
                last = frame.pts
                count += 1
            }
            XCTAssertEqual(count, reader.info.frameCountEstimate, clip)
            print("\(clip): \(reader.info.width)x\(reader.info.height) \(reader.info.frameRate) fps, \(count) frames")
        }
    }

    private func assertMediaError<T>(_ expression: @autoclosure () throws -> T, _ kind: MediaError.Kind,
                                     naming path: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            guard let media = error as? MediaError else {
                return XCTFail("not a MediaError: \(error)", file: file, line: line)
            }
            print("expected error: \(media)")
            XCTAssertEqual(media.kind, kind, "\(media)", file: file, line: line)
            XCTAssertTrue(media.description.contains(path), "\(media)", file: file, line: line)
        }
    }
}
