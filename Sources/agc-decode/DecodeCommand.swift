import AGCBitstream
import AGCCodec
import AGCFPGA
import AGCMedia
import AGCKernels
import AGCTools
import ArgumentParser
import Foundation

/// `agc-decode INPUT.agc -o OUTPUT`: an AGC stream back to video, or its inspection.
@main
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agc-decode",
        abstract: "Decodes an AGC stream to .mp4 (H.264), .mkv (FFV1), .y4m or - (Y4M on stdout).",
        discussion: "With --inspect, prints the stream's header, units, bits per frame and key frames instead.")

    @Argument(help: "The input .agc file, or for a batch: streams and folders of them (searched recursively).")
    var inputs: [String] = []

    @Option(help: "Batch: the outputs' container, mp4, mkv or y4m.")
    var format = "mp4"

    @OptionGroup(title: "Batch")
    var batch: BatchOptions

    @Option(name: .shortAndLong, help: "Output: .mp4, .mkv, .y4m, or - for Y4M on standard output.")
    var output: String?

    @Option(help: "Reconstruction backend: emulator (the normative INT8 decoder, default), fpga (the accelerator at --device) or float (the float network: close, not bit-exact).")
    var backend = "emulator"

    @Option(help: "With --backend fpga: the accelerator's UIO device (/dev/uioN) or a simulated device's folder.")
    var device: String?

    @Option(name: .customLong("device-timeout"), help: "With --backend fpga: seconds one run may take before the decode fails (default 5; a simulated RTL device needs minutes a frame).")
    var deviceTimeout = DeviceRunner.defaultTimeout

    @Option(help: "A folder of further INT8 models (NAME.json beside NAME.safetensors) to look in for a stream's model, besides the package's current and retired ones. Repeatable.")
    var models: [String] = []

    @Option(help: "Threads of the emulator and kernels (default: every core).")
    var threads: Int?

    @Flag(help: "Check the decoded pictures against the stream's picture hashes; fail (and keep no output) on a mismatch.")
    var verify = false

    @Option(name: .customLong("stats-json"), help: "Write the decode summary (and the verification) as JSON.")
    var statsJSON: String?

    @Flag(name: .customLong("hw-report"), help: "After decoding, print the accelerator's modelled cycles, frame rate, energy and resources per engine and per frame (PYNQ-Z1), and the emulator's measured time.")
    var hwReport = false

    @Option(name: .customLong("hw-report-json"), help: "Write the hardware report as JSON to this file.")
    var hwReportJSON: String?

    @Option(help: "Decode only frames A:B (inclusive, from 0; A: or :B open-ended), seeking through the index.")
    var frames: String?

    @Flag(help: "Print the stream's structure instead of decoding.")
    var inspect = false

    @Flag(help: "With --inspect: JSON in the manner of ffprobe.")
    var json = false

    @Flag(name: .customLong("no-progress"), help: "No progress line on stderr.")
    var noProgress = false

    @OptionGroup(title: "Existing output")
    var overwrite: OverwriteOptions

    func run() throws {
        MediaLog.setLevel(.errors)
        keepLargeAllocationsInTheHeap()  // per-frame tensors reuse their pages
        AtomicFile.removeUnfinishedOutputsOnInterrupt()
        do {
            if inspect {
                guard inputs.count == 1 else { throw ValidationError("--inspect takes one stream") }
                print(try Inspection.render(path: inputs[0], json: json))
                return
            }
            guard let kind = BackendKind(rawValue: backend) else {
                throw ValidationError("--backend \(backend): expected float, emulator or fpga")
            }
            var options = DecoderOptions()
            options.progress = !noProgress
            options.verify = verify
            if let frames {
                guard let range = parseRange(frames) else { throw ValidationError("--frames \(frames): expected A:B") }
                options.frames = range
            }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
            if batch.isBatch(inputs: inputs, output: output) {
                try runBatch(kind: kind, options: options)
                return
            }
            guard let input = inputs.first, let output else { throw ValidationError("expected INPUT.agc -o OUTPUT (or --inspect)") }
            if output != "-" { try OutputPreflight.check(output, against: [input]) }
            try checkSideOutputs([statsJSON, hwReportJSON], against: [input, output])
            guard try overwrite.shouldWrite(output) else { return }
            guard deviceTimeout > 0, deviceTimeout.isFinite else { throw ValidationError("--device-timeout must be positive seconds") }
            if (hwReport || hwReportJSON != nil) && kind == .float {
                throw ValidationError("--hw-report needs the INT8 decoder: --backend emulator or fpga")
            }
            let choice = BackendChoice.byStreamModel(kind, catalog: try modelCatalog(), threads: threads ?? KernelThreads.count,
                                                     device: device, deviceTimeout: deviceTimeout)
            let decoder = Decoder(backend: choice, options: options)
            let summary = try decoder.decode(input: input, output: output)
            if let integer = decoder.backend as? IntegerBackend, hwReport || hwReportJSON != nil {
                let report = integer.hardwareReport()
                if let hwReportJSON { try AtomicFile.writeJSON(report, to: hwReportJSON) }
                if hwReport {
                    let text = Data((report.text + "\n").utf8)
                    if output == "-" { FileHandle.standardError.write(text) } else { FileHandle.standardOutput.write(text) }
                }
            }
            if let statsJSON { try AtomicFile.writeJSON(summary, to: statsJSON) }
            if !noProgress {
                var line = String(format: "%@: %d frames (%d key frames decoded), %.1f fps", output, summary.framesOut,
                                  summary.keyFramesDecoded, summary.decodeFPS)
                if let v = summary.verification {
                    line += ", verified \(v.framesChecked) frames in \(v.groupsChecked) hashed groups: identical"
                }
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        } catch let error as ValidationError {
            throw error
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("agc-decode: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// Decodes many streams into `--output-dir`; a rerun skips outputs that hold every frame.
    func runBatch(kind: BackendKind, options: DecoderOptions) throws {
        guard output == nil else { throw ValidationError("-o names one output: use --output-dir for several inputs") }
        try overwrite.refuseInBatch()
        guard ["mp4", "mkv", "y4m"].contains(format) else { throw ValidationError("--format \(format): expected mp4, mkv or y4m") }
        guard !hwReport && hwReportJSON == nil && statsJSON == nil else {
            throw ValidationError("--hw-report and --stats-json are for one stream; a batch writes --summary-json")
        }
        let items = try batch.items(inputs: inputs, extensions: ["agc"], outputExtension: format)
        var options = options
        options.progress = !noProgress && batch.jobs == 1
        MediaLog.setLevel(.quiet)
        try checkSideOutputs([batch.summaryJSON], against: items.map(\.input))
        let catalog = try modelCatalog(), device = device, deviceTimeout = deviceTimeout
        try batch.run(tool: "agc-decode", items: items, progress: !noProgress, isComplete: { item in
            guard let data = FileManager.default.contents(atPath: item.input), let reader = try? BitstreamReader(data: data)
            else { return false }
            return OutputCheck.isCompleteVideo(item.output, frames: options.frames?.count ?? reader.frameCount)
        }) { item, threads in
            let choice = BackendChoice.byStreamModel(kind, catalog: catalog, threads: threads, device: device,
                                                     deviceTimeout: deviceTimeout)
            let summary = try Decoder(backend: choice, options: options)
                .decode(input: item.input, output: item.output)
            return BatchWorkResult(frames: summary.framesOut, kbps: nil)
        }
    }

    /// The package's models and those of --models: where each stream's model is looked up.
    func modelCatalog() throws -> ModelCatalog {
        try ModelCatalog.shipped(extraFolders: models.map { URL(fileURLWithPath: $0, isDirectory: true) })
    }

    func parseRange(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let a = parts[0].isEmpty ? 0 : Int(parts[0]), b = parts[1].isEmpty ? Int.max / 2 : Int(parts[1])
        guard let a, let b, a >= 0, b >= a else { return nil }
        return a...b
    }
}
