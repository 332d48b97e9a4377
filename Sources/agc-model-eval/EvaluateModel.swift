import AGCFPGA
import AGCKernels
import AGCMedia
import AGCModel
import ArgumentParser
import Foundation

/// `agc-model-eval`: how well the shipped network rebuilds frames, against two baselines.
@main
struct EvaluateModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agc-model-eval",
        abstract: "Scores the AGC network's float path on talking-head clips against two baselines.",
        discussion: """
        For each clip (centre square, scaled to the model's size): a key frame every \
        --key-seconds, every other frame rebuilt from the key frame and the frame's own \
        keypoints. Prints mean PSNR-Y, SSIM-Y and MS-SSIM-Y over the rebuilt frames for the \
        model, (a) the key frame repeated and (b) the key frame warped by the best global affine \
        fit of the keypoint motion.
        """)

    @Argument(help: "Video files or folders of them.")
    var inputs: [String]

    @Option(help: "Seconds between key frames.")
    var keySeconds: Double = 2

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @Flag(help: "No progress on stderr.")
    var noProgress = false

    @Flag(help: "Also run the INT8 decoder on the emulator: its scores, its PSNR against the float output, its speed.")
    var int8 = false

    @Flag(help: "Also move the key frame by the camera's motion (format 1.4) where that rebuilds a frame better, as the encoder does: measured with the encoder's estimator, sent quantized, chosen per frame and per network on PSNR-Y.")
    var camera = false

    @Option(help: "Threads of the emulator (default: every core).")
    var threads: Int?

    @Option(help: "Evaluate the candidate model in this folder (agc-model.json/.safetensors, and agc-int8.* for --int8, as export.py and quantize.py --candidate write them) instead of the shipped one.")
    var model: String?

    func run() throws {
        let folder = model.map { URL(fileURLWithPath: $0, isDirectory: true) }
        let network = try folder.map {
            try AGCNetwork(weights: $0.appendingPathComponent("agc-model.safetensors"),
                           description: $0.appendingPathComponent("agc-model.json"))
        } ?? AGCNetwork.bundled()
        var decoder: IntegerDecoder?
        if int8 {
            let quantized = try folder.map {
                try QuantizedModel(weights: $0.appendingPathComponent("agc-int8.safetensors"),
                                   graph: $0.appendingPathComponent("agc-int8.json"))
            } ?? QuantizedModel.bundled()
            guard quantized.graph.floatModel.sha256 == network.description.sha256 else {
                throw ValidationError("the INT8 model \(quantized.identifier) was not quantized from \(network.description.identifier)")
            }
            let program = try Compiler.compile(quantized)
            decoder = IntegerDecoder(program: program, runner: EmulatedAccelerator(program: program, threads: threads ?? KernelThreads.count))
        }
        let clips = try expandInputs(inputs)
        guard !clips.isEmpty else { throw ValidationError("no video files found in \(inputs.joined(separator: " "))") }
        var results: [ClipResult] = []
        for clip in clips {
            do {
                results.append(try evaluateClip(path: clip, network: network, int8: decoder, keySeconds: keySeconds, camera: camera,
                                               progress: !noProgress))
            } catch {
                throw ValidationError("\(clip): \(error)")
            }
        }
        print(table(results, model: network.description.identifier))
        if let json {
            let report = Report(model: network.description.identifier, keySeconds: keySeconds, clips: results,
                                mean: mean(results))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
    }
}

struct Report: Codable {
    var model: String
    var keySeconds: Double
    var clips: [ClipResult]
    var mean: [String: Scores]
}

func mean(_ results: [ClipResult]) -> [String: Scores] {
    func avg(_ pick: (ClipResult) -> Scores) -> Scores {
        var s = Scores()
        for r in results {
            let x = pick(r)
            s.psnrY += x.psnrY
            s.ssimY += x.ssimY
            s.msssimY += x.msssimY
        }
        return s.divided(by: results.count)
    }
    var out = ["model": avg { $0.model }, "repeated_key_frame": avg { $0.repeatedKeyFrame },
               "global_affine": avg { $0.globalAffine }]
    if results.allSatisfy({ $0.int8 != nil }) { out["int8"] = avg { $0.int8! } }
    return out
}

func table(_ results: [ClipResult], model: String) -> String {
    func cell(_ s: Scores) -> String { String(format: "%6.2f %6.4f %6.4f", s.psnrY, s.ssimY, s.msssimY) }
    var lines = ["model \(model); PSNR-Y dB, SSIM-Y, MS-SSIM-Y over the rebuilt (non-key) frames",
                 "clip                  frames | model                  | repeated key frame     | global affine          | s/frame"]
    for r in results {
        lines.append(pad(r.clip, 20) + String(format: " %6d  | %@ | %@ | %@ | %.3f", r.frames, cell(r.model),
                                              cell(r.repeatedKeyFrame), cell(r.globalAffine), r.secondsPerFrame))
    }
    let m = mean(results)
    lines.append(pad("mean", 28) + String(format: "  | %@ | %@ | %@ |", cell(m["model"]!),
                                          cell(m["repeated_key_frame"]!), cell(m["global_affine"]!)))
    if let int8 = m["int8"] {
        lines += ["", "INT8 decoder (emulator) on the same keypoints (1/256 units); PSNR-RGB against the float output",
                  "clip                  | INT8                   | float - INT8 PSNR-Y | INT8 vs float | emulator s/frame"]
        for r in results {
            guard let s = r.int8, let vs = r.int8VersusFloatPSNR, let t = r.int8SecondsPerFrame else { continue }
            lines.append(pad(r.clip, 20) + String(format: "  | %@ | %+8.3f dB         | %7.2f dB    | %.4f", cell(s),
                                                  r.model.psnrY - s.psnrY, vs, t))
        }
        let vs = results.compactMap(\.int8VersusFloatPSNR).reduce(0, +) / Double(results.count)
        let t = results.compactMap(\.int8SecondsPerFrame).reduce(0, +) / Double(results.count)
        lines.append(pad("mean", 20) + String(format: "  | %@ | %+8.3f dB         | %7.2f dB    | %.4f (%.1f fps)", cell(int8),
                                              m["model"]!.psnrY - int8.psnrY, vs, t, 1 / max(t, 1e-9)))
    }
    let camera = results.filter { $0.cameraMovingFrames != nil }
    if !camera.isEmpty {
        lines += ["", "camera's motion: rebuilt frames whose camera moves, and those rebuilt better with the key frame moved"]
        for r in camera {
            lines.append(pad(r.clip, 20) + String(format: "  %4d of %4d moving, kept by float %4d", r.cameraMovingFrames!,
                                                  r.scoredFrames, r.cameraKeptFloat!)
                + (r.cameraKeptInt8.map { String(format: ", by INT8 %4d", $0) } ?? ""))
        }
    }
    return lines.joined(separator: "\n")
}

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}

/// Files as given, and the video files inside given folders (recursively, sorted).
func expandInputs(_ inputs: [String]) throws -> [String] {
    let extensions: Set<String> = ["mp4", "mov", "mkv", "webm", "y4m", "avi"]
    var out: [String] = []
    for input in inputs {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDir) else {
            throw ValidationError("\(input): no such file or folder")
        }
        if isDir.boolValue {
            let found = FileManager.default.enumerator(atPath: input)?.compactMap { $0 as? String } ?? []
            out += found.filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
                .map { (input as NSString).appendingPathComponent($0) }
        } else {
            out.append(input)
        }
    }
    return out
}
