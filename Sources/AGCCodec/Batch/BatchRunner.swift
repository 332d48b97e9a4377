import AGCMedia
import Foundation

/// What became of one file of a batch.
public struct BatchFileResult: Codable, Sendable {
    public enum Status: String, Codable, Sendable { case done, skipped, failed }

    public var input: String
    public var output: String
    public var status: Status
    public var error: String?
    public var bytesIn: Int
    public var bytesOut: Int
    public var frames: Int?
    public var kbps: Double?
    public var seconds: Double
    /// What the work warned about (e.g. `--crop auto` found no face).
    public var warnings: [String] = []

    enum CodingKeys: String, CodingKey {
        case input, output, status, error, frames, kbps, seconds, warnings
        case bytesIn = "bytes_in", bytesOut = "bytes_out"
    }
}

/// A batch's outcome: every file, and the counts. `failed > 0` means a non-zero exit.
public struct BatchSummary: Codable, Sendable {
    public var files: [BatchFileResult]
    public var done: Int
    public var skipped: Int
    public var failed: Int
    public var jobs: Int
    public var shard: String?
    public var seconds: Double
}

/// What one file's work reports back.
public struct BatchWorkResult: Sendable {
    public var frames: Int
    public var kbps: Double?
    public var warnings: [String]

    public init(frames: Int, kbps: Double?, warnings: [String] = []) {
        self.frames = frames
        self.kbps = kbps
        self.warnings = warnings
    }
}

/// Runs a batch: up to `jobs` files at once, each file's failure its own (the rest go on),
/// outputs that are already complete skipped, one overall progress line on stderr.
public final class BatchRunner: @unchecked Sendable {
    public let jobs: Int
    public let progress: Bool
    public var shardDescription: String?
    private let lock = NSLock()
    private var results: [Int: BatchFileResult] = [:]
    private var bytesInDone = 0, bytesOutDone = 0

    /// `jobs` files at once (at most as many as `memoryBudgetMB` allows at `perJobMB` each).
    public init(jobs: Int, memoryBudgetMB: Int? = nil, perJobMB: Int = 400, progress: Bool) {
        var n = max(1, jobs)
        if let budget = memoryBudgetMB { n = max(1, min(n, budget / max(perJobMB, 1))) }
        self.jobs = n
        self.progress = progress
    }

    /// Kernel threads each job gets: the cores shared out.
    public var threadsPerJob: Int { max(1, ProcessInfo.processInfo.activeProcessorCount / jobs) }

    public func run(_ items: [BatchItem], isComplete: @escaping (BatchItem) -> Bool,
                    work: @escaping (BatchItem) throws -> BatchWorkResult) -> BatchSummary {
        let started = Date()
        let sizes = items.map { fileSize($0.input) }
        let totalIn = sizes.reduce(0, +)
        var next = 0
        DispatchQueue.concurrentPerform(iterations: min(jobs, max(items.count, 1))) { _ in
            while true {
                let index: Int? = lock.withLock {
                    guard next < items.count else { return nil }
                    defer { next += 1 }
                    return next
                }
                guard let index else { return }
                let result = process(items[index], bytesIn: sizes[index], isComplete: isComplete, work: work)
                lock.withLock {
                    results[index] = result
                    bytesInDone += sizes[index]
                    bytesOutDone += result.bytesOut
                }
                report(result, total: items.count, totalIn: totalIn, started: started)
            }
        }
        let files = items.indices.compactMap { results[$0] }
        if progress { FileHandle.standardError.write(Data("\n".utf8)) }
        return BatchSummary(files: files, done: files.filter { $0.status == .done }.count,
                            skipped: files.filter { $0.status == .skipped }.count,
                            failed: files.filter { $0.status == .failed }.count, jobs: jobs, shard: shardDescription,
                            seconds: Date().timeIntervalSince(started))
    }

    private func process(_ item: BatchItem, bytesIn: Int, isComplete: (BatchItem) -> Bool,
                         work: (BatchItem) throws -> BatchWorkResult) -> BatchFileResult {
        let start = Date()
        var result = BatchFileResult(input: item.input, output: item.output, status: .done, error: nil, bytesIn: bytesIn,
                                     bytesOut: 0, frames: nil, kbps: nil, seconds: 0)
        if isComplete(item) {
            result.status = .skipped
            result.bytesOut = fileSize(item.output)
            return result
        }
        do {
            let folder = (item.output as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            AtomicFile.removeLeftovers(of: item.output)
            let done = try work(item)
            result.frames = done.frames
            result.kbps = done.kbps
            result.warnings = done.warnings
            result.bytesOut = fileSize(item.output)
        } catch {
            result.status = .failed
            result.error = "\(error)"
        }
        result.seconds = Date().timeIntervalSince(start)
        return result
    }

    private func report(_ r: BatchFileResult, total: Int, totalIn: Int, started: Date) {
        guard progress else { return }
        let (finished, failed, inDone, outDone) = lock.withLock {
            (results.count, results.values.filter { $0.status == .failed }.count, bytesInDone, bytesOutDone)
        }
        let elapsed = Date().timeIntervalSince(started)
        let eta = inDone > 0 ? elapsed * Double(totalIn - inDone) / Double(inDone) : 0
        let outcome = r.status == .failed ? "FAILED: \(r.error ?? "")" : r.status.rawValue
        let line = String(format: "\r\u{1B}[K%@: %@\n[batch] %d/%d files, %d failed, %d left, %.1f MB in, %.2f MB out, eta %@",
                          r.input, outcome, finished, total, failed, total - finished, Double(inDone) / 1e6,
                          Double(outDone) / 1e6, ProgressLine.clock(eta))
        FileHandle.standardError.write(Data(line.utf8))
    }

    private func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
