import AGCModel
import Foundation

/// The INT8 models a decoder can rebuild frames with, found by the hash a stream's header names.
///
/// Archives are forever: a stream names its model by SHA-256, and the decoder must find that
/// model however many newer ones the package has shipped since. The package ships the current
/// model (`Resources/agc-int8.*`, what encoders write) and every model it replaced
/// (`Resources/retired/IDENTIFIER.json` + `.safetensors`, moved there by `training/quantize.py`
/// before it writes a new one); a user may add folders of their own models (`agc-decode --models`).
/// Only graphs are read to list the catalogue; weights are read and checked when a model is loaded.
public struct ModelCatalog: Sendable {
    /// One model the catalogue can load.
    public struct Entry: Sendable {
        public let graph: QuantizedGraph
        public let graphURL: URL
        public let weightsURL: URL
        /// Where it comes from: the package's current model, a retired one, or an extra folder.
        public let origin: Origin

        /// Whether a stream whose header names `sha256` was made with this model: by its INT8
        /// graph's hash, or by the hash of the float network it was quantized from (a stream
        /// of the float backend, decoded closely rather than bit for bit).
        public func matches(_ sha256: String) -> Bool {
            graph.sha256 == sha256 || graph.floatModel.sha256 == sha256
        }
    }

    public enum Origin: String, Sendable, Codable {
        case current, retired, extra
    }

    /// Every model, the current one first, then the retired ones, then the extra folders'.
    public let entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The package's models, plus the INT8 models (`NAME.json` beside `NAME.safetensors`) in
    /// `extraFolders`.
    public static func shipped(extraFolders: [URL] = []) throws -> ModelCatalog {
        let current = try QuantizedModel.bundledFiles()
        var entries = [try entry(graph: current.graph, weights: current.weights, origin: .current)]
        let retired = current.graph.deletingLastPathComponent().appendingPathComponent("retired", isDirectory: true)
        entries += try folder(retired, origin: .retired, required: false)
        for extra in extraFolders {
            entries += try folder(extra, origin: .extra, required: true)
        }
        return ModelCatalog(entries: entries)
    }

    /// The entry for a stream's model hash, or nil when the catalogue has none.
    public func entry(forStreamModel sha256: String) -> Entry? {
        entries.first { $0.matches(sha256) }
    }

    /// The current model's entry (what an encoder writes with).
    public var current: Entry? { entries.first { $0.origin == .current } }

    /// One line per model, for error messages: identifier, SHA-256 prefix and origin.
    public var listing: String {
        entries.map { "\($0.graph.identifier) (SHA-256 \($0.graph.sha256.prefix(12))..., \($0.origin.rawValue))" }
            .joined(separator: ", ")
    }

    /// Loads an entry's weights, checked against its graph's hash.
    public func load(_ entry: Entry) throws -> QuantizedModel {
        try QuantizedModel(weights: entry.weightsURL, graph: entry.graphURL)
    }

    static func entry(graph url: URL, weights: URL, origin: Origin) throws -> Entry {
        let graph: QuantizedGraph
        do {
            graph = try JSONDecoder().decode(QuantizedGraph.self, from: Data(contentsOf: url))
        } catch let error as DecodingError {
            throw ModelError.malformed(url.path, "not a quantized model graph: \(error)")
        } catch {
            throw ModelError.unreadable(url.path, error.localizedDescription)
        }
        return Entry(graph: graph, graphURL: url, weightsURL: weights, origin: origin)
    }

    /// The models of one folder, in name order: every `NAME.json` with a `NAME.safetensors` beside it.
    static func folder(_ folder: URL, origin: Origin, required: Bool) throws -> [Entry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            if !required { return [] }
            throw ModelError.unreadable(folder.path, "cannot list the models folder: \(error.localizedDescription)")
        }
        let graphs = names.filter { $0.hasSuffix(".json") }.sorted()
        if required && graphs.isEmpty {
            throw ModelError.unreadable(folder.path, "no model in the folder (expected NAME.json beside NAME.safetensors)")
        }
        return try graphs.map { name in
            let graph = folder.appendingPathComponent(name)
            let weights = graph.deletingPathExtension().appendingPathExtension("safetensors")
            guard FileManager.default.fileExists(atPath: weights.path) else {
                throw ModelError.unreadable(weights.path, "the weights of \(name) are missing")
            }
            return try entry(graph: graph, weights: weights, origin: origin)
        }
    }
}
