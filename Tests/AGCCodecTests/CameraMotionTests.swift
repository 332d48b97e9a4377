import AGCBitstream
import AGCMedia
import AGCModel
import XCTest
@testable import AGCCodec

/// The camera's motion (format 1.4): the encoder's measurement, the decoder's integer warp of the
/// key picture and its keypoints, and the stream carrying it end to end.
final class CameraMotionTests: XCTestCase {
    /// A smooth texture over the whole picture (ECC aligns on gradients), `size` pixels, seen
    /// through a window at (`dx`, `dy`) of a larger scene.
    static func scene(size: Int, dx: Double = 0, dy: Double = 0) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        for y in 0..<size {
            for x in 0..<size {
                let u = Double(x) + dx, v = Double(y) + dy
                let value = 128 + 50 * sin(u / 9) * cos(v / 13) + 40 * sin((u + 2 * v) / 23) + 20 * cos((u - v) / 6)
                for c in 0..<3 { pixels[(y * size + x) * 3 + c] = UInt8(clamping: Int((value + Double(20 * c)).rounded())) }
            }
        }
        return RGBImage(width: size, height: size, pixels: pixels)
    }

    static func noise(size: Int, seed: UInt64) -> RGBImage {
        var state = seed
        let pixels = (0..<(size * size * 3)).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        return RGBImage(width: size, height: size, pixels: pixels)
    }

    func pixel(_ image: RGBImage, _ x: Int, _ y: Int) -> [UInt8] {
        Array(image.pixels[((y * image.width + x) * 3)..<((y * image.width + x) * 3 + 3)])
    }

    func testStillCameraMovesNothing() {
        let image = Self.noise(size: 32, seed: 1)
        XCTAssertEqual(CameraWarp.moved(image, by: .identity), image)
        XCTAssertEqual(CameraWarp.positions(.identity, size: 4)[0..<4], [0, 0, 1 << 16, 0])
        let kp = [Keypoint(0.25, -0.5)]
        XCTAssertEqual(CameraWarp.mapped(kp, by: .identity), kp)
    }

    /// A shift of exactly one pixel moves every pixel by one, the border repeated.
    func testWholePixelShiftWithTheBorderRepeated() {
        let size = 64, image = Self.noise(size: size, seed: 2)
        let step = Int32(2 * CameraMap.shiftSteps) / Int32(size)  // one pixel in steps of 1/1024 of the half-frame
        let moved = CameraWarp.moved(image, by: CameraMap(linear: .zero, shift: SIMD2(step, -step)))
        for y in 0..<size {
            for x in 0..<size {
                XCTAssertEqual(pixel(moved, x, y), pixel(image, min(x + 1, size - 1), max(y - 1, 0)), "(\(x), \(y))")
            }
        }
    }

    /// A zoom and tilt sampled in integers agrees with double-precision bilinear sampling (border
    /// repeated) to within one level.
    func testZoomAgreesWithFloatSampling() {
        let size = 48, image = Self.scene(size: size)
        let map = CameraMap(linear: SIMD4(-150, 40, -25, -130), shift: SIMD2(30, -45))
        let moved = CameraWarp.moved(image, by: map)
        let a = [1 + Double(map.linear[0]) / 2048, Double(map.linear[1]) / 2048,
                 Double(map.linear[2]) / 2048, 1 + Double(map.linear[3]) / 2048]
        let t = [Double(map.shift[0]) / 1024, Double(map.shift[1]) / 1024]
        var worst = 0
        for y in 0..<size {
            for x in 0..<size {
                let gx = (2 * Double(x) + 1) / Double(size) - 1, gy = (2 * Double(y) + 1) / Double(size) - 1
                let sx = a[0] * gx + a[1] * gy + t[0], sy = a[2] * gx + a[3] * gy + t[1]
                let px = min(max(((sx + 1) * Double(size) - 1) / 2, 0), Double(size - 1))
                let py = min(max(((sy + 1) * Double(size) - 1) / 2, 0), Double(size - 1))
                let x0 = Int(px), y0 = Int(py), fx = px - Double(x0), fy = py - Double(y0)
                for c in 0..<3 {
                    func v(_ xx: Int, _ yy: Int) -> Double {
                        Double(image.pixels[(min(yy, size - 1) * size + min(xx, size - 1)) * 3 + c])
                    }
                    let expected = (1 - fx) * (1 - fy) * v(x0, y0) + fx * (1 - fy) * v(x0 + 1, y0)
                        + (1 - fx) * fy * v(x0, y0 + 1) + fx * fy * v(x0 + 1, y0 + 1)
                    worst = max(worst, abs(Int(moved.pixels[(y * size + x) * 3 + c]) - Int(expected.rounded())))
                }
            }
        }
        XCTAssertLessThanOrEqual(worst, 1)
    }

    /// The key picture's keypoints land where the moved picture shows them: A z' + t = z.
    func testMappedKeypointsInvertTheMap() {
        let map = CameraMap(linear: SIMD4(200, -90, 60, 170), shift: SIMD2(-300, 123))
        let points = [Keypoint(0.3, -0.7), Keypoint(-0.95, 0.12), Keypoint(0, 0)]
        for (z, mapped) in zip(points, CameraWarp.mapped(points, by: map)) {
            let x = (1 + 200.0 / 2048) * Double(mapped.x) - 90.0 / 2048 * Double(mapped.y) - 300.0 / 1024
            let y = 60.0 / 2048 * Double(mapped.x) + (1 + 170.0 / 2048) * Double(mapped.y) + 123.0 / 1024
            XCTAssertEqual(x, Double(z.x), accuracy: 1e-4)
            XCTAssertEqual(y, Double(z.y), accuracy: 1e-4)
        }
    }

    /// ECC finds a known pan of the camera (the frame's window 5 pixels right of and 3 above the
    /// key picture's), and a still one stays the identity.
    func testEstimatorMeasuresAKnownPan() throws {
        let size = 256, key = Self.scene(size: size)
        XCTAssertEqual(CameraEstimator.map(key: key, frame: key), .identity)
        let map = CameraEstimator.map(key: key, frame: Self.scene(size: size, dx: 5, dy: -3))
        // The frame's pixel x shows the key picture's x + 5: t = 5 pixels = 5 x 2048 / 256 steps.
        XCTAssertEqual(Double(map.shift.x), 40, accuracy: 2)
        XCTAssertEqual(Double(map.shift.y), -24, accuracy: 2)
        for i in 0..<4 { XCTAssertLessThanOrEqual(abs(map.linear[i]), 4, "no zoom or tilt") }
    }

    /// A clip whose camera pans (a window sliding over the sample): the encoder sends camera maps,
    /// and the decoder shows exactly the encoder's pictures; with the camera off, no map is sent.
    func testPanningClipRoundTripsWithItsCamera() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agc-camera-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = (dir as NSString).appendingPathComponent("pan.mp4")
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        ffmpeg.arguments = ["-v", "error", "-y", "-i", CodecRoundTripTests.sample, "-vf", "crop=400:400:6*n:3*n",
                            "-frames:v", "10", "-c:v", "libx264", "-qp", "8", clip]
        try ffmpeg.run()
        ffmpeg.waitUntilExit()
        XCTAssertEqual(ffmpeg.terminationStatus, 0)

        var streams: [Bool: (units: [CameraRun], frames: [RGBImage], path: String)] = [:]
        for camera in [true, false] {
            var options = EncoderOptions()
            options.progress = false
            options.crop = .full
            options.camera = camera
            options.decision = .threshold
            options.minQuality = .psnr(5)  // no key picture after the first: every frame rebuilt or repeated
            let path = (dir as NSString).appendingPathComponent("pan-\(camera).agc")
            var frames: [RGBImage] = []
            _ = try Encoder(options: options, backend: BackendKind.emulator.make()).encode(input: clip, output: path) { _, image in
                frames.append(image)
            }
            var units: [CameraRun] = []
            var cursor = try BitstreamReader(data: Data(contentsOf: URL(fileURLWithPath: path))).units()
            while let unit = try cursor.next() {
                if case .cameraMotion(let run) = unit.element { units.append(run) }
            }
            streams[camera] = (units, frames, path)
        }
        let moving = try streams[true]!.units.flatMap { try $0.decode() }.filter { !$0.isIdentity }
        XCTAssertFalse(moving.isEmpty, "the pan is sent")
        XCTAssertTrue(streams[false]!.units.isEmpty)
        // --inspect's bits per frame count the camera's units with the frames they cover.
        let inspected = try Inspection.inspect(path: streams[true]!.path)
        XCTAssertEqual(inspected.frames.map(\.bits).reduce(0, +),
                       Double(8 * (inspected.bytesByKind["key frames"]! + inspected.bytesByKind["keypoints"]!)), accuracy: 1e-6)
        for camera in [true, false] {
            let (_, reconstructed, path) = streams[camera]!
            var options = DecoderOptions()
            options.progress = false
            let decoder = Decoder(backend: try BackendKind.emulator.make(threads: 2), options: options)
            var decoded: [RGBImage] = []
            _ = try decoder.decodeFrames(try decoder.open(path), name: path) { _, image in decoded.append(image) }
            XCTAssertEqual(decoded.count, 10)
            XCTAssertTrue(decoded == reconstructed, "the decoder shows the encoder's pictures (camera \(camera))")
        }
    }
}
