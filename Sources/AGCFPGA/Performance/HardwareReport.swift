import Foundation

/// The performance and energy model of a program on a configuration: cycles per instruction and
/// per engine, frames per second at the clock, resource use, and energy per reconstructed pixel.
/// Everything here is modelled; `measured` holds what the emulator measured on this machine when
/// a decode ran.
public struct HardwareReport: Codable, Sendable {
    public struct EngineTotal: Codable, Sendable {
        public var engine: String
        public var instructions: Int
        public var macs: Int
        public var cycles: Int
        public var milliseconds: Double
        /// Share of the engine's peak throughput (MACs for the convolution engine).
        public var utilization: Double?
    }

    public struct StreamCost: Codable, Sendable {
        public var cycles: Int
        public var milliseconds: Double
        public var macs: Int
        public var bytesRead: Int
        public var bytesWritten: Int
        public var engines: [EngineTotal]
        public var instructions: [InstructionCost]
    }

    /// What the emulator measured (wall-clock, this machine), per engine, per rebuilt frame.
    public struct Measured: Codable, Sendable {
        public var machine: String
        public var threads: Int
        public var framesRebuilt: Int
        public var millisecondsPerFrameByEngine: [String: Double]
        /// Per frame-stream descriptor, in program order: where the time goes.
        public var descriptors: [MeasuredDescriptor]
    }

    /// One descriptor's measured time per rebuilt frame.
    public struct MeasuredDescriptor: Codable, Sendable {
        public var index: Int
        public var opcode: String
        /// Input channels x height x width -> output channels x height x width.
        public var shape: String
        public var milliseconds: Double
        public var gmacPerSecond: Double
    }

    public var config: HardwareConfig
    public var model: String
    public var keyFrame: StreamCost
    public var frame: StreamCost
    public var framesPerSecond: Double
    public var energyPerFrameMillijoules: Double
    public var energyPerPixelMicrojoules: Double
    public var resources: [ResourceModel.Part]
    public var resourceTotal: ResourceModel.Part
    public var fits: Bool
    public var measured: Measured?
    /// A decode's totals on the modelled accelerator: key frames and rebuilt frames (repeated
    /// key frames cost nothing), modelled seconds.
    public var run: Run?
    /// The same program on the RTL as built (`HardwareConfig.rtlAsBuilt`), when this report is of
    /// another configuration: what the hardware that exists would do (see hardware/README.md).
    public var rtlAsBuilt: AsBuilt?

    /// Cycles, time and energy per frame of the RTL as built.
    public struct AsBuilt: Codable, Sendable {
        public var config: String
        public var keyFrameCycles: Int
        public var frameCycles: Int
        public var framesPerSecond: Double
        public var energyPerPixelMicrojoules: Double
    }

    public struct Run: Codable, Sendable {
        public var keyFrames: Int
        public var rebuiltFrames: Int
        public var modelledSeconds: Double
        public var modelledEnergyJoules: Double
    }

    public init(program: Program, config: HardwareConfig = .pynqZ1) {
        let model = CycleModel(config: config)
        func stream(_ range: Range<Int>) -> StreamCost {
            let costs = range.map { model.cost(of: program.instructions[$0], index: $0) }
            let cycles = costs.reduce(config.launchCycles) { $0 + $1.cycles }
            let engines = Engine.allCases.compactMap { engine -> EngineTotal? in
                let mine = costs.filter { $0.engine == engine.rawValue }
                guard !mine.isEmpty else { return nil }
                let c = mine.reduce(0) { $0 + $1.cycles }, macs = mine.reduce(0) { $0 + $1.macs }
                return EngineTotal(engine: engine.rawValue, instructions: mine.count, macs: macs, cycles: c,
                                   milliseconds: Double(c) / (config.clockMHz * 1e3),
                                   utilization: engine == .convolution && c > 0 ? Double(macs) / Double(c * config.tm * config.tn) : nil)
            }
            return StreamCost(cycles: cycles, milliseconds: Double(cycles) / (config.clockMHz * 1e3),
                              macs: costs.reduce(0) { $0 + $1.macs }, bytesRead: costs.reduce(0) { $0 + $1.bytesRead },
                              bytesWritten: costs.reduce(0) { $0 + $1.bytesWritten }, engines: engines, instructions: costs)
        }
        self.config = config
        self.model = program.modelIdentifier
        keyFrame = stream(program.keyStream)
        frame = stream(program.frameStream)
        let seconds = frame.milliseconds / 1000
        framesPerSecond = 1 / seconds
        energyPerFrameMillijoules = config.boardPowerWatts * seconds * 1000
        energyPerPixelMicrojoules = config.boardPowerWatts * seconds * 1e6 / Double(program.size * program.size)
        let resources = ResourceModel(config: config)
        self.resources = resources.parts
        resourceTotal = resources.total
        fits = resources.fits
        if config.rtl == nil {
            let built = HardwareReport(program: program, config: .rtlAsBuilt)
            rtlAsBuilt = AsBuilt(config: built.config.name, keyFrameCycles: built.keyFrame.cycles, frameCycles: built.frame.cycles,
                                 framesPerSecond: built.framesPerSecond, energyPerPixelMicrojoules: built.energyPerPixelMicrojoules)
        }
    }

