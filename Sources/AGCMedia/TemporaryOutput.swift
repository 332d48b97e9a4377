import Foundation

/// A temporary name beside an output file, renamed onto it when the output is complete and
/// removed otherwise, so that a failed run leaves nothing half-written behind.
struct TemporaryOutput {
    let finalPath: String
    let temporaryPath: String

    init(for path: String, operation: String) throws(MediaError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw MediaError(.io, path: path, operation: operation, detail: "the folder does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: directory.path) else {
            throw MediaError(.io, path: path, operation: operation, detail: "the folder is not writable")
        }
        finalPath = path
        temporaryPath = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
    }

    /// Moves the finished temporary file onto the final name (replacing any old file).
    func commit() throws(MediaError) {
        if rename(temporaryPath, finalPath) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw MediaError(.io, path: finalPath, operation: "finishing the output", detail: reason)
        }
    }

    /// Removes the temporary file, if there is one.
    func discard() { unlink(temporaryPath) }
}
