/// Placeholder until the driver lands (this session): the device backend refuses clearly.
public final class DeviceRunner: InstructionRunner {
    public var memory: UnsafeMutableRawBufferPointer { fatalError("no device") }
    public init(path: String, program: Program) throws {
        throw AcceleratorError.device(path, "the device driver is not built yet")
    }
    public func run(_ stream: Range<Int>) throws {}
}
