import AGCKernels
/// What runs a compiled program's instruction streams on a DDR memory: the emulator in this
/// process, or the accelerator behind its driver.
public protocol InstructionRunner: AnyObject {
    /// The DDR region the program lives in, as the host sees it.
    var memory: UnsafeMutableRawBufferPointer { get }
    /// Runs the descriptors `stream` (indices) and returns when they are done.
    func run(_ stream: Range<Int>) throws
}

/// The integer decoder on any `InstructionRunner`: the host's side of the protocol. It writes
/// the key frame and runs the key stream once per key frame, then per frame writes the
/// keypoints, runs the frame stream and reads the rebuilt frame.
public final class IntegerDecoder {
    public let program: Program
    public let runner: InstructionRunner
    private var keyKeypoints: [SIMD2<Int32>] = []

    public init(program: Program, runner: InstructionRunner) {
        precondition(runner.memory.count >= program.memorySize, "the DDR region is smaller than the program")
        self.program = program
        self.runner = runner
    }

    /// Writes the key frame (3 planes, bytes) and its keypoints, and runs the key stream.
    public func setKeyFrame(planes: [UInt8], keypoints: [SIMD2<Int32>]) throws {
        let size = program.size
        precondition(planes.count == 3 * size * size && keypoints.count == program.keypointCount, "key frame shape")
        planes.withUnsafeBytes { runner.memory.baseAddress!.advanced(by: program.sourceAddress).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        keyKeypoints = keypoints
        try runner.run(program.keyStream)
    }

    /// The key frame re-animated to `keypoints`: 3 planes of bytes.
    public func rebuild(keypoints: [SIMD2<Int32>]) throws -> [UInt8] {
        precondition(keypoints.count == program.keypointCount, "keypoint count")
        let memory = runner.memory
        for (i, p) in (keyKeypoints + keypoints).enumerated() {
            memory.storeBytes(of: UInt32(bitPattern: p.x).littleEndian, toByteOffset: program.keypointsAddress + 8 * i, as: UInt32.self)
            memory.storeBytes(of: UInt32(bitPattern: p.y).littleEndian, toByteOffset: program.keypointsAddress + 8 * i + 4, as: UInt32.self)
        }
        try runner.run(program.frameStream)
        let n = 3 * program.size * program.size
        return [UInt8](UnsafeRawBufferPointer(rebasing: memory[program.outputAddress..<(program.outputAddress + n)]))
    }
}

/// The accelerator emulated in this process: its DDR is an allocation holding the program's
/// image, and the `Executor` runs the descriptors.
public final class EmulatedAccelerator: InstructionRunner {
    public let memory: UnsafeMutableRawBufferPointer
    public let executor: Executor

    /// `kernels`: the executor's kernel set (the process-wide choice by default).
    public init(program: Program, threads: Int, kernels: KernelChoice = .current) {
        let ddr = UnsafeMutableRawBufferPointer.allocate(byteCount: program.memorySize, alignment: 64)
        ddr.initializeMemory(as: UInt8.self, repeating: 0)
        program.image.withUnsafeBytes { ddr.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        memory = ddr
        executor = Executor(threads: threads, kernels: kernels)
    }

    deinit {
        memory.deallocate()
    }

    public func run(_ stream: Range<Int>) throws {
        try executor.run(descriptorsAt: Program.descriptorAddress(stream.lowerBound), count: stream.count, memory: memory)
    }
}
