import AGCCodec
import AGCFPGA
import AGCKernels
import AGCMedia
import AGCModel
import ArgumentParser
import Foundation

/// `agc-bench`: decoder speed on this machine: the INT8 emulator and the float network per rebuilt
/// frame, whole-process decoding and encoding of real clips, and the INT8 and float peaks to compare with.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agc-bench",
        abstract: "Measures AGC's decode and encode speed and the machine's INT8 and float peaks (prints a table; --json for JSON).")

    @Argument(help: "Clips: the first gives the per-frame timings; every one is encoded and decoded whole.")
    var clips: [String]

    @Option(help: "Kernel threads.")
    var threads = 2

    @Option(help: "Rebuilt frames timed per path.")
    var frames = 40

    @Option(help: "Write the figures as JSON to this file.")
    var json: String?

    @Flag(name: .customLong("no-clips"), help: "Only the per-frame timings and the peaks (no whole-clip encode and decode).")
    var noClips = false

    @Flag(name: .customLong("no-heap-tuning"), help: "Leave glibc's allocator at its defaults (to measure what the tuning gains).")
    var noHeapTuning = false

    func run() throws {
        MediaLog.setLevel(.quiet)
        if !noHeapTuning { keepLargeAllocationsInTheHeap() }
        guard let first = clips.first else { throw ValidationError("name at least one clip") }
        let network = try AGCNetwork.bundled()
        let model = try QuantizedModel.bundled()
        let program = try Compiler.compile(model)
        let decoder = IntegerDecoder(program: program, runner: EmulatedAccelerator(program: program, threads: threads))
        let size = network.config.size
        // Key frame and driving frames of the first clip (centre square), keypoints in 1/256 units.
        let reader = try VideoReader(path: first)
        reader.setOutput(crop: CropChooser.centreSquare(width: reader.info.width, height: reader.info.height),
                         size: (width: size, height: size))
        var pictures: [[UInt8]] = []
        while pictures.count <= frames, let frame = try reader.nextFrame() { pictures.append(frame.image.pixels) }
        guard pictures.count > 1 else { throw ValidationError("\(first): too few frames") }
        let keypoints = pictures.map { network.keypointDetector(FrameConversion.tensor(rgb: $0, width: size, height: size)) }
        let units = keypoints.map { $0.map { QuantizedModel.keypointUnits($0) } }
        try decoder.setKeyFrame(planes: PlanarRGB.planes(pictures[0]), keypoints: units[0])
        let int8Times = try (1..<pictures.count).map { i in try time { _ = try decoder.rebuild(keypoints: units[i]) } }
        let key = FrameConversion.tensor(rgb: pictures[0], width: size, height: size)
        let floatTimes = (1..<pictures.count).map { i in time { _ = network.animate(source: key, kpSource: keypoints[0], kpDriving: keypoints[i]) } }
        let int8GMAC = Double(program.frameStream.reduce(0) { $0 + program.instructions[$1].macs }) / 1e9
        let floatGMAC = (network.description.gmacPerFrame?["dense_motion"] ?? 0) + (network.description.gmacPerFrame?["generator"] ?? 0)
        let isa = KernelISA.current
        let peak = isa.peakGMACs(threads: threads)
        let floatPeak = isa.peakFloatGMACs(threads: threads)

        // Whole clips: encode with the library (default settings, centre crop), then decode in a
        // separate agc-decode process (key-frame decoding and output writing included).
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("agc-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        var clipResults: [ClipResult] = []
        for clip in noClips ? [] : clips {
            var options = EncoderOptions()
            options.progress = false
            options.crop = .full
            let stream = (work as NSString).appendingPathComponent("clip.agc")
            let encodeStart = Date()
            let summary = try Encoder(options: options, backend: try BackendKind.emulator.make(threads: threads)).encode(input: clip, output: stream)
            let encodeSeconds = Date().timeIntervalSince(encodeStart)
            let decodeSeconds = try timeProcess(decoderPath(), [stream, "-o", (work as NSString).appendingPathComponent("out.y4m"),
                                                                "--no-progress", "-y", "--threads", "\(threads)"])
            let generated = summary.perFrame.filter { $0.kind == .generated }.count
            clipResults.append(ClipResult(clip: (clip as NSString).lastPathComponent, frames: summary.frames,
                                          keyFrames: summary.keyFrames.count, rebuilt: generated,
                                          encodeFPS: Double(summary.frames) / encodeSeconds,
                                          decodeFPS: Double(summary.frames) / decodeSeconds))
        }
        let result = Result(threads: threads, isa: isa.rawValue, peakInt8GMACs: peak, peakFloatGMACs: floatPeak,
                            int8GMACPerFrame: int8GMAC,
                            floatGMACPerFrame: floatGMAC, emulatorMsPerFrame: median(int8Times) * 1000,
                            floatMsPerFrame: median(floatTimes) * 1000, clips: clipResults)
        print(result.text)
        if let json { try AtomicFile.writeJSON(result, to: json) }
    }

    func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }

    func decoderPath() -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("agc-decode").path
    }

    func timeProcess(_ path: String, _ arguments: [String]) throws -> Double {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let start = Date()
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ValidationError("\(path) failed on \(arguments[0])") }
        return Date().timeIntervalSince(start)
    }
}

