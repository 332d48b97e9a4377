import Foundation
import XCTest

/// The built tools never write over one of their own inputs, replace an existing output only
/// when asked (-y; -n skips), find output problems before any work, refuse an AGC stream as an
/// encoder input, and say when `--crop auto` finds no face (docs/bad-input.md).
final class OutputSafetyTests: BadInputTestCase {
    /// The run failed (exit 1) with a message naming `file` and containing `reason`.
    func assertRefused(_ result: (status: Int32, stderr: String), naming file: String, _ reason: String,
                       line: UInt = #line) {
        XCTAssertEqual(result.status, 1, "exit status; stderr: \(result.stderr)", line: line)
        XCTAssertTrue(result.stderr.contains(file), "message does not name \(file): \(result.stderr)", line: line)
        XCTAssertTrue(result.stderr.contains(reason), "message does not say \(reason): \(result.stderr)", line: line)
    }

    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    func testOutputThatIsTheInputIsRefusedThroughEveryName() throws {
        let input = try clip()
        let original = try XCTUnwrap(bytes(input))
        try FileManager.default.linkItem(atPath: input, toPath: path("hard.mp4"))
        try FileManager.default.createSymbolicLink(atPath: path("soft.agc"), withDestinationPath: input)
        try FileManager.default.createDirectory(atPath: path("sub"), withIntermediateDirectories: false)
        let names = [input, path("hard.mp4"), path("soft.agc"), path("sub/../clip.mp4")]
        for output in names {
            for flags in [[], ["-y"]] {
                let result = try runTool("agc-encode", [input, "-o", output, "--crop", "full", "--no-progress"] + flags)
                assertRefused(result, naming: output, "refusing to write over an input")
            }
        }
        XCTAssertEqual(bytes(input), original, "the input is byte-identical")
        XCTAssertEqual(files(), ["clip.mp4", "hard.mp4", "soft.agc", "sub"], "nothing else was written")

        // The decoder the same: its output named as a link to the stream it reads.
        let stream = try validStream()
        let streamBytes = try XCTUnwrap(bytes(stream))
        try FileManager.default.createSymbolicLink(atPath: path("back.mp4"), withDestinationPath: stream)
        let decoded = try runTool("agc-decode", [stream, "-o", path("back.mp4"), "-y", "--no-progress"])
        assertRefused(decoded, naming: path("back.mp4"), "refusing to write over an input")
        XCTAssertEqual(bytes(stream), streamBytes)
        // A JSON report named as the input is refused too, before any work.
        let report = try runTool("agc-encode", [input, "-o", path("new.agc"), "--stats-json", input, "--no-progress"])
        assertRefused(report, naming: input, "refusing to write over an input")
        XCTAssertEqual(bytes(input), original)
        XCTAssertFalse(files().contains("new.agc"))
    }

