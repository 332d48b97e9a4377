@testable import AGCRD
import AGCCodec
import AGCMedia
import Foundation
import XCTest

/// The whole tool on a tiny generated clip: two AGC points and two points of each anchor.
final class ComparisonTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        MediaLog.setLevel(.errors)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("agcrd-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// A 6-frame 25 fps clip made by the ffmpeg command line (a moving test pattern).
    func makeClip() throws -> String {
        guard let tool = ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("no ffmpeg command line")
        }
        let path = folder.appendingPathComponent("clip.mp4").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["-hide_banner", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                             "testsrc2=size=160x128:rate=25", "-frames:v", "6", "-c:v", "libx264",
                             "-pix_fmt", "yuv420p", path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return path
    }

    func testAnchorsAndAGCOnATinyClip() throws {
        let clip = try makeClip()
        var options = ComparisonOptions()
        options.clips = [clip]
        options.crop = .full
        options.outputFolder = folder.appendingPathComponent("out").path
        options.jobs = 2
        options.progress = false
        options.points = [.agc(keyFrameCodec: .hevc, qp: 42, keypointStep: 64, minQuality: .msssim(0.80)),
                          .agc(keyFrameCodec: .hevc, qp: 30, keypointStep: 128, minQuality: .msssim(0.95))]
            + Ladders.anchor(.hevc, crfs: [30, 51]) + Ladders.anchor(.av1, crfs: [40, 63])
        let report = try Comparison(options: options).run()
        let result = try XCTUnwrap(report.clips.first)
        XCTAssertEqual(result.frames, 6)
        XCTAssertEqual(result.crop, [16, 0, 128, 128], "the centre square")
        XCTAssertEqual(result.points.count, 6)
        XCTAssertEqual(result.curves, ["agc-hevc", "hevc", "av1"])
        for p in result.points {
            XCTAssertEqual(p.perFrame.count, 6, p.label)
            let bytes = try fileSize(options.outputFolder + "/" + p.file)
            XCTAssertEqual(p.bytes, bytes, "every byte of the file")
            XCTAssertEqual(p.kbps, Double(bytes) * 8 / 1000 / (6.0 / 25), accuracy: 1e-9)
            XCTAssertGreaterThan(p.mean.msssimY, 0.3)
            XCTAssertLessThanOrEqual(p.mean.ssimY, 1)
        }
        for anchor in ["hevc", "av1"] {
            let pts = result.points(of: anchor)
            XCTAssertGreaterThan(pts[1].label.count, 0)
            XCTAssertLessThan(pts[0].kbps, pts[1].kbps)
        }
        XCTAssertEqual(result.comparisons.count, 2 * Metric.allCases.count)
        XCTAssertEqual(result.lowestRates.map(\.curve), ["agc-hevc", "hevc", "av1"])
        let files = try FileManager.default.subpathsOfDirectory(atPath: options.outputFolder)
        for name in ["report.json", "points.csv", "frames.csv", "bdrate.csv", "lowest.csv", "summary.md",
                     "report.html", "plots/clip-msssim_y.svg", "frames/clip/3-source.png"] {
            XCTAssertTrue(files.contains(name), "\(name) in \(files)")
        }
        XCTAssertEqual(files.filter { $0.hasSuffix(".tmp") }, [])
        XCTAssertEqual(files.filter { $0.hasSuffix(".png") }.count, 3 * 7, "3 frames x (source + 6 points)")
        let json = try Data(contentsOf: URL(fileURLWithPath: options.outputFolder + "/report.json"))
        let back = try JSONDecoder().decode(RDReport.self, from: json)
        XCTAssertEqual(back.clips.first?.points.count, 6)
        let csv = try String(contentsOfFile: options.outputFolder + "/points.csv")
        XCTAssertEqual(csv.split(separator: "\n").count, 7)
        let png = try Data(contentsOf: URL(fileURLWithPath: options.outputFolder + "/frames/clip/3-source.png"))
        XCTAssertEqual([UInt8](png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }

    func testClipsOfTheSameNameKeepTheirOutputsApart() throws {
        let clip = try makeClip()
        var options = ComparisonOptions()
        options.clips = [clip, clip]
        options.crop = .full
        options.maxFrames = 3
        options.outputFolder = folder.appendingPathComponent("twice").path
        options.progress = false
        options.points = Ladders.anchor(.hevc, crfs: [51])
        let report = try Comparison(options: options).run()
        XCTAssertEqual(report.clips.map(\.clip), ["clip", "clip-2"])
        XCTAssertEqual(report.clips.map(\.frames), [3, 3])
        XCTAssertEqual(Set(report.clips.flatMap { $0.points.map(\.file) }).count, 2)
    }

    func testMissingClipIsAOneLineErrorNamingIt() {
        var options = ComparisonOptions()
        options.clips = [folder.appendingPathComponent("absent.mp4").path]
        options.outputFolder = folder.appendingPathComponent("out").path
        options.progress = false
        XCTAssertThrowsError(try Comparison(options: options).run()) { error in
            XCTAssertTrue("\(error)".contains("absent.mp4"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }

    func testOutputFolderThatIsAFileIsAOneLineErrorNamingIt() throws {
        let file = folder.appendingPathComponent("plain").path
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data()))
        var options = ComparisonOptions()
        options.clips = [#filePath]
        options.outputFolder = file + "/out"
        options.progress = false
        XCTAssertThrowsError(try Comparison(options: options).run()) { error in
            XCTAssertEqual("\(error)", "\(file)/out: cannot create the folder (\(file) is not a folder)")
        }
    }

    func testMarkdownTableHasEveryClipAndCurve() {
        let q = FrameQuality(psnrY: 30, psnrRGB: 29, ssimY: 0.9, msssimY: 0.95)
        func point(_ curve: String, _ kbps: Double, _ m: Double) -> PointResult {
            var quality = q
            quality.msssimY = m
            quality.psnrY = 20 + 20 * m
            return PointResult(curve: curve, label: "\(kbps)", file: "streams/c/\(curve)-\(kbps).x", frames: 1,
                               bytes: 1, kbps: kbps, keyFrames: nil, mean: quality, perFrame: [quality], seconds: 0)
        }
        var clip = ClipReport(clip: "c", path: "c.mp4", crop: [0, 0, 8, 8], size: 256, frameRate: 25, frames: 1,
                              points: [point("agc-hevc", 4, 0.90), point("agc-hevc", 8, 0.95),
                                       point("av1", 16, 0.94), point("av1", 32, 0.97)],
                              comparisons: [], lowestRates: [], snapshotFrames: [0])
        clip.summarise()
        let text = Tables.markdown(RDReport(target: 0.9, clips: [clip]))
        XCTAssertTrue(text.contains("| c | 1 | agc-hevc | 4.0 : 0.900, 8.0 : 0.950 |"), text)
        XCTAssertTrue(text.contains("| c | 4.0 (4.0) | 16.0 (16.0) | 4.0 | 16.0 |"), text)
        XCTAssertTrue(text.contains("| c | agc-hevc | av1 |"), text)
    }
}
