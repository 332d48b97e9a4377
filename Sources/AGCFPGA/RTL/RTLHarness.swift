import Foundation

/// The Verilator co-simulation of the accelerator's RTL (`hardware/`): `agc-rtl-sim` runs the RTL
/// top through its AXI4-Lite registers with an AXI4 memory model on a DDR image file, so the file
/// holds the results afterwards. This type finds the binary and runs it.
public enum RTLHarness {
    /// The outcome of one run: STATUS, the failing position, the IP's cycle counter, the cycles
    /// of each completed descriptor, and the simulation's wall-clock seconds.
    public struct Run: Decodable, Sendable, Equatable {
        public var status: UInt32
        public var failing: UInt32
        public var cycles: UInt64
        public var descriptorCycles: [UInt64]
        public var wallSeconds: Double

        enum CodingKeys: String, CodingKey {
            case status, failing, cycles
            case descriptorCycles = "descriptor_cycles"
            case wallSeconds = "wall_seconds"
        }
    }

    /// The harness binary: `$AGC_RTL_SIM`, else `hardware/sim/build/agc-rtl-sim` in the current
    /// folder or one above it (built by `hardware/sim/build.sh`).
    public static func locate() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["AGC_RTL_SIM"], !path.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw AcceleratorError.device(path, "AGC_RTL_SIM does not name an executable")
            }
            return URL(fileURLWithPath: path)
        }
        var folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent("hardware/sim/build/agc-rtl-sim")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        throw AcceleratorError.device("agc-rtl-sim", "the RTL harness is not built: run hardware/sim/build.sh (or set AGC_RTL_SIM)")
    }

    /// Runs `count` descriptors from byte `descriptors` of the DDR region, bytes
    /// [offset, offset + size) of `ddr` (size nil: the rest of the file).
    public static func run(binary: URL, ddr: String, offset: Int = 0, size: Int? = nil, descriptors: Int, count: Int,
                           readLatency: Int? = nil) throws -> Run {
        var arguments = ["--ddr", ddr, "--offset", String(offset), "--descriptors", String(descriptors), "--count", String(count)]
        if let size { arguments += ["--size", String(size)] }
        if let readLatency { arguments += ["--read-latency", String(readLatency)] }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch {
            throw AcceleratorError.device(binary.path, "cannot start the RTL harness: \(error.localizedDescription)")
        }
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw AcceleratorError.device(binary.path, "the RTL harness failed (\(process.terminationStatus)): "
                                          + complaint.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        do {
            return try JSONDecoder().decode(Run.self, from: printed)
        } catch {
            throw AcceleratorError.device(binary.path, "unreadable harness report: \(String(decoding: printed, as: UTF8.self))")
        }
    }

    /// A run's STATUS as the error the emulator would throw for the descriptor at `address`
    /// (nil for STATUS 0).
    public static func error(for run: Run, descriptorAddress address: Int) -> AcceleratorError? {
        switch run.status {
        case 0: return nil
        case 1: return .badDescriptor(address: address, "refused by the RTL (STATUS 1)")
        case 2: return .outOfBounds(address: address, "refused by the RTL (STATUS 2)")
        default: return .device("agc-rtl-sim", "STATUS \(run.status) at descriptor \(run.failing)")
        }
    }
}
