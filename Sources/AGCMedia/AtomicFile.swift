import Foundation

/// A file written under a temporary name beside its final one and renamed into place by
/// `commit()`. Until then an existing file of the final name is untouched; if writing fails or
/// the object goes away uncommitted, the temporary file is removed.
public final class AtomicFile {
    public let path: String
    private let output: TemporaryOutput
    private let handle: FileHandle
    private var committed = false
    public private(set) var bytesWritten = 0

    public init(path: String) throws(MediaError) {
        self.path = path
        output = try TemporaryOutput(for: path, operation: "creating the output")
        guard FileManager.default.createFile(atPath: output.temporaryPath, contents: nil),
              let handle = FileHandle(forWritingAtPath: output.temporaryPath) else {
            throw MediaError(.io, path: path, operation: "creating the output", detail: "cannot create the file")
        }
        self.handle = handle
    }

    public func write(_ data: Data) throws(MediaError) {
        do {
            try handle.write(contentsOf: data)
            bytesWritten += data.count
        } catch {
            throw MediaError(.io, path: path, operation: "writing", detail: MediaError.reason(error))
        }
    }

    /// Flushes, closes and renames the file into place.
    public func commit() throws(MediaError) {
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw MediaError(.io, path: path, operation: "finishing the output", detail: MediaError.reason(error))
        }
        try output.commit()
        committed = true
    }

    deinit {
        if !committed {
            try? handle.close()
            output.discard()
        }
    }
}

extension AtomicFile {
    /// Writes `value` as pretty-printed JSON (sorted keys) to `path`, atomically.
    public static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let file = try AtomicFile(path: path)
        try file.write(try encoder.encode(value) + Data("\n".utf8))
        try file.commit()
    }
}

extension AtomicFile {
    /// On SIGINT, SIGTERM or SIGHUP, removes every output still being written and exits with
    /// 128 + the signal. Call once, early, from a command-line tool.
    public static func removeUnfinishedOutputsOnInterrupt() {
        LiveTemporaries.shared.installSignalCleanup()
    }

    /// Removes temporary files that an earlier, killed run left beside `path`.
    public static func removeLeftovers(of path: String) {
        for leftover in TemporaryOutput.leftovers(of: path) { unlink(leftover) }
    }
}
