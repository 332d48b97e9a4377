/// The user-space driver of the accelerator: runs a compiled program's instruction streams on the
/// real IP (a UIO device with a u-dma-buf DDR buffer) or on a simulated device's folder, through
/// the register map of `RegisterMap`. There is no fallback: anything that keeps the device from
/// being used is an `AcceleratorError.device` naming the path.
///
/// One run: write the descriptor offset and count, set `ap_start`, wait for `ap_done` (the UIO
/// interrupt when there is one, otherwise polling with a growing pause), then read STATUS.
public final class DeviceRunner: InstructionRunner {
    /// The device path as given.
    public let path: String
    /// Seconds a run may take before `run` gives up with `AcceleratorError.timeout`.
    public let timeout: Double
    /// Cycles (100 MHz) of the last run, as the device counted them.
    public private(set) var lastRunCycles: UInt64 = 0

    private let mapping: DeviceMapping
    private let registers: RegisterWindow
    /// The UIO interrupt, when the device node delivers one.
    private let interrupt: UIOInterrupt?

    /// The mapped DDR region: descriptors, constants, inputs, outputs and activations.
    public var memory: UnsafeMutableRawBufferPointer { mapping.ddr.bytes }

    /// Opens the accelerator at `path` (`/dev/uioN`, or a simulated device's folder), checks that
    /// it is an AGC accelerator with room for `program`, loads the program's image (descriptors
    /// and constants) into its DDR and points the DDR base registers at it. `dmaBuffer` names the
    /// u-dma-buf buffer of a UIO device.
    /// The time-out of a run unless told otherwise: 5 s, ample for the board.
    public static let defaultTimeout = 5.0

    public init(path: String, program: Program, timeout: Double = defaultTimeout, dmaBuffer: String = "udmabuf0") throws {
        guard timeout.isFinite, timeout > 0, timeout < 1e9 else {
            throw AcceleratorError.device(path, "the time-out must be a positive number of seconds, not \(timeout)")
        }
        self.path = path
        self.timeout = timeout
        mapping = try DeviceMapping(path: path, dmaBuffer: dmaBuffer)
        registers = RegisterWindow(mapping.registers)

        let identification = registers[RegisterMap.ipIdentification]
        guard identification == RegisterMap.identification else {
            let value = String(format: "0x%08x", identification)
            throw AcceleratorError.device(path, "not an AGC accelerator: its identification register reads \(value) "
                                          + "(\"\(RegisterMap.identificationText(identification))\"), not \"AGC1\"")
        }
        let version = registers[RegisterMap.ipVersion]
        guard version == RegisterMap.version else {
            throw AcceleratorError.device(path, "register map version \(version); this driver speaks version \(RegisterMap.version)")
        }
        let ddr = mapping.ddr.bytes
        guard ddr.count >= program.memorySize, program.image.count <= program.memorySize else {
            throw AcceleratorError.device(path, "its DDR region has \(ddr.count) bytes; the program needs \(program.memorySize)")
        }
        guard registers.control.contains(.idle) else {
            throw AcceleratorError.device(path, "the accelerator is busy (ap_idle is clear): another host is using it, or a run did not finish")
        }

        if case let .uio(uioInterrupt) = mapping.kind, uioInterrupt.unmask() {
            interrupt = uioInterrupt
            registers[RegisterMap.interruptEnable] = 1
            registers[RegisterMap.globalInterruptEnable] = 1
        } else {
            interrupt = nil
        }

        // The image, then zeros up to the program's size: the memory the emulator starts from.
        ddr.copyBytes(from: program.image)
        UnsafeMutableRawBufferPointer(rebasing: ddr[program.image.count..<program.memorySize]).initializeMemory(as: UInt8.self, repeating: 0)
        registers.setPair(RegisterMap.ddrBaseLow, RegisterMap.ddrBaseHigh, mapping.ddrPhysicalAddress)
    }

    /// Runs the descriptors `stream` (indices from the DDR base) and returns when the device is
    /// done. Throws `.timeout` if it is not done within `timeout`, and `.badDescriptor` or
    /// `.outOfBounds` (at the failing descriptor's address) if the device reports one.
    public func run(_ stream: Range<Int>) throws {
        guard !stream.isEmpty else { return }
        let end = Program.descriptorAddress(stream.upperBound)
        guard stream.lowerBound >= 0, end <= memory.count, end <= Int(UInt32.max) else {
            throw AcceleratorError.badDescriptor(address: Program.descriptorAddress(max(stream.lowerBound, 0)),
                                                 "descriptors \(stream) are not all inside the DDR region")
        }
        // Reading the control register also clears an ap_done left over from an earlier run.
        guard registers.control.contains(.idle) else {
            throw AcceleratorError.device(path, "the accelerator is busy (ap_idle is clear): a previous run did not finish")
        }
        registers[RegisterMap.descriptorOffset] = UInt32(Program.descriptorAddress(stream.lowerBound))
        registers[RegisterMap.descriptorCount] = UInt32(stream.count)
        if let interrupt {
            acknowledgeInterrupt()
            _ = interrupt.unmask()
        }
        registers.control = .start
        try waitForDone()
        lastRunCycles = registers.pair(RegisterMap.cyclesLow, RegisterMap.cyclesHigh)
        try checkStatus(of: stream)
    }

    /// Waits for ap_done until the time-out: on the interrupt when there is one, else polling.
    private func waitForDone() throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(timeout))
        var backoff = PollBackoff()
        while true {
            // Read once: ap_done clears when read.
            if registers.control.contains(.done) { break }
            let left = clock.now.duration(to: deadline)
            guard left > .zero else { throw AcceleratorError.timeout(seconds: timeout) }
            if let interrupt {
                // Wake at least every 10 ms to read the register again: a missing or misrouted
                // interrupt line costs latency, not a time-out.
                let seconds = Double(left.components.seconds) + Double(left.components.attoseconds) * 1e-18
                if try interrupt.wait(seconds: min(seconds, 0.01)) {
                    acknowledgeInterrupt()
                    _ = interrupt.unmask()
                }
            } else {
                backoff.pause()
            }
        }
    }

    /// Clears the done bit of the interrupt status register if it is set (it toggles on write).
    private func acknowledgeInterrupt() {
        if registers[RegisterMap.interruptStatus] & 1 != 0 {
            registers[RegisterMap.interruptStatus] = 1
        }
    }

    /// Turns a nonzero STATUS into the error of the failing descriptor.
    private func checkStatus(of stream: Range<Int>) throws {
        let status = registers[RegisterMap.status]
        let position = Int(registers[RegisterMap.failingDescriptor])
        let index = stream.lowerBound + position
        let address = Program.descriptorAddress(index)
        switch RegisterMap.Status(rawValue: status) {
        case .ok:
            return
        case .badDescriptor:
            throw AcceleratorError.badDescriptor(address: address, "the accelerator rejected descriptor \(index)")
        case .outOfBounds:
            throw AcceleratorError.outOfBounds(address: address, "descriptor \(index) reaches outside the DDR region")
        case .internalError:
            throw AcceleratorError.device(path, "internal error of the accelerator at descriptor \(index)")
        case nil:
            throw AcceleratorError.device(path, "unknown status \(status) after descriptor \(index)")
        }
    }
}
