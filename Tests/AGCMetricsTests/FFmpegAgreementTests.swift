import AGCMetrics
import Foundation
import XCTest

/// Checks PSNR-Y, PSNR-RGB and FFmpeg-style SSIM against the `ffmpeg` command line's own `psnr`
/// and `ssim` filters, on the very same 8-bit samples (raw gray or rgb24 files).
final class FFmpegAgreementTests: XCTestCase {
    static let size = 64

    /// A textured 8-bit gray picture: smooth gradients, a sharp edge and fine detail.
    func pattern() -> [UInt8] {
        let n = Self.size
        return (0..<(n * n)).map { i in
            let x = Double(i % n), y = Double(i / n)
            let v = 110 + 60 * sin(x / 5) * cos(y / 7) + (x > 40 ? 40 : 0) + Double((i * 37) % 11)
            return UInt8(max(0, min(255, v.rounded())))
        }
    }

    /// Deterministic noise of amplitude `amount` (a small linear congruential generator).
    func noisy(_ a: [UInt8], amount: Int, seed: UInt32 = 12345) -> [UInt8] {
        var state = seed
        return a.map { v in
            state = state &* 1_664_525 &+ 1_013_904_223
            let d = Int(state >> 16) % (2 * amount + 1) - amount
            return UInt8(max(0, min(255, Int(v) + d)))
        }
    }

    /// A 3x3 box blur (edges clamped), rounded.
    func blurred(_ a: [UInt8]) -> [UInt8] {
        let n = Self.size
        return (0..<(n * n)).map { i in
            let x = i % n, y = i / n
            var s = 0
            for dy in -1...1 {
                for dx in -1...1 {
                    s += Int(a[min(max(y + dy, 0), n - 1) * n + min(max(x + dx, 0), n - 1)])
                }
            }
            return UInt8((s + 4) / 9)
        }
    }

    func offset(_ a: [UInt8], by d: Int) -> [UInt8] { a.map { UInt8(max(0, min(255, Int($0) + d))) } }

    func plane(_ bytes: [UInt8]) -> Plane {
        Plane(width: Self.size, height: Self.size, values: bytes.map(Float.init))
    }

    /// Runs `ffmpeg` on two raw pictures through `filter` and returns the number after `key`
    /// in the filter's summary line.
    func ffmpegFigure(_ a: [UInt8], _ b: [UInt8], pixelFormat: String, filter: String, key: String) throws -> Double {
        guard let tool = ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("no ffmpeg command line")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agcmetrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let pa = dir.appendingPathComponent("a.raw"), pb = dir.appendingPathComponent("b.raw")
        try Data(a).write(to: pa)
        try Data(b).write(to: pb)
        let input = ["-f", "rawvideo", "-pix_fmt", pixelFormat, "-s", "\(Self.size)x\(Self.size)", "-i"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["-hide_banner", "-nostdin", "-v", "info"] + input + [pa.path] + input + [pb.path]
            + ["-lavfi", "[0:v][1:v]\(filter)", "-f", "null", "-"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        guard let line = text.split(separator: "\n").last(where: { $0.contains("Parsed_\(filter)") }),
              let range = line.range(of: key) else {
            XCTFail("no \(key) in ffmpeg's output: \(text)")
            return .nan
        }
        let number = line[range.upperBound...].prefix { !$0.isWhitespace }
        return number == "inf" ? .infinity : Double(number) ?? .nan
    }

    func testIdenticalPictures() throws {
        let a = pattern()
        XCTAssertEqual(FFmpegSSIM.ssim(a, a, width: Self.size, height: Self.size), 1, accuracy: 1e-9)
        XCTAssertEqual(Quality.psnr(plane(a), plane(a)), .infinity)
        XCTAssertEqual(Quality.psnrRGB(a + a + a, a + a + a), .infinity)
        XCTAssertEqual(try ffmpegFigure(a, a, pixelFormat: "gray", filter: "ssim", key: "All:"), 1, accuracy: 1e-6)
    }

    func testLumaMetricsMatchFFmpegOnKnownDistortions() throws {
        let a = pattern()
        let cases: [(String, [UInt8])] = [("noise 6", noisy(a, amount: 6)), ("noise 30", noisy(a, amount: 30)),
                                          ("box blur", blurred(a)), ("offset +10", offset(a, by: 10))]
        for (name, b) in cases {
            let ssim = FFmpegSSIM.ssim(a, b, width: Self.size, height: Self.size)
            let theirSSIM = try ffmpegFigure(a, b, pixelFormat: "gray", filter: "ssim", key: "All:")
            let psnr = Quality.psnr(plane(a), plane(b))
            let theirPSNR = try ffmpegFigure(a, b, pixelFormat: "gray", filter: "psnr", key: "average:")
            print(String(format: "%@: SSIM %.6f (ffmpeg %.6f, diff %.1e), PSNR-Y %.4f (ffmpeg %.4f, diff %.1e)",
                         name, ssim, theirSSIM, abs(ssim - theirSSIM), psnr, theirPSNR, abs(psnr - theirPSNR)))
            XCTAssertEqual(ssim, theirSSIM, accuracy: 0.01, name)
            XCTAssertEqual(ssim, theirSSIM, accuracy: 1e-5, "\(name): should agree to FFmpeg's printed digits")
            XCTAssertEqual(psnr, theirPSNR, accuracy: 0.01, name)
            XCTAssertLessThan(ssim, 1)
        }
    }

    func testRGBPSNRMatchesFFmpeg() throws {
        let g = pattern()
        var rgb = [UInt8](repeating: 0, count: 3 * g.count)
        for i in g.indices {
            rgb[3 * i] = g[i]
            rgb[3 * i + 1] = 255 - g[i]
            rgb[3 * i + 2] = UInt8((Int(g[i]) * 3) % 256)
        }
        for (name, b) in [("noise 8", noisy(rgb, amount: 8)), ("offset -12", offset(rgb, by: -12))] {
            let ours = Quality.psnrRGB(rgb, b)
            let theirs = try ffmpegFigure(rgb, b, pixelFormat: "rgb24", filter: "psnr", key: "average:")
            print(String(format: "%@: PSNR-RGB %.4f (ffmpeg %.4f)", name, ours, theirs))
            XCTAssertEqual(ours, theirs, accuracy: 0.01, name)
        }
    }

    func testRoundedPlaneSSIMMatchesBytes() {
        let a = pattern(), b = noisy(a, amount: 10)
        XCTAssertEqual(FFmpegSSIM.ssim(plane(a), plane(b)), FFmpegSSIM.ssim(a, b, width: 64, height: 64))
    }
}
