import XCTest
@testable import AGCFPGA

/// Descriptors: the byte format round-trips, and the emulator refuses bad ones without writing.
final class InstructionTests: XCTestCase {
    func testDescriptorsRoundTripThroughMemory() throws {
        let program = EmulatorTests.program
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: program.instructions.count * Instruction.byteCount, alignment: 8)
        defer { memory.deallocate() }
        for (i, instruction) in program.instructions.enumerated() {
            instruction.store(to: memory, at: i * Instruction.byteCount)
        }
        for (i, instruction) in program.instructions.enumerated() {
            XCTAssertEqual(try Instruction.load(from: UnsafeRawBufferPointer(memory), at: i * Instruction.byteCount), instruction)
        }
        // The compiler's DDR image holds the same descriptors.
        let image = program.image
        image.withUnsafeBytes { raw in
            for (i, instruction) in program.instructions.enumerated() {
                XCTAssertEqual(try? Instruction.load(from: raw, at: i * Instruction.byteCount), instruction)
            }
        }
    }

    func testBadDescriptorsAreRefused() throws {
        let program = EmulatorTests.program
        let emulator = EmulatedAccelerator(program: program, threads: 1)
        let memory = emulator.memory
        let first = program.frameStream.lowerBound, at = Program.descriptorAddress(first)
        let saved = [UInt8](memory[at..<(at + Instruction.byteCount)])
        func expectBad(_ mutate: () -> Void, _ check: (AcceleratorError) -> Bool) {
            saved.withUnsafeBytes { memory.baseAddress!.advanced(by: at).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            mutate()
            XCTAssertThrowsError(try emulator.run(first..<(first + 1))) { error in
                guard let e = error as? AcceleratorError else { return XCTFail("\(error)") }
                XCTAssertTrue(check(e), "\(e)")
            }
        }
        // An unknown opcode, reserved bits, an output beyond the memory.
        expectBad({ memory[at] = 0x7F }) { if case .badDescriptor(let a, _) = $0 { return a == at } else { return false } }
        expectBad({ memory[at + 3] = 1 }) { if case .badDescriptor = $0 { return true } else { return false } }
        expectBad({ memory.storeBytes(of: UInt32(memory.count - 16).littleEndian, toByteOffset: at + 16, as: UInt32.self) }) {
            if case .outOfBounds = $0 { return true } else { return false }
        }
        // Restored, the stream runs.
        saved.withUnsafeBytes { memory.baseAddress!.advanced(by: at).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        XCTAssertNoThrow(try emulator.run(program.keyStream))
        XCTAssertNoThrow(try emulator.run(program.frameStream))
    }
}
