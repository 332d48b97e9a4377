import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The accelerator simulated behind its register map: a folder whose `regs` file is the register
/// window, whose `ddr` file is the DDR region and whose `device.json` describes them
/// (`SimulatedDeviceInfo`). `serve()` watches ap_start on a background thread and runs the
/// descriptors with the `Executor`, so `DeviceRunner` speaks the same protocol to it as to the
/// IP, across threads or processes (the files are mapped shared).
///
/// What a file cannot model: ap_done is not cleared by a read (the host's next ap_start write
/// clears it), interrupt status does not toggle on write, and there is no interrupt line, so the
/// driver polls a simulated device. `auto_restart` is ignored.
public final class SimulatedDevice: @unchecked Sendable {
    public let directory: URL
    public let info: SimulatedDeviceInfo
    /// Takes a start but never finishes it: exercises a driver's time-out.
    public let stall: Bool
    /// Executor threads per run.
    public let threads: Int

    private let registerFile: MappedRegion
    private let ddrFile: MappedRegion
    private let registers: RegisterWindow
    private let serving = ServingThread()

    /// Creates the folder of a simulated device with `ddrSize` bytes of DDR (zeros), its registers
    /// at power-on (identification, version, ap_idle) and its description. The folder appears
    /// complete or not at all: it is written under a temporary name, then renamed.
    @discardableResult
    public static func create(at directory: URL, ddrSize: Int) throws -> SimulatedDeviceInfo {
        let path = directory.path
        guard ddrSize > 0 else { throw AcceleratorError.device(path, "the DDR size must be positive, not \(ddrSize)") }
        let manager = FileManager.default
        guard !manager.fileExists(atPath: path) else { throw AcceleratorError.device(path, "already exists") }
        let info = SimulatedDeviceInfo(ddrSize: ddrSize)
        let temporary = directory.deletingLastPathComponent()
            .appendingPathComponent(".\(directory.lastPathComponent).creating-\(UUID().uuidString)")
        do {
            try manager.createDirectory(at: temporary, withIntermediateDirectories: true)
            var registers = Data(count: RegisterMap.windowSize)
            for (offset, value) in powerOnRegisters {
                withUnsafeBytes(of: value.littleEndian) { registers.replaceSubrange(offset..<(offset + 4), with: $0) }
            }
            try registers.write(to: temporary.appendingPathComponent(SimulatedDeviceInfo.File.registers))
            let ddr = temporary.appendingPathComponent(SimulatedDeviceInfo.File.ddr)
            try Data().write(to: ddr)
            let handle = try FileHandle(forWritingTo: ddr)
            defer { try? handle.close() }
            try handle.truncate(atOffset: UInt64(ddrSize))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(info).write(to: temporary.appendingPathComponent(SimulatedDeviceInfo.File.description))
        } catch {
            try? manager.removeItem(at: temporary)
            throw AcceleratorError.device(path, "cannot create the simulated device: \(error.localizedDescription)")
        }
        guard rename(temporary.path, path) == 0 else {
            let why = String(cString: strerror(errno))
            try? manager.removeItem(at: temporary)
            throw AcceleratorError.device(path, "cannot create the simulated device: " + why)
        }
        return info
    }

    /// The registers a device has at power-on; all others read zero.
    private static let powerOnRegisters: [(Int, UInt32)] = [
        (RegisterMap.control, RegisterMap.Control.idle.rawValue),
        (RegisterMap.ipIdentification, RegisterMap.identification),
        (RegisterMap.ipVersion, RegisterMap.version),
    ]

    /// Opens the simulated device in `directory`; `serve()` starts it.
    public init(directory: URL, threads: Int = 1, stall: Bool = false) throws {
        let path = directory.path
        info = try SimulatedDeviceInfo.load(directory: directory, path: path)
        self.directory = directory
        self.threads = max(1, threads)
        self.stall = stall
        registerFile = try MappedRegion(path: directory.appendingPathComponent(SimulatedDeviceInfo.File.registers).path,
                                        size: RegisterMap.windowSize)
        ddrFile = try MappedRegion(path: directory.appendingPathComponent(SimulatedDeviceInfo.File.ddr).path, size: info.ddrSize)
        registers = RegisterWindow(registerFile)
    }

    deinit {
        stop()
    }

    /// Resets the registers to their power-on values and serves starts on a background thread
    /// until `stop()`. Nothing happens if it is serving already.
    public func serve() {
        serving.start(name: "agc-simulated-accelerator", prepare: {
            for offset in stride(from: 0, to: RegisterMap.windowSize, by: 4) { registers[offset] = 0 }
            for (offset, value) in Self.powerOnRegisters { registers[offset] = value }
        }, step: { [self] in step() })
    }

    /// Ends serving and waits for the serving thread (after the run in progress, if any).
    public func stop() { serving.stop() }

    /// Takes a pending ap_start, if there is one: runs the descriptors, writes STATUS, the
    /// failing descriptor and the cycle counter, then signals done. True if there was a start.
    @discardableResult
    func step() -> Bool {
        guard registers.control.contains(.start) else { return false }
        registers.control = []  // ap_start taken; running, so neither idle nor done
        if stall { return true }
        let clock = ContinuousClock()
        let started = clock.now
        let (status, position) = execute()
        let elapsed = started.duration(to: clock.now).components
        let nanoseconds = UInt64(elapsed.seconds) * 1_000_000_000 + UInt64(elapsed.attoseconds / 1_000_000_000)
        registers[RegisterMap.status] = status.rawValue
        registers[RegisterMap.failingDescriptor] = UInt32(position)
        registers.setPair(RegisterMap.cyclesLow, RegisterMap.cyclesHigh, nanoseconds / 10)
        if registers[RegisterMap.interruptEnable] & 1 != 0 {
            registers[RegisterMap.interruptStatus] |= 1
        }
        registers.control = [.done, .idle, .ready]
        return true
    }

    /// Runs the descriptors the registers give, one at a time so that a failure names its
    /// position: the status and the failing position (0 when all ran).
    private func execute() -> (RegisterMap.Status, Int) {
        let ddr = ddrFile.bytes
        let base = registers.pair(RegisterMap.ddrBaseLow, RegisterMap.ddrBaseHigh)
        // The DDR base may point anywhere inside the region, 64-byte aligned; elsewhere there is
        // no memory to read.
        guard base >= info.ddrPhysicalAddress, base - info.ddrPhysicalAddress < UInt64(ddr.count),
              (base - info.ddrPhysicalAddress) % 64 == 0 else {
            return (.outOfBounds, 0)
        }
        let memory = UnsafeMutableRawBufferPointer(rebasing: ddr[Int(base - info.ddrPhysicalAddress)...])
        let offset = Int(registers[RegisterMap.descriptorOffset])
        let count = Int(registers[RegisterMap.descriptorCount])
        // A fresh executor per run: the device reads its weights from DDR every time.
        let executor = Executor(threads: threads)
        for position in 0..<count {
            do {
                try executor.run(descriptorsAt: offset + position * Instruction.byteCount, count: 1, memory: memory)
            } catch AcceleratorError.badDescriptor {
                return (.badDescriptor, position)
            } catch AcceleratorError.outOfBounds {
                return (.outOfBounds, position)
            } catch {
                return (.internalError, position)
            }
        }
        return (.ok, 0)
    }
}
