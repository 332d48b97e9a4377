import AGCModel
import Foundation
import XCTest
@testable import AGCFPGA

/// Writes the DDR images the RTL harness measures a real decode on (`hardware/measure-frame.sh`,
/// `hardware/power.sh`): the shipped model with the parity fixture's key frame, as the host leaves
/// DDR just before it starts the key stream and just before it starts the frame stream of the
/// first rebuilt frame. Runs only when `AGC_RTL_FRAME_IMAGE` names the file to write (the key
/// stream's image goes to `<file>.key`, the descriptor ranges and their engines to `<file>.json`).
final class RTLFrameImageTests: XCTestCase {
    /// The emulator, keeping a copy of DDR when each stream starts.
    final class SnapshottingRunner: InstructionRunner {
        let inner: EmulatedAccelerator
        var snapshots: [Range<Int>: [UInt8]] = [:]
        var memory: UnsafeMutableRawBufferPointer { inner.memory }

        init(program: Program) { inner = EmulatedAccelerator(program: program, threads: 2) }

        func run(_ stream: Range<Int>) throws {
            if snapshots[stream] == nil { snapshots[stream] = [UInt8](inner.memory) }
            try inner.run(stream)
        }
    }

    func testWriteTheImagesOfTheKeyAndFrameStreams() throws {
        guard let path = ProcessInfo.processInfo.environment["AGC_RTL_FRAME_IMAGE"], !path.isEmpty else {
            throw XCTSkip("set AGC_RTL_FRAME_IMAGE to write the images")
        }
        let program = DeviceTests.program
        let runner = SnapshottingRunner(program: program)
        var clip = try DeviceTests.clip()
        clip.frames = [clip.frames[0]]
        _ = try DeviceTests.decode(clip, with: IntegerDecoder(program: program, runner: runner))
        let size = (program.memorySize + 4095) & ~4095
        func padded(_ bytes: [UInt8]) -> Data { Data(bytes + [UInt8](repeating: 0, count: size - bytes.count)) }
        let frame = try XCTUnwrap(runner.snapshots[program.frameStream]), key = try XCTUnwrap(runner.snapshots[program.keyStream])
        try padded(frame).write(to: URL(fileURLWithPath: path))
        try padded(key).write(to: URL(fileURLWithPath: path + ".key"))
        func range(_ r: Range<Int>) -> String {
            let engines = r.map { "\"\(program.instructions[$0].opcode.engine.rawValue)\"" }.joined(separator: ", ")
            return "{\"descriptors\": \(Program.descriptorAddress(r.lowerBound)), \"count\": \(r.count), \"first\": \(r.lowerBound), "
                + "\"engines\": [\(engines)]}"
        }
        let json = "{\"frame\": \(range(program.frameStream)), \"key\": \(range(program.keyStream))}\n"
        try Data(json.utf8).write(to: URL(fileURLWithPath: path + ".json"))
    }
}