struct ClipResult: Codable {
    var clip: String
    var frames: Int
    var keyFrames: Int
    var rebuilt: Int
    var encodeFPS: Double
    var decodeFPS: Double

    enum CodingKeys: String, CodingKey {
        case clip, frames, rebuilt, keyFrames = "key_frames", encodeFPS = "encode_fps", decodeFPS = "decode_fps"
    }
}

struct Result: Codable {
    var threads: Int
    var isa: String
    var peakInt8GMACs: Double
    var peakFloatGMACs: Double
    var int8GMACPerFrame: Double
    var floatGMACPerFrame: Double
    var emulatorMsPerFrame: Double
    var floatMsPerFrame: Double
    var clips: [ClipResult]

    enum CodingKeys: String, CodingKey {
        case threads, isa, clips
        case peakInt8GMACs = "peak_int8_gmacs", peakFloatGMACs = "peak_float_gmacs", int8GMACPerFrame = "int8_gmac_per_frame"
        case floatGMACPerFrame = "float_gmac_per_frame", emulatorMsPerFrame = "emulator_ms_per_frame"
        case floatMsPerFrame = "float_ms_per_frame"
    }

    var text: String {
        var lines = [String(format: "%d threads, kernels %@; peaks (registers only): INT8 dot product %.0f GMAC/s, float FMA %.0f GMAC/s",
                            threads, isa, peakInt8GMACs, peakFloatGMACs)]
        let e = emulatorMsPerFrame / 1000, f = floatMsPerFrame / 1000
        lines.append(String(format: "per rebuilt frame: emulator (INT8) %.1f ms = %.1f fps, %.2f GMAC -> %.0f GMAC/s = %.0f%% of the peak",
                            emulatorMsPerFrame, 1 / e, int8GMACPerFrame, int8GMACPerFrame / e, 100 * int8GMACPerFrame / e / peakInt8GMACs))
        lines.append(String(format: "per rebuilt frame: float network %.1f ms = %.1f fps, %.2f GMAC -> %.0f GMAC/s = %.0f%% of the peak",
                            floatMsPerFrame, 1 / f, floatGMACPerFrame, floatGMACPerFrame / f, 100 * floatGMACPerFrame / f / peakFloatGMACs))
        lines.append("whole clips (default settings, centre square): frames, key frames, rebuilt frames, encode fps, decode fps (agc-decode process)")
        for c in clips {
            lines.append(String(format: "  %-18@ %5d %4d %5d %7.1f %7.1f", c.clip as NSString, c.frames, c.keyFrames, c.rebuilt, c.encodeFPS, c.decodeFPS))
        }
        return lines.joined(separator: "\n")
    }
}
