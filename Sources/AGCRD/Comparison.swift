import AGCCodec
import AGCMedia
import Foundation

/// What `agc-rd` is asked to do.
public struct ComparisonOptions: Sendable {
    public var clips: [String] = []
    public var crop: CropMode = .auto
    /// The coded square size (the model's input size).
    public var size = 256
    /// At most this many frames of each clip (nil: all).
    public var maxFrames: Int?
    /// AGC points and anchor points, in any order.
    public var points: [OperatingPoint] = Ladders.agc() + Ladders.anchor(.hevc, crfs: Ladders.hevcCRFs)
        + Ladders.anchor(.av1, crfs: Ladders.av1CRFs)
    /// Operating points coded at once.
    public var jobs = 1
    public var outputFolder = "out/rd"
    /// The MS-SSIM-Y target of the lowest-rate figures.
    public var target = 0.90
    /// Progress lines on stderr.
    public var progress = true

    public init() {}
}

/// Runs every operating point on every clip, then summarises and writes the report.
public final class Comparison {
    public let options: ComparisonOptions
    private let lock = NSLock()

    public init(options: ComparisonOptions) { self.options = options }

    /// Measures every clip and writes JSON, CSV, SVG, PNG and HTML into the output folder.
    @discardableResult
    public func run() throws -> RDReport {
        guard !options.clips.isEmpty else { throw RDError("agc-rd: no clips given") }
        guard !options.points.isEmpty else { throw RDError("agc-rd: no operating points") }
        for clip in options.clips where !FileManager.default.fileExists(atPath: clip) {
            throw RDError("\(clip): no such file")
        }
        try makeFolder(options.outputFolder)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("agc-rd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        // Clips of the same file name (in different folders) get -2, -3, ... so outputs stay apart.
        var names: [String] = []
        for path in options.clips {
            let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            var name = base, k = 2
            while names.contains(name) { name = "\(base)-\(k)"; k += 1 }
            names.append(name)
        }
        var reports: [ClipReport] = []
        var pictures: [String: [String: [Int: RGBImage]]] = [:]
        for (n, path) in options.clips.enumerated() {
            say("[clip \(n + 1)/\(options.clips.count)] \(path): cropping and scaling")
            let clip = try ClipSource(path: path, name: names[n], crop: options.crop, size: options.size,
                                      maxFrames: options.maxFrames, workFolder: work)
            say("[clip \(n + 1)/\(options.clips.count)] \(clip.name): \(clip.frames.count) frames at "
                + "\(clip.frameRate), crop \(clip.crop.x),\(clip.crop.y) \(clip.crop.width)x\(clip.crop.height)")
            var (report, kept) = try measure(clip)
            kept["source"] = Dictionary(uniqueKeysWithValues: report.snapshotFrames.map { ($0, clip.frames[$0]) })
            reports.append(report)
            pictures[clip.name] = kept
            // Written after every clip, so that a long run leaves its results so far.
            try ReportWriter(folder: options.outputFolder)
                .writeAll(RDReport(target: options.target, clips: reports), pictures: pictures)
        }
        let report = RDReport(target: options.target, clips: reports)
        say("wrote \(options.outputFolder)/report.html")
        return report
    }

    /// Codes and measures every operating point on `clip`, `jobs` at a time.
    func measure(_ clip: ClipSource) throws -> (ClipReport, [String: [Int: RGBImage]]) {
        let n = clip.frames.count
        let snapshots = Array(Set([n / 6, n / 2, (5 * n) / 6].map { min(max($0, 0), n - 1) })).sorted()
        let runner = PointRunner(outputFolder: options.outputFolder, snapshotFrames: Set(snapshots))
        let points = options.points
        var done = 0
        let results = try parallelMap(points.count, jobs: options.jobs) { i -> (PointResult, [Int: RGBImage]) in
            say("  start \(points[i].curve) \(points[i])")
            let (result, kept) = try runner.run(points[i], on: clip)
            lock.lock()
            done += 1
            let count = done
            lock.unlock()
            say(String(format: "  [%d/%d] %@ %@: %.2f kb/s, PSNR-Y %.2f dB, SSIM-Y %.4f, MS-SSIM-Y %.4f (%.1f s)",
                       count, points.count, result.curve, result.label, result.kbps, result.mean.psnrY,
                       result.mean.ssimY, result.mean.msssimY, result.seconds))
            return (result, kept)
        }
        var report = ClipReport(clip: clip.name, path: clip.path,
                                crop: [clip.crop.x, clip.crop.y, clip.crop.width, clip.crop.height],
                                size: options.size, frameRate: clip.frameRate.value, frames: n,
                                points: results.map(\.0), comparisons: [], lowestRates: [],
                                snapshotFrames: snapshots)
        report.summarise(target: options.target)
        var kept: [String: [Int: RGBImage]] = [:]
        for (result, images) in results { kept[result.file] = images }
        return (report, kept)
    }

    private func say(_ line: String) {
        guard options.progress else { return }
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(Data("agc-rd: \(line)\n".utf8))
    }
}

/// Creates `path` (and its parents), or throws one line naming it.
func makeFolder(_ path: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else { throw RDError("\(path): exists and is not a folder") }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw RDError("\(path): folder is not writable")
        }
        return
    }
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        // Name the reason: the nearest existing ancestor is a file, or is not writable.
        var ancestor = (path as NSString).deletingLastPathComponent
        while !ancestor.isEmpty && ancestor != "/" && !FileManager.default.fileExists(atPath: ancestor) {
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        var isFolder: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: ancestor.isEmpty ? "." : ancestor, isDirectory: &isFolder)
        let reason = isFolder.boolValue ? "\(ancestor) is not writable" : "\(ancestor) is not a folder"
        throw RDError("\(path): cannot create the folder (\(reason))")
    }
}

/// `body(0..<count)` on `jobs` threads, results in order; the first error is thrown once all
/// running work has stopped (no new work starts after an error).
func parallelMap<T>(_ count: Int, jobs: Int, _ body: (Int) throws -> T) throws -> [T] {
    let lock = NSLock()
    var next = 0
    var failed = false
    var results = [Result<T, Error>?](repeating: nil, count: count)
    DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, count))) { _ in
        while true {
            lock.lock()
            let i = next
            next += 1
            let stop = failed || i >= count
            lock.unlock()
            if stop { return }
            let result = Result { try body(i) }
            lock.lock()
            results[i] = result
            if case .failure = result { failed = true }
            lock.unlock()
        }
    }
    if let failure = results.first(where: { if case .failure = $0 { return true } else { return false } }) {
        _ = try failure!.get()
    }
    return try results.map { try $0!.get() }
}