    func testExistingOutputIsReplacedOnlyWhenAsked() throws {
        let input = try clip()
        let output = path("old.agc")
        try Data("old".utf8).write(to: URL(fileURLWithPath: output))
        let refused = try runTool("agc-encode", [input, "-o", output, "--crop", "full", "--no-progress"])
        assertRefused(refused, naming: output, "the output exists (-y replaces it, -n skips it)")
        XCTAssertEqual(bytes(output), Data("old".utf8))

        let skipped = try runTool("agc-encode", [input, "-o", output, "--crop", "full", "--no-progress", "-n"])
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertEqual(bytes(output), Data("old".utf8), "-n leaves the file as it was")

        let replaced = try runTool("agc-encode", [input, "-o", output, "--crop", "full", "--no-progress", "-y"])
        XCTAssertEqual(replaced.status, 0, replaced.stderr)
        XCTAssertEqual(bytes(output)?.prefix(4), Data("AGCB".utf8), "-y replaces it with the stream")

        let y4m = path("old.y4m")
        try Data("old".utf8).write(to: URL(fileURLWithPath: y4m))
        assertRefused(try runTool("agc-decode", [output, "-o", y4m, "--no-progress"]), naming: y4m, "the output exists")
        XCTAssertEqual(bytes(y4m), Data("old".utf8))
        XCTAssertEqual(try runTool("agc-decode", [output, "-o", y4m, "--no-progress", "-y"]).status, 0)
        XCTAssertEqual(bytes(y4m)?.prefix(9), Data("YUV4MPEG2".utf8))

        let both = try runTool("agc-encode", [input, "-o", output, "-y", "-n"])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("-y and -n exclude each other"), both.stderr)
    }

    func testOutputProblemsAreFoundBeforeAnyWork() throws {
        let input = try clip()
        try FileManager.default.createDirectory(atPath: path("folder"), withIntermediateDirectories: false)
        let cases: [(output: String, reason: String)] = [
            (path("folder"), "checking the output: is a folder"),
            (path("missing/out.agc"), "checking the output: the folder does not exist"),
        ]
        for (output, reason) in cases {
            // --crop auto would read the first 10 s before coding: the error must come first.
            let encoded = try runTool("agc-encode", [input, "-o", output])
            assertRefused(encoded, naming: output, reason)
            XCTAssertFalse(encoded.stderr.contains("frames"), "no progress before the error: \(encoded.stderr)")
        }
        let stream = try validStream()
        assertRefused(try runTool("agc-decode", [stream, "-o", path("folder")]), naming: path("folder"), "is a folder")
        assertRefused(try runTool("agc-decode", [stream, "-o", path("missing/out.mp4")]),
                      naming: path("missing/out.mp4"), "the folder does not exist")
        XCTAssertEqual(files(), ["clip.mp4", "clip.agc", "folder"])
    }

    func testAnAGCStreamIsRefusedByTheEncoder() throws {
        let stream = try validStream()
        let result = try runTool("agc-encode", [stream, "-o", path("again.agc"), "--no-progress"])
        assertRefused(result, naming: stream, "is an AGC stream: use agc-decode")
        XCTAssertFalse(files().contains("again.agc"))
        // Whatever its name says.
        try FileManager.default.copyItem(atPath: stream, toPath: path("disguised.mp4"))
        assertRefused(try runTool("agc-encode", [path("disguised.mp4"), "-o", path("again.agc"), "--no-progress"]),
                      naming: path("disguised.mp4"), "is an AGC stream")
    }

    func testCropAutoWithoutAFaceSaysSo() throws {
        let grey = path("grey.mp4")
        try ffmpeg(["-f", "lavfi", "-i", "color=c=gray:s=160x120:d=0.4:r=25", "-c:v", "libx264", grey])
        let result = try runTool("agc-encode", [grey, "-o", path("grey.agc"), "--no-progress",
                                                "--stats-json", path("grey.json")])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("\(grey): --crop auto found no face in the first 10 s: using the centre square 20,0,120,120"),
                      result.stderr)
        let stats = try XCTUnwrap(try JSONSerialization.jsonObject(with: try XCTUnwrap(bytes(path("grey.json")))) as? [String: Any])
        XCTAssertEqual(stats["crop_source"] as? String, "centre (no face found)")
        XCTAssertEqual((stats["warnings"] as? [String])?.count, 1)
        XCTAssertEqual(stats["crop"] as? [Int], [20, 0, 120, 120])

        // A batch records it per file in its summary.
        let batch = try runTool("agc-encode", [grey, "--output-dir", path("batch"), "--no-progress",
                                               "--summary-json", path("summary.json")])
        XCTAssertEqual(batch.status, 0, batch.stderr)
        XCTAssertTrue(batch.stderr.contains("warning: \(grey): --crop auto found no face"), batch.stderr)
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: try XCTUnwrap(bytes(path("summary.json")))) as? [String: Any])
        let file = try XCTUnwrap((summary["files"] as? [[String: Any]])?.first)
        XCTAssertEqual((file["warnings"] as? [String])?.first?.contains("found no face"), true)
    }

    func testABatchNeverWritesOverItsInputs() throws {
        let input = try clip()
        let original = try XCTUnwrap(bytes(input))
        let manifest = path("list.csv")
        try Data("input,output\nclip.mp4,clip.mp4\n".utf8).write(to: URL(fileURLWithPath: manifest))
        let result = try runTool("agc-encode", ["--manifest", manifest, "--no-progress"])
        assertRefused(result, naming: input, "refusing to write over an input")
        XCTAssertEqual(bytes(input), original)
        // The summary report is an output too.
        let summary = try runTool("agc-encode", [input, "--output-dir", path("out"), "--summary-json", input])
        assertRefused(summary, naming: input, "refusing to write over an input")
        XCTAssertEqual(bytes(input), original)
        // -y and -n belong to one-file runs.
        let flagged = try runTool("agc-encode", [input, "--output-dir", path("out"), "-y"])
        XCTAssertNotEqual(flagged.status, 0)
        XCTAssertTrue(flagged.stderr.contains("-y and -n are for one output"), flagged.stderr)
    }
}
