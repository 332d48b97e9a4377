import Foundation

/// A simulated device (the folder `agc-fpga-sim create` makes) served by the accelerator's RTL
/// instead of the emulator: on each `ap_start` it runs `agc-rtl-sim` (the Verilator model of
/// `hardware/rtl`) on the folder's `ddr` file, from the DDR base the host wrote, and reports the
/// RTL's STATUS, failing position and cycle counter in the registers. The host side is the
/// unchanged `DeviceRunner`. Each run can be logged as one JSON line (count, RTL cycles, cycles per
/// descriptor, simulation seconds).
public final class RTLSimulatedDevice: @unchecked Sendable {
    public let directory: URL
    public let info: SimulatedDeviceInfo
    public let harness: URL
    private let registerFile: MappedRegion
    private let registers: RegisterWindow
    private let log: FileHandle?
    private let serving = ServingThread()

    /// `logPath`: a file to append one JSON line per run to (created if missing).
    public init(directory: URL, harness: URL? = nil, logPath: String? = nil) throws {
        let path = directory.path
        info = try SimulatedDeviceInfo.load(directory: directory, path: path)
        self.directory = directory
        self.harness = try harness ?? RTLHarness.locate()
        registerFile = try MappedRegion(path: directory.appendingPathComponent(SimulatedDeviceInfo.File.registers).path,
                                        size: RegisterMap.windowSize)
        registers = RegisterWindow(registerFile)
        if let logPath {
            if !FileManager.default.fileExists(atPath: logPath) { FileManager.default.createFile(atPath: logPath, contents: nil) }
            guard let handle = FileHandle(forWritingAtPath: logPath) else { throw AcceleratorError.device(logPath, "cannot open the run log") }
            handle.seekToEndOfFile()
            log = handle
        } else {
            log = nil
        }
    }

    deinit { stop() }

    /// Resets the registers as a power-on would and serves starts on a background thread.
    public func serve() {
        serving.start(name: "agc-rtl-accelerator", prepare: {
            for offset in stride(from: 0, to: RegisterMap.windowSize, by: 4) { registers[offset] = 0 }
            registers.control = .idle
            registers[RegisterMap.ipIdentification] = RegisterMap.identification
            registers[RegisterMap.ipVersion] = RegisterMap.version
        }, step: { [self] in step() })
    }

    /// Ends serving after the run in progress.
    public func stop() { serving.stop() }

    /// Takes a pending ap_start, runs it on the RTL, reports. True if there was a start.
    @discardableResult
    func step() -> Bool {
        guard registers.control.contains(.start) else { return false }
        registers.control = []
        let base = registers.pair(RegisterMap.ddrBaseLow, RegisterMap.ddrBaseHigh)
        let offset = Int(registers[RegisterMap.descriptorOffset]), count = Int(registers[RegisterMap.descriptorCount])
        var status = RegisterMap.Status.internalError.rawValue, failing: UInt32 = 0, cycles: UInt64 = 0
        if base < info.ddrPhysicalAddress || base - info.ddrPhysicalAddress >= UInt64(info.ddrSize)
            || (base - info.ddrPhysicalAddress) % 64 != 0 {
            status = RegisterMap.Status.outOfBounds.rawValue
        } else {
            let start = Int(base - info.ddrPhysicalAddress)
            do {
                let run = try RTLHarness.run(binary: harness, ddr: directory.appendingPathComponent(SimulatedDeviceInfo.File.ddr).path,
                                             offset: start, size: info.ddrSize - start, descriptors: offset, count: count)
                (status, failing, cycles) = (run.status, run.failing, run.cycles)
                let line = "{\"descriptor_offset\": \(offset), \"count\": \(count), \"status\": \(run.status), \"cycles\": \(run.cycles), "
                    + "\"descriptor_cycles\": \(run.descriptorCycles), \"wall_seconds\": \(run.wallSeconds)}\n"
                log?.write(Data(line.utf8))
            } catch {
                FileHandle.standardError.write(Data("agc-fpga-sim: \(error)\n".utf8))
            }
        }
        registers[RegisterMap.status] = status
        registers[RegisterMap.failingDescriptor] = failing
        registers.setPair(RegisterMap.cyclesLow, RegisterMap.cyclesHigh, cycles)
        if registers[RegisterMap.interruptEnable] & 1 != 0 { registers[RegisterMap.interruptStatus] |= 1 }
        registers.control = [.done, .idle, .ready]
        return true
    }
}
