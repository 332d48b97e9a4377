import AGCMedia
import Foundation
import XCTest

/// Makes small media files with the `ffmpeg` command line in a private temporary folder.
final class TestMedia {
    let directory: URL

    init() throws {
        MediaLog.setLevel(.errors)
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("agcmedia-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    static var ffmpegPath: String? {
        ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs ffmpeg with `arguments` (after `-v error -y`) and returns its standard output.
    @discardableResult
    func ffmpeg(_ arguments: [String]) throws -> Data {
        guard let tool = TestMedia.ffmpegPath else { throw XCTSkip("no ffmpeg command line") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["-hide_banner", "-nostdin", "-v", "error", "-y"] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "ffmpeg", code: Int(process.terminationStatus), userInfo: [
                NSLocalizedDescriptionKey: String(decoding: message, as: UTF8.self)])
        }
        return data
    }

    /// A 1-second 25 fps H.264 test pattern of the given size.
    func testPattern(_ name: String = "pattern.mp4", width: Int = 320, height: Int = 240,
                     seconds: Double = 1) throws -> String {
        let output = path(name)
        try ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=\(width)x\(height):rate=25", "-t", "\(seconds)",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "veryfast", output])
        return output
    }

    /// The test pattern with rotation metadata (written by stream copy, which FFmpeg 5.1 honours).
    func rotatedPattern(rotate: Int) throws -> String {
        let plain = try testPattern("plain-\(rotate).mp4")
        let output = path("rotated-\(rotate).mp4")
        try ffmpeg(["-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=\(rotate)", output])
        return output
    }

    /// Frame `index` of `file` as ffmpeg itself decodes it (autorotated), RGB24.
    func referenceFrame(_ file: String, index: Int = 0) throws -> [UInt8] {
        try [UInt8](ffmpeg(["-i", file, "-vf", "select=eq(n\\,\(index))", "-frames:v", "1",
                            "-sws_flags", "bicubic+accurate_rnd+full_chroma_int",
                            "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]))
    }
}

/// Mean absolute difference of two equal-length byte arrays.
func meanAbsoluteDifference(_ a: [UInt8], _ b: [UInt8]) -> Double {
    precondition(a.count == b.count, "sizes differ: \(a.count) vs \(b.count)")
    var total = 0
    for i in 0..<a.count { total += abs(Int(a[i]) - Int(b[i])) }
    return Double(total) / Double(max(a.count, 1))
}

/// PSNR in dB of two equal-length 8-bit arrays.
func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
    precondition(a.count == b.count)
    var total = 0.0
    for i in 0..<a.count {
        let d = Double(Int(a[i]) - Int(b[i]))
        total += d * d
    }
    let mse = total / Double(a.count)
    return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
}
