import AGCCodec
import AGCMedia
import ArgumentParser
import Foundation

/// The options every batch-capable tool shares: many inputs (files, folders, a manifest), an
/// output folder that mirrors the input tree, parallel jobs within a memory budget, a shard of
/// the inputs for an array job, and a JSON summary.
public struct BatchOptions: ParsableArguments {
    @Option(name: .customLong("output-dir"), help: "Batch: write outputs here, mirroring the tree of each input folder.")
    public var outputDir: String?

    @Option(help: "Batch: a file listing inputs, one per line, or CSV with an input column and optionally an output column.")
    public var manifest: String?

    @Option(help: "Batch: files processed at once.")
    public var jobs = 1

    @Option(name: .customLong("memory-mb"), help: "Batch: memory budget; fewer jobs run at once if they would not fit (about 400 MB each).")
    public var memoryMB: Int?

    @Option(help: "Batch: take share I of N (0-based) of the inputs, by a hash of each path: for array jobs.")
    public var shard: String?

    @Option(name: .customLong("summary-json"), help: "Batch: write every file's outcome, sizes, kb/s and error as JSON.")
    public var summaryJSON: String?

    @Flag(help: "Batch: redo outputs that are already complete (by default a rerun skips them).")
    public var force = false

    public init() {}

    /// Whether the command line asks for a batch rather than one file.
    public func isBatch(inputs: [String], output: String?) -> Bool {
        outputDir != nil || manifest != nil || inputs.count != 1 || output == nil
    }

    /// The items of this invocation (after sharding).
    public func items(inputs: [String], extensions: Set<String>, outputExtension: String) throws -> [BatchItem] {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        var shardSpec: BatchShard?
        if let shard {
            guard let s = BatchShard(argument: shard) else { throw ValidationError("--shard \(shard): expected I/N with 0 <= I < N") }
            shardSpec = s
        }
        let all = try BatchInputs(extensions: extensions, outputExtension: outputExtension, outputDirectory: outputDir)
            .collect(paths: inputs, manifest: manifest)
        guard !all.isEmpty else { throw ValidationError("no inputs found in \((inputs + [manifest].compactMap { $0 }).joined(separator: " "))") }
        return shardSpec.map { s in all.filter { s.contains($0.input) } } ?? all
    }

    /// Runs `work` over the items, prints the summary line, writes the JSON, and throws
    /// `ExitCode.failure` when any file failed.
    public func run(tool: String, items: [BatchItem], progress: Bool, isComplete: @escaping (BatchItem) -> Bool,
                    work: @escaping (BatchItem, Int) throws -> BatchWorkResult) throws {
        let runner = BatchRunner(jobs: jobs, memoryBudgetMB: memoryMB, progress: progress)
        runner.shardDescription = shard
        let threads = runner.threadsPerJob
        let summary = runner.run(items, isComplete: { force ? false : isComplete($0) }, work: { try work($0, threads) })
        if let summaryJSON { try AtomicFile.writeJSON(summary, to: summaryJSON) }
        FileHandle.standardError.write(Data(String(format: "%@: %d files: %d done, %d skipped (already complete), %d failed, %.1f s\n",
                                                   tool, summary.files.count, summary.done, summary.skipped, summary.failed,
                                                   summary.seconds).utf8))
        for failure in summary.files where failure.status == .failed {
            let error = failure.error ?? "failed"
            let line = error.contains(failure.input) ? error : "\(failure.input): \(error)"
            FileHandle.standardError.write(Data("\(tool): \(line)\n".utf8))
        }
        for file in summary.files {
            for warning in file.warnings { FileHandle.standardError.write(Data("\(tool): warning: \(warning)\n".utf8)) }
        }
        if summary.failed > 0 { throw ExitCode.failure }
    }
}
