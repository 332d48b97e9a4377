import AGCBitstream
import XCTest

/// The built tools facing outputs they cannot write: a read-only folder and a full disk. Each
/// run must exit non-zero with one line naming the output, leave nothing under its name, and
/// leave an existing file of that name as it was.
final class BadOutputTests: BadInputTestCase {
    /// The run failed with a message naming `output`, and the folder of `output` holds `expected`.
    func assertRefused(_ result: (status: Int32, stderr: String), naming output: String, folder: String,
                       holds expected: Set<String>, line: UInt = #line) {
        XCTAssertNotEqual(result.status, 0, "exit status", line: line)
        XCTAssertTrue(result.stderr.contains(output), "message does not name \(output): \(result.stderr)", line: line)
        XCTAssertEqual(Set((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []), expected,
                       "files left behind", line: line)
    }

    func testReadOnlyOutputFolder() throws {
        let stream = try validStream()
        let folder = path("ro")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try Data("old".utf8).write(to: URL(fileURLWithPath: folder + "/keep.agc"))
        chmod(folder, 0o555)
        defer { chmod(folder, 0o755) }
        let encoded = try runTool("agc-encode", [clip(), "-o", folder + "/keep.agc", "-y", "--crop", "full", "--no-progress"],
                                  unprivileged: true)
        assertRefused(encoded, naming: folder + "/keep.agc", folder: folder, holds: ["keep.agc"])
        XCTAssertTrue(encoded.stderr.contains("not writable"), encoded.stderr)
        for output in ["o.y4m", "o.mkv", "o.mp4"] {
            let decoded = try runTool("agc-decode", [stream, "-o", folder + "/" + output, "--no-progress"],
                                      unprivileged: true)
            assertRefused(decoded, naming: folder + "/" + output, folder: folder, holds: ["keep.agc"])
        }
        XCTAssertEqual(try String(contentsOfFile: folder + "/keep.agc", encoding: .utf8), "old")
    }

    /// A full disk, simulated portably with a 1 KiB limit on file size (writes fail with EFBIG).
    func testFileSizeLimit() throws {
        let stream = try validStream()
        try Data("old".utf8).write(to: URL(fileURLWithPath: path("keep.agc")))
        let limit = "trap '' XFSZ; ulimit -f 1"
        let inputs: Set = ["clip.mp4", "clip.agc", "keep.agc"]
        let encoded = try runTool("agc-encode", [clip(), "-o", path("keep.agc"), "-y", "--crop", "full", "--no-progress"],
                                  limits: limit)
        assertRefused(encoded, naming: path("keep.agc"), folder: dir, holds: inputs)
        XCTAssertTrue(encoded.stderr.contains("File too large"), encoded.stderr)
        for output in ["o.y4m", "o.mkv", "o.mp4"] {
            let decoded = try runTool("agc-decode", [stream, "-o", path(output), "--no-progress"], limits: limit)
            assertRefused(decoded, naming: path(output), folder: dir, holds: inputs)
            XCTAssertTrue(decoded.stderr.contains("File too large"), decoded.stderr)
        }
        XCTAssertEqual(try String(contentsOfFile: path("keep.agc"), encoding: .utf8), "old")
    }

    /// A really full disk: a 64 KiB tmpfs filled up. Needs the right to mount; skipped without it.
    func testFullTmpfs() throws {
        let stream = try validStream()
        let folder = path("full")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let mounted = try run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", folder])
        guard mounted.status == 0 else { throw XCTSkip("cannot mount a tmpfs here: \(mounted.stderr)") }
        defer { _ = try? run("/bin/umount", [folder]) }
        try Data("old".utf8).write(to: URL(fileURLWithPath: folder + "/keep.agc"))
        // Fill what is left; the last write fails when the disk is full.
        XCTAssertTrue(FileManager.default.createFile(atPath: folder + "/filler", contents: nil))
        let filler = try XCTUnwrap(FileHandle(forWritingAtPath: folder + "/filler"))
        while (try? filler.write(contentsOf: Data(count: 4096))) != nil {}
        try filler.close()
        let expected: Set = ["keep.agc", "filler"]
        let encoded = try runTool("agc-encode", [clip(), "-o", folder + "/keep.agc", "-y", "--crop", "full", "--no-progress"])
        assertRefused(encoded, naming: folder + "/keep.agc", folder: folder, holds: expected)
        XCTAssertTrue(encoded.stderr.contains("No space left on device"), encoded.stderr)
        for output in ["o.y4m", "o.mkv", "o.mp4"] {
            let decoded = try runTool("agc-decode", [stream, "-o", folder + "/" + output, "--no-progress"])
            assertRefused(decoded, naming: folder + "/" + output, folder: folder, holds: expected)
        }
        XCTAssertEqual(try String(contentsOfFile: folder + "/keep.agc", encoding: .utf8), "old")
    }
}
