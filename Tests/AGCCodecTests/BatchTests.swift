import AGCMedia
import Foundation
import XCTest
@testable import AGCCodec

/// Batch mode: inputs and outputs, shards, failures that stay alone, reruns that skip what is done.
final class BatchTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("agc-batch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/in/a/b", withIntermediateDirectories: true)
        for name in ["in/x.mp4", "in/a/y.MOV", "in/a/b/z.mkv", "in/a/notes.txt"] {
            _ = FileManager.default.createFile(atPath: "\(dir)/\(name)", contents: Data("v".utf8))
        }
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func testFoldersAreMirroredUnderTheOutputFolder() throws {
        let inputs = BatchInputs(extensions: BatchInputs.videoExtensions, outputExtension: "agc", outputDirectory: "\(dir)/out")
        let items = try inputs.collect(paths: ["\(dir)/in"], manifest: nil)
        XCTAssertEqual(items.map(\.output), ["\(dir)/out/a/b/z.agc", "\(dir)/out/a/y.agc", "\(dir)/out/x.agc"])
        XCTAssertEqual(items.map { ($0.input as NSString).lastPathComponent }, ["z.mkv", "y.MOV", "x.mp4"])
        // Several inputs need an output folder.
        XCTAssertThrowsError(try BatchInputs(extensions: ["mp4"], outputExtension: "agc", outputDirectory: nil)
            .collect(paths: ["\(dir)/in"], manifest: nil))
    }

    func testManifestsPlainAndCSV() throws {
        try "# archive\nin/x.mp4\n\nin/a/y.MOV\n".write(toFile: "\(dir)/list.txt", atomically: true, encoding: .utf8)
        let inputs = BatchInputs(extensions: [], outputExtension: "agc", outputDirectory: "\(dir)/out")
        XCTAssertEqual(try inputs.collect(paths: [], manifest: "\(dir)/list.txt").map(\.input), ["\(dir)/in/x.mp4", "\(dir)/in/a/y.MOV"])
        try "input,output\nin/x.mp4,o/first.agc\n\"in/a/y.MOV\",\n".write(toFile: "\(dir)/list.csv", atomically: true, encoding: .utf8)
        let items = try inputs.collect(paths: [], manifest: "\(dir)/list.csv")
        XCTAssertEqual(items, [BatchItem(input: "\(dir)/in/x.mp4", output: "\(dir)/o/first.agc"),
                               BatchItem(input: "\(dir)/in/a/y.MOV", output: "\(dir)/out/y.agc")])
        XCTAssertEqual(CSVLine.fields("\"a \"\"b\"\", c\",d, e ,"), ["a \"b\", c", "d", "e", ""])
        // Two inputs writing one output are refused.
        try "input,output\nin/x.mp4,same.agc\nin/a/y.MOV,same.agc\n".write(toFile: "\(dir)/clash.csv", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try inputs.collect(paths: [], manifest: "\(dir)/clash.csv")) { XCTAssertTrue("\($0)".contains("same.agc")) }
    }

    func testShardsPartitionTheInputs() {
        let paths = (0..<500).map { "archive/clip-\($0).mp4" }
        for n in [1, 2, 4, 7] {
            let shares = (0..<n).map { i in paths.filter { BatchShard(index: i, count: n).contains($0) } }
            XCTAssertEqual(shares.map(\.count).reduce(0, +), paths.count, "every file in exactly one share of \(n)")
            XCTAssertEqual(Set(shares.flatMap { $0 }).count, paths.count)
            if n > 1 { XCTAssertTrue(shares.allSatisfy { $0.count > paths.count / n / 2 }, "shares are balanced") }
        }
        XCTAssertEqual(BatchShard(argument: "3/4"), BatchShard(index: 3, count: 4))
        XCTAssertNil(BatchShard(argument: "4/4"))
        XCTAssertNil(BatchShard(argument: "1"))
    }

    func testAFailureStaysAloneAndARerunSkipsWhatIsDone() throws {
        let items = (0..<6).map { BatchItem(input: "\(dir)/in/\($0).mp4", output: "\(dir)/out/\($0).agc") }
        let runner = BatchRunner(jobs: 2, progress: false)
        let summary = runner.run(items, isComplete: { FileManager.default.fileExists(atPath: $0.output) }) { item in
            if item.input.hasSuffix("3.mp4") { throw CodecError.input("\(item.input): broken") }
            let file = try AtomicFile(path: item.output)
            try file.write(Data("agc".utf8))
            try file.commit()
            return BatchWorkResult(frames: 10, kbps: 1)
        }
        XCTAssertEqual([summary.done, summary.skipped, summary.failed], [5, 0, 1])
        XCTAssertEqual(summary.files.map(\.input), items.map(\.input), "the summary keeps the input order")
        XCTAssertEqual(summary.files[3].status, .failed)
        XCTAssertTrue(summary.files[3].error?.contains("3.mp4") ?? false)
        let again = BatchRunner(jobs: 2, progress: false).run(items, isComplete: { FileManager.default.fileExists(atPath: $0.output) }) { _ in
            BatchWorkResult(frames: 10, kbps: 1)
        }
        XCTAssertEqual([again.done, again.skipped, again.failed], [1, 5, 0])
    }

    func testMemoryBudgetLimitsJobs() {
        XCTAssertEqual(BatchRunner(jobs: 8, memoryBudgetMB: 1000, perJobMB: 400, progress: false).jobs, 2)
        XCTAssertEqual(BatchRunner(jobs: 8, memoryBudgetMB: 100, perJobMB: 400, progress: false).jobs, 1)
    }

    func testOnlyCompleteStreamsCount() throws {
        let (path, _, _) = try CodecRoundTripTests.encoded.get()
        XCTAssertTrue(OutputCheck.isCompleteStream(path))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for cut in [bytes.count - 1, bytes.count / 2, 10] {
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: "\(dir)/cut.agc"))
            XCTAssertFalse(OutputCheck.isCompleteStream("\(dir)/cut.agc"), "cut at \(cut)")
        }
        XCTAssertFalse(OutputCheck.isCompleteStream("\(dir)/missing.agc"))
    }
}
