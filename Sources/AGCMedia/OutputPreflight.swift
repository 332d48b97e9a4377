import Foundation

/// Where a file lives: its device and inode. Two names of one file (the same path spelt
/// differently, a hard link, a symbolic link to it) have one identity.
public struct FileIdentity: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64

    /// The identity of the file `path` names, symbolic links followed; nil when nothing is there.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// The checks made on an output's name before any work, so that a run that cannot finish fails
/// at once, and no tool ever writes over one of its own inputs.
public enum OutputPreflight {
    /// Throws when `output` is one of `inputs` (compared by device and inode, so through links
    /// too), when it is a folder, or when its folder is missing or not writable.
    public static func check(_ output: String, against inputs: [String],
                             operation: String = "checking the output") throws(MediaError) {
        if let target = FileIdentity(path: output) {
            for input in inputs where FileIdentity(path: input) == target {
                let how = (output as NSString).standardizingPath == (input as NSString).standardizingPath
                    ? "" : " (the same file under another name or through a link)"
                throw MediaError(.invalidArgument, path: output, operation: operation,
                                 detail: "is the input \(input)\(how): refusing to write over an input")
            }
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), isDirectory.boolValue {
            throw MediaError(.io, path: output, operation: operation, detail: "is a folder (name a file)")
        }
        try checkFolder(of: output, operation: operation)
    }

    /// Throws when the folder `path` would be written into does not exist or is not writable.
    static func checkFolder(of path: String, operation: String) throws(MediaError) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MediaError(.io, path: path, operation: operation, detail: "the folder does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw MediaError(.io, path: path, operation: operation, detail: "the folder is not writable")
        }
    }
}