    /// Adds the emulator's measured time per engine (seconds by descriptor address, over `frames`
    /// rebuilt frames).
    public mutating func addMeasurement(program: Program, secondsByDescriptor: [Int: Double], frames: Int, threads: Int) {
        var byEngine: [String: Double] = [:]
        var descriptors: [MeasuredDescriptor] = []
        for index in program.frameStream {
            let i = program.instructions[index]
            let ms = (secondsByDescriptor[Program.descriptorAddress(index)] ?? 0) * 1000 / Double(max(frames, 1))
            byEngine[i.opcode.engine.rawValue, default: 0] += ms
            let (oh, ow) = i.outputSize
            descriptors.append(MeasuredDescriptor(
                index: index, opcode: "\(i.opcode)",
                shape: "\(i.inChannels)x\(i.height)x\(i.width) -> \(i.outChannels)x\(oh)x\(ow)",
                milliseconds: ms, gmacPerSecond: ms > 0 ? Double(i.macs) / ms / 1e6 : 0))
        }
        measured = Measured(machine: Self.machineName(), threads: threads, framesRebuilt: frames,
                            millisecondsPerFrameByEngine: byEngine, descriptors: descriptors)
    }

    /// Adds a decode's totals: each key frame runs the key stream, each rebuilt frame the frame stream.
    public mutating func addRun(keyFrames: Int, rebuiltFrames: Int) {
        let seconds = (Double(keyFrames) * keyFrame.milliseconds + Double(rebuiltFrames) * frame.milliseconds) / 1000
        run = Run(keyFrames: keyFrames, rebuiltFrames: rebuiltFrames, modelledSeconds: seconds,
                  modelledEnergyJoules: seconds * config.boardPowerWatts)
    }

    static func machineName() -> String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let name = line.split(separator: ":", maxSplits: 1).last
        else { return "unknown CPU" }
        return name.trimmingCharacters(in: .whitespaces)
    }

    /// The report as text: per engine, per frame, resources, energy.
    public var text: String {
        let c = config
        var lines = ["AGC accelerator model: \(c.name) (\(c.device.part)), \(Int(c.clockMHz)) MHz, conv array \(c.tm)x\(c.tn), "
                     + String(format: "DDR %.1f GB/s, %.2f W while running (%.2f W idle board, assumed + %.2f W accelerator and polling core)",
                              c.ddrBytesPerSecond / 1e9, c.boardPowerWatts, c.idlePowerWatts, c.activePowerWatts),
                     "model \(model)", ""]
        func block(_ title: String, _ s: StreamCost) {
            lines.append(String(format: "%@: %.2f ms, %d cycles, %.3f GMAC, %.1f MB read, %.1f MB written", title, s.milliseconds,
                                s.cycles, Double(s.macs) / 1e9, Double(s.bytesRead) / 1e6, Double(s.bytesWritten) / 1e6))
            lines.append("  engine        instr      GMAC    cycles       ms   MAC use")
            for e in s.engines {
                lines.append(pad(e.engine, 12) + String(format: " %5d  %8.3f %9d %8.2f   %@", e.instructions,
                                    Double(e.macs) / 1e9, e.cycles, e.milliseconds,
                                    e.utilization.map { String(format: "%5.1f%%", $0 * 100) } ?? "    -"))
            }
        }
        block("per rebuilt frame (frame stream)", frame)
        block("per key frame (key stream, once per key frame)", keyFrame)
        lines.append("")
        lines.append(String(format: "modelled: %.1f frames/s at 256x256, %.1f mJ per frame, %.2f uJ per reconstructed pixel "
                            + "at board power (GRACE on the PYNQ-Z1, measured: 11.7 uJ per pixel)", framesPerSecond,
                            energyPerFrameMillijoules, energyPerPixelMicrojoules))
        if let b = rtlAsBuilt {
            lines.append(String(format: "the RTL as built (%@, hardware/README.md): %d cycles per rebuilt frame, %d per key frame: "
                                + "%.2f frames/s, %.2f uJ per reconstructed pixel", b.config, b.frameCycles, b.keyFrameCycles,
                                b.framesPerSecond, b.energyPerPixelMicrojoules))
        }
        lines.append("")
        lines.append("resources (\(c.device.part): \(c.device.dsp) DSP48E1, \(c.device.bram36) BRAM36, \(c.device.luts) LUTs)")
        for p in resources + [resourceTotal] {
            lines.append(pad(p.name, 72) + String(format: " %4d DSP %4d BRAM36 %6d LUT", p.dsp, p.bram36, p.luts))
        }
        lines.append(fits ? "  fits the device" : "  DOES NOT FIT the device")
        if let r = run, r.keyFrames + r.rebuiltFrames > 0 {
            lines.append("")
            lines.append(String(format: "this decode on the modelled accelerator: %d key frames, %d rebuilt frames: %.3f s, %.2f J",
                                r.keyFrames, r.rebuiltFrames, r.modelledSeconds, r.modelledEnergyJoules))
        }
        if let m = measured {
            lines.append("")
            lines.append("measured (emulator on \(m.machine), \(m.threads) threads, \(m.framesRebuilt) rebuilt frames), ms per frame:")
            for e in Engine.allCases {
                if let ms = m.millisecondsPerFrameByEngine[e.rawValue] {
                    lines.append(pad(e.rawValue, 12) + String(format: " %8.2f", ms))
                }
            }
            lines.append("  per descriptor (frame stream):")
            for d in m.descriptors {
                lines.append(pad(String(format: "%3d %@", d.index, d.opcode), 18) + pad(d.shape, 30)
                             + String(format: " %7.3f ms %7.0f GMAC/s", d.milliseconds, d.gmacPerSecond))
            }
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ width: Int) -> String {
        "  " + s.padding(toLength: max(width, s.count), withPad: " ", startingAt: 0)
    }
}
