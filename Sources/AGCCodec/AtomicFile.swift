import Foundation

/// An output file written under a temporary name in its final folder and renamed into place by
/// `commit()`. Until then an existing file of the final name is untouched; if the writer fails or
/// is dropped, the temporary file is removed.
public final class AtomicFile {
    public let path: String
    public let temporaryPath: String
    private let handle: FileHandle
    private var committed = false
    public private(set) var bytesWritten = 0

    public init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        temporaryPath = (folder as NSString).appendingPathComponent(".\(url.lastPathComponent).\(getpid()).partial")
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporaryPath)
        else {
            var isDir: ObjCBool = false
            let why = FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) && isDir.boolValue
                ? "the folder is not writable" : "the folder does not exist"
            throw CodecError.output("\(path): cannot create the output: \(why)")
        }
        self.handle = handle
    }

    public func write(_ data: Data) throws {
        do {
            try handle.write(contentsOf: data)
            bytesWritten += data.count
        } catch {
            throw CodecError.output("\(path): write failed: \(error.localizedDescription)")
        }
    }

    /// Flushes, closes and renames the file into place.
    public func commit() throws {
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw CodecError.output("\(path): write failed: \(error.localizedDescription)")
        }
        guard rename(temporaryPath, path) == 0 else {
            throw CodecError.output("\(path): cannot rename the finished output into place: \(String(cString: strerror(errno)))")
        }
        committed = true
    }

    deinit {
        if !committed {
            try? handle.close()
            unlink(temporaryPath)
        }
    }
}
