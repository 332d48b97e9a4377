import Foundation

/// A temporary name beside an output file, renamed onto it when the output is complete and
/// removed otherwise, so that a failed run leaves nothing half-written behind.
struct TemporaryOutput {
    let finalPath: String
    let temporaryPath: String

    init(for path: String, operation: String) throws(MediaError) {
        try OutputPreflight.checkFolder(of: path, operation: operation)
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        finalPath = path
        temporaryPath = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        LiveTemporaries.shared.add(temporaryPath)
    }

    /// Moves the finished temporary file onto the final name (replacing any old file).
    func commit() throws(MediaError) {
        defer { LiveTemporaries.shared.remove(temporaryPath) }
        if rename(temporaryPath, finalPath) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw MediaError(.io, path: finalPath, operation: "finishing the output", detail: reason)
        }
    }

    /// Removes the temporary file, if there is one.
    func discard() {
        unlink(temporaryPath)
        LiveTemporaries.shared.remove(temporaryPath)
    }

    /// Temporary files a killed run left beside `path` (`.NAME.*.tmp`).
    static func leftovers(of path: String) -> [String] {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let prefix = ".\(url.lastPathComponent)."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".tmp") }.map { (folder as NSString).appendingPathComponent($0) }
    }
}

/// The temporary files this process is writing, removed when it is interrupted (SIGINT,
/// SIGTERM, SIGHUP) so that a killed run leaves neither a partial file under a final name nor
/// its temporary behind.
final class LiveTemporaries: @unchecked Sendable {
    static let shared = LiveTemporaries()
    private let lock = NSLock()
    private var paths: Set<String> = []
    private var sources: [DispatchSourceSignal] = []

    func add(_ path: String) { lock.withLock { _ = paths.insert(path) } }
    func remove(_ path: String) { lock.withLock { _ = paths.remove(path) } }

    func installSignalCleanup() {
        lock.withLock {
            guard sources.isEmpty else { return }
            for sig in [SIGINT, SIGTERM, SIGHUP] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { [weak self] in
                    self?.removeAll()
                    FileHandle.standardError.write(Data("\ninterrupted (signal \(sig)): unfinished outputs removed\n".utf8))
                    exit(128 + sig)
                }
                source.resume()
                sources.append(source)
            }
        }
    }

    private func removeAll() {
        lock.withLock {
            for path in paths { unlink(path) }
            paths.removeAll()
        }
    }
}
