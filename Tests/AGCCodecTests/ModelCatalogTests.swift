import AGCBitstream
import AGCFPGA
import Crypto
import XCTest
@testable import AGCCodec

/// Streams choose their INT8 model by the hash in their header, among every model the decoder
/// has (the package's current and retired ones, and `--models` folders): a stream keeps decoding
/// bit for bit after a newer model ships, and a stream naming a model the decoder lacks is refused.
final class ModelCatalogTests: BadInputTestCase {
    /// Every model the package ships loads, its weights matching its graph's hash; the current
    /// model comes first and is the one encoders write with.
    func testEveryShippedModelLoads() throws {
        let catalog = try ModelCatalog.shipped()
        XCTAssertEqual(catalog.entries.first?.origin, .current)
        XCTAssertEqual(catalog.current?.graph.sha256, try QuantizedModel.bundledGraph().sha256)
        XCTAssertEqual(Set(catalog.entries.map(\.graph.sha256)).count, catalog.entries.count, "a model shipped twice")
        for entry in catalog.entries {
            let model = try catalog.load(entry)
            XCTAssertEqual(model.graph.sha256, entry.graph.sha256)
            _ = try Compiler.compile(model)
        }
    }

    /// A second model in a `--models` folder (the shipped one re-quantized: the same float network,
    /// one bias of the output convolution changed, so a new hash): a stream made with it decodes with
    /// it, bit for bit (its own picture hashes pass), beside streams of the current model.
    func testAStreamDecodesWithTheModelItNames() throws {
        let folder = path("models")
        let other = try requantizedModel(in: folder)
        let catalog = try ModelCatalog.shipped(extraFolders: [URL(fileURLWithPath: folder)])
        XCTAssertEqual(catalog.entry(forStreamModel: other.graph.sha256)?.origin, .extra)

        // Encoded with the other model: its hash in the header, and rebuilt frames in the stream.
        var options = EncoderOptions()
        options.progress = false
        options.crop = .full
        options.keyFrameQP = 32
        options.minQuality = .msssim(0.93)  // as CodecRoundTripTests: the calm sample gets rebuilt frames
        options.maxKeyInterval = 25
        let otherStream = path("other.agc")
        let summary = try Encoder(options: options, backend: IntegerBackend.emulator(model: other, threads: 2))
            .encode(input: Self.sample, output: otherStream)
        XCTAssertGreaterThan(summary.perFrame.filter { $0.kind == .generated }.count, 0, "no rebuilt frame to tell the models apart")
        let currentStream = try validStream()

        var decodeOptions = DecoderOptions()
        decodeOptions.progress = false
        decodeOptions.verify = true
        let decoder = Decoder(backend: .byStreamModel(.emulator, catalog: catalog, threads: 2), options: decodeOptions)
        let cases = [(otherStream, other.graph, 75), (currentStream, try QuantizedModel.bundledGraph(), 8), (otherStream, other.graph, 75)]
        for (stream, model, frames) in cases {
            let result = try decoder.decode(input: stream, output: path("out.y4m"))
            XCTAssertEqual(result.verification?.passed, true, stream)
            XCTAssertEqual(result.framesOut, frames)
            XCTAssertEqual(decoder.backend?.modelSHA256, model.sha256, "\(stream) decoded with another model")
            try FileManager.default.removeItem(atPath: path("out.y4m"))
        }

        // The same stream relabelled as the current model's: the current model shows other pictures.
        let currentHash = hexBytes(try QuantizedModel.bundledGraph().sha256)
        try rewrite(otherStream, to: path("relabelled.agc")) { $0.modelHash = currentHash }
        XCTAssertThrowsError(try decoder.decode(input: path("relabelled.agc"), output: path("out.y4m"))) { error in
            guard case CodecError.verificationFailed = error else { return XCTFail("\(error)") }
        }
    }

