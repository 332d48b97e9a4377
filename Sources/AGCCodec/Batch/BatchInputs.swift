import AGCMedia
import Foundation

/// One file of a batch: where it comes from and where its output goes.
public struct BatchItem: Codable, Sendable, Equatable {
    public var input: String
    public var output: String
}

/// A deterministic share of a batch: `index` of `count` (0-based), by a hash of each input's
/// path, so that an array job's tasks split an archive without talking to each other and a
/// task's share does not change when other files come or go.
public struct BatchShard: Sendable, Equatable {
    public var index: Int
    public var count: Int

    /// "I/N" with 0 <= I < N.
    public init?(argument: String) {
        let parts = argument.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else { return nil }
        index = i
        count = n
    }

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Whether `key` (an input's path as listed) falls in this share: FNV-1a 64 of its UTF-8 bytes.
    public func contains(_ key: String) -> Bool {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int(hash % UInt64(count)) == index
    }
}

/// Turns what the user named (files, folders searched recursively by extension, a manifest)
/// into batch items with their outputs.
public struct BatchInputs {
    /// Extensions (lowercase, no dot) of the files a folder contributes.
    public var extensions: Set<String>
    /// The outputs' extension (no dot).
    public var outputExtension: String
    /// Where outputs go: a folder's files keep their path below it, single files their name.
    public var outputDirectory: String?

    public init(extensions: Set<String>, outputExtension: String, outputDirectory: String?) {
        self.extensions = extensions
        self.outputExtension = outputExtension
        self.outputDirectory = outputDirectory
    }

    public static let videoExtensions: Set<String> = ["mp4", "mov", "mkv", "webm", "avi", "y4m", "m4v", "ts", "mts"]

    /// The items for `paths` and the optional manifest, in a stable order (sorted by input), each
    /// input once; two inputs that would write the same output are an error.
    public func collect(paths: [String], manifest: String?) throws -> [BatchItem] {
        var items: [BatchItem] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                // A missing file is the file's own failure (reported in the summary), not the batch's.
                items.append(BatchItem(input: path, output: try output(for: path, relativeTo: nil)))
                continue
            }
            if isDirectory.boolValue {
                let root = URL(fileURLWithPath: path).standardized.path
                let found = (FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? [])
                    .filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }
                    .sorted()
                for relative in found {
                    let input = (root as NSString).appendingPathComponent(relative)
                    items.append(BatchItem(input: input, output: try output(for: relative, relativeTo: root)))
                }
            } else {
                items.append(BatchItem(input: path, output: try output(for: path, relativeTo: nil)))
            }
        }
        if let manifest { items += try read(manifest: manifest) }
        var seenInputs: Set<String> = [], seenOutputs: [String: String] = [:]
        var unique: [BatchItem] = []
        for item in items where !seenInputs.contains(item.input) {
            seenInputs.insert(item.input)
            if let other = seenOutputs[item.output] {
                throw CodecError.badArgument("\(item.input) and \(other) would both write \(item.output)")
            }
            seenOutputs[item.output] = item.input
            unique.append(item)
        }
        try refuseOutputsOverInputs(unique)
        return unique
    }

    /// Throws when an output would write over any input of the batch (by device and inode).
    func refuseOutputsOverInputs(_ items: [BatchItem]) throws {
        var inputs: [FileIdentity: String] = [:]
        for item in items { if let id = FileIdentity(path: item.input) { inputs[id] = inputs[id] ?? item.input } }
        for item in items {
            if let id = FileIdentity(path: item.output), let input = inputs[id] {
                throw CodecError.badArgument("\(item.output): is the input \(input): refusing to write over an input")
            }
        }
    }

    /// The output of `path`: below the output folder, keeping the path under a searched folder.
    func output(for path: String, relativeTo root: String?) throws -> String {
        guard let outputDirectory else {
            throw CodecError.badArgument("several inputs need --output-dir (or a manifest with an output column)")
        }
        let relative = root == nil ? (path as NSString).lastPathComponent : path
        let renamed = ((relative as NSString).deletingPathExtension as NSString).appendingPathExtension(outputExtension)!
        return (outputDirectory as NSString).appendingPathComponent(renamed)
    }

    /// A manifest: one input per line, or CSV with a header naming an `input` column and
    /// optionally an `output` column. Blank lines and lines starting with # are skipped; relative
    /// paths are relative to the manifest's folder.
    func read(manifest: String) throws -> [BatchItem] {
        let text: String
        do {
            text = try String(contentsOfFile: manifest, encoding: .utf8)
        } catch {
            throw CodecError.input("\(manifest): cannot read the manifest: \((error as NSError).localizedDescription)")
        }
        let base = (manifest as NSString).deletingLastPathComponent
        func resolve(_ p: String) -> String {
            p.hasPrefix("/") ? p : (base.isEmpty ? p : (base as NSString).appendingPathComponent(p))
        }
        var lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard let first = lines.first else { return [] }
        let header = CSVLine.fields(first).map { $0.lowercased() }
        guard let inputColumn = header.firstIndex(of: "input") else {
            return try lines.map { BatchItem(input: resolve($0), output: try output(for: resolve($0), relativeTo: nil)) }
        }
        let outputColumn = header.firstIndex(of: "output")
        lines.removeFirst()
        return try lines.enumerated().map { number, line in
            let fields = CSVLine.fields(line)
            guard inputColumn < fields.count, !fields[inputColumn].isEmpty else {
                throw CodecError.input("\(manifest): line \(number + 2) has no input")
            }
            let input = resolve(fields[inputColumn])
            if let outputColumn, outputColumn < fields.count, !fields[outputColumn].isEmpty {
                return BatchItem(input: input, output: resolve(fields[outputColumn]))
            }
            return BatchItem(input: input, output: try output(for: input, relativeTo: nil))
        }
    }
}

/// Splits one CSV line into fields (double quotes around a field, "" for a quote inside it).
enum CSVLine {
    static func fields(_ line: String) -> [String] {
        var fields: [String] = [], current = ""
        var quoted = false, previousWasQuote = false
        for c in line {
            if quoted {
                if c == "\"" { quoted = false; previousWasQuote = true } else { current.append(c) }
                continue
            }
            switch c {
            case "\"":
                if previousWasQuote { current.append("\"") }  // "" inside a quoted field
                quoted = true
            case ",":
                fields.append(current)
                current = ""
            default:
                current.append(c)
            }
            previousWasQuote = false
        }
        fields.append(current)
        return fields.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