    /// Without the folder the other model's stream is refused with what the decoder has; the
    /// float backend refuses a model that ships as INT8 alone.
    func testAStreamOfAnUnknownModelIsRefusedClearly() throws {
        let folder = path("models")
        let other = try requantizedModel(in: folder)
        let current = try QuantizedModel.bundledGraph()
        let stream = try validStream()
        try rewrite(stream, to: path("other.agc")) { $0.modelHash = hexBytes(other.graph.sha256); $0.modelIdentifier = other.identifier }
        XCTAssertEqual(try Inspection.inspect(path: path("other.agc")).model, "missing")
        var options = DecoderOptions()
        options.progress = false
        let shippedOnly = Decoder(backend: .byStreamModel(.emulator, catalog: try .shipped()), options: options)
        XCTAssertThrowsError(try shippedOnly.decode(input: path("other.agc"), output: path("o.y4m"))) { error in
            guard case CodecError.modelMismatch(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains(self.path("other.agc")), message)
            XCTAssertTrue(message.contains(other.identifier), message)
            XCTAssertTrue(message.contains(current.identifier), "lists what it has: \(message)")
            XCTAssertTrue(message.contains("--models"), message)
        }
        let catalog = try ModelCatalog.shipped(extraFolders: [URL(fileURLWithPath: folder)])
        let float = Decoder(backend: .byStreamModel(.float, catalog: catalog), options: options)
        XCTAssertThrowsError(try float.decode(input: path("other.agc"), output: path("o.y4m"))) { error in
            XCTAssertTrue("\(error)".contains("INT8 only") && "\(error)".contains(self.path("other.agc")), "\(error)")
        }
        XCTAssertFalse(files().contains("o.y4m"))
        XCTAssertThrowsError(try ModelCatalog.shipped(extraFolders: [URL(fileURLWithPath: path("none"))])) { error in
            XCTAssertTrue("\(error)".contains(self.path("none")), "\(error)")
        }
    }

    /// A model whose residual rescaling would shift an 8-bit residual out of INT32 (as
    /// quantize.py wrote for a model whose generator correction had died, before it bounded the
    /// weight scales) is refused when it loads, naming the layer.
    func testAModelOutsideTheFixedPointBoundsIsRefused() throws {
        let base = try modifiedModel(in: path("models"), tensor: "gen.out.residual_shift") { value in
            value = 34
        }
        XCTAssertThrowsError(try QuantizedModel(weights: base.appendingPathExtension("safetensors"),
                                                graph: base.appendingPathExtension("json"))) { error in
            XCTAssertTrue("\(error)".contains("gen.out residual") && "\(error)".contains("shift 34"), "\(error)")
        }
    }

    /// The shipped INT8 model with one bias of its output convolution raised by about two output
    /// levels (1 level is about 180,000 accumulator units: rebuilt frames a little redder).
    func requantizedModel(in folder: String) throws -> QuantizedModel {
        let base = try modifiedModel(in: folder, tensor: "gen.out.bias") { $0 += 400_000 }
        return try QuantizedModel(weights: base.appendingPathExtension("safetensors"), graph: base.appendingPathExtension("json"))
    }

    /// The shipped INT8 model with the first value of the INT32 tensor `tensor` changed, written to
    /// `folder` as `IDENTIFIER.json` + `.safetensors` with its own hash (the float network it
    /// names is the shipped one, so the encoder's keypoint detector still belongs to it). Returns
    /// the path without extension.
    func modifiedModel(in folder: String, tensor: String, change: (inout Int32) -> Void) throws -> URL {
        let current = try XCTUnwrap(try ModelCatalog.shipped().current)
        var bytes = [UInt8](try Data(contentsOf: current.weightsURL))
        let headerLength = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        let header = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any])
        let entry = try XCTUnwrap(header[tensor] as? [String: Any])
        let start = 8 + headerLength + (try XCTUnwrap((entry["data_offsets"] as? [Int])?.first))
        var value = Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[start + $1]) << (8 * UInt32($1)) })
        change(&value)
        for i in 0..<4 { bytes[start + i] = UInt8(truncatingIfNeeded: UInt32(bitPattern: value) >> (8 * UInt32(i))) }
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        var graph = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: current.graphURL)) as? [String: Any])
        let identifier = "\(current.graph.floatModel.identifier)-int8-\(digest.prefix(8))"
        graph["sha256"] = digest
        graph["identifier"] = identifier
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let base = URL(fileURLWithPath: folder).appendingPathComponent(identifier)
        try Data(bytes).write(to: base.appendingPathExtension("safetensors"))
        try JSONSerialization.data(withJSONObject: graph).write(to: base.appendingPathExtension("json"))
        return base
    }
}
