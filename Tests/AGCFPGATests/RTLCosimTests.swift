import AGCKernels
import AGCModel
import Foundation
import XCTest
@testable import AGCFPGA

/// The accelerator's RTL (`hardware/rtl`, simulated by Verilator through `hardware/sim`) against
/// the emulator's `Executor`, bit for bit: every engine on random descriptors (random shapes, zero
/// points, fused options, borders, positions far outside the map), bad descriptors refused with
/// the same STATUS at the same position and nothing else changed, and a whole rebuilt frame of the
/// shipped model. The harness is built by `hardware/sim/build.sh` when it is missing or stale.
final class RTLCosimTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    /// The harness, built once per test process.
    static let binary: Result<URL, Error> = Result {
        let script = root.appendingPathComponent("hardware/sim/build.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw AcceleratorError.device(script.path, "build failed: " + complaint) }
        return root.appendingPathComponent("hardware/sim/build/agc-rtl-sim")
    }

    func harness() throws -> URL {
        do { return try Self.binary.get() } catch { throw XCTSkip("no RTL harness: \(error)") }
    }

    // MARK: - Images

    /// A DDR image under construction: random bytes, descriptors at 0, regions placed after them.
    struct Image {
        var bytes: [UInt8]
        var next: Int
        var instructions: [Instruction] = []
        /// Output regions by descriptor, to name the descriptor a difference belongs to.
        var outputs: [(Range<Int>, Int)] = []
        var rng: SplitMix64

        init(size: Int, descriptors: Int, seed: UInt64) {
            rng = SplitMix64(seed: seed)
            var r = rng
            bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &r) }
            rng = r
            next = descriptors * Instruction.byteCount
        }

        /// Reserves `count` bytes (word-aligned, or at a random byte offset when `unaligned`).
        mutating func reserve(_ count: Int, unaligned: Bool = false) -> UInt32 {
            next = (next + 3) & ~3
            if unaligned { next += Int.random(in: 0...3, using: &rng) }
            let at = next
            next += count
            precondition(next <= bytes.count, "image too small")
            return UInt32(at)
        }

        mutating func words(_ values: [Int32]) -> UInt32 {
            let at = reserve(4 * values.count)
            for (k, v) in values.enumerated() {
                withUnsafeBytes(of: v.littleEndian) { for b in 0..<4 { bytes[Int(at) + 4 * k + b] = $0[b] } }
            }
            return at
        }

        mutating func output(_ count: Int, unaligned: Bool = false, words: Bool = false) -> UInt32 {
            let at = reserve(count, unaligned: unaligned && !words)
            outputs.append((Int(at)..<(Int(at) + count), instructions.count))
            return at
        }

        mutating func add(_ i: Instruction) { instructions.append(i) }

        /// The final bytes: the descriptors stored at 0.
        func finished() -> [UInt8] {
            var out = bytes
            out.withUnsafeMutableBytes { m in for (k, i) in instructions.enumerated() { i.store(to: m, at: k * Instruction.byteCount) } }
            return out
        }
    }

    /// Runs the descriptors with a fresh Executor, one at a time as the simulated device does:
    /// the final bytes, STATUS and failing position.
    func emulate(_ image: [UInt8], count: Int) -> ([UInt8], UInt32, UInt32) {
        var memory = image
        var status: UInt32 = 0, failing: UInt32 = 0
        memory.withUnsafeMutableBytes { m in
            let executor = Executor(threads: 1)
            for n in 0..<count {
                do { try executor.run(descriptorsAt: n * Instruction.byteCount, count: 1, memory: m) } catch AcceleratorError.badDescriptor {
                    status = 1; failing = UInt32(n); return
                } catch AcceleratorError.outOfBounds {
                    status = 2; failing = UInt32(n); return
                } catch { status = 3; failing = UInt32(n); return }
            }
        }
        return (memory, status, failing)
    }

    /// Runs the image on the RTL: the final bytes and the harness's report.
    func simulate(_ image: [UInt8], count: Int) throws -> ([UInt8], RTLHarness.Run) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("agc-rtl-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(image).write(to: URL(fileURLWithPath: path))
        let run = try RTLHarness.run(binary: try harness(), ddr: path, descriptors: 0, count: count)
        return ([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), run)
    }

    /// The image on both; equal bytes, STATUS and failing position required.
    @discardableResult
    func assertSame(_ image: Image, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws -> RTLHarness.Run {
        let bytes = image.finished(), count = image.instructions.count
        let (expected, status, failing) = emulate(bytes, count: count)
        let (actual, run) = try simulate(bytes, count: count)
        if status == 0 { XCTAssertTrue(expected != bytes, "\(what): the descriptors write something", file: file, line: line) }
        if ProcessInfo.processInfo.environment["AGC_RTL_VERBOSE"] != nil { print("\(what): \(run)") }
        XCTAssertEqual(run.status, status, "\(what): STATUS", file: file, line: line)
        XCTAssertEqual(run.failing, failing, "\(what): failing position", file: file, line: line)
        if let first = actual.indices.first(where: { actual[$0] != expected[$0] }) {
            let owner = image.outputs.first { $0.0.contains(first) }
            let differing = zip(actual, expected).filter { $0 != $1 }.count
            let description = owner.map { "descriptor \($0.1) (\(image.instructions[$0.1].opcode)), byte \(first - $0.0.lowerBound) of its output" } ?? "outside any output"
            XCTFail("\(what): \(differing) bytes differ; first at \(first): \(description): RTL \(actual[first]), emulator \(expected[first])",
                    file: file, line: line)
        }
        return run
    }

    // MARK: - Random descriptors

    static func zeroPoints(_ n: Int, _ rng: inout SplitMix64) -> [Int32] { (0..<n).map { _ in Int32.random(in: 0...255, using: &rng) } }
    static func multiplier(_ rng: inout SplitMix64) -> Int32 { Int32.random(in: (1 << 30)...Int32.max, using: &rng) }

    func convolution(_ image: inout Image, cin: Int, cout: Int, h: Int, w: Int, flags: InstructionFlags) {
        var i = Instruction(opcode: .convolution)
        i.flags = flags
        i.factor = 3
        (i.inChannels, i.outChannels, i.height, i.width) = (UInt16(cin), UInt16(cout), UInt16(h), UInt16(w))
        i.input = image.reserve(cin * h * w, unaligned: true)
        i.weights = image.reserve(cout * cin * 9, unaligned: true)
        i.bias = image.words((0..<cout).map { _ in Int32.random(in: -(1 << 16)...(1 << 16), using: &image.rng) })
        i.requantization = image.words((0..<cout).flatMap { _ in
            [Self.multiplier(&image.rng), Int32.random(in: -14...(-6), using: &image.rng)]
        })
        i.zeroPoints = image.words(Self.zeroPoints(cin, &image.rng))
        i.outputZeroPoint = UInt8.random(in: 0...255, using: &image.rng)
        if Bool.random(using: &image.rng) { i.clampMin = i.outputZeroPoint }
        i.clampMax = UInt8.random(in: 200...255, using: &image.rng)
        let up = flags.contains(.upsampleInput) ? 2 : 1
        let (ch, cw) = (h * up, w * up)
        let (oh, ow) = flags.contains(.poolOutput) ? (ch / 2, cw / 2) : (ch, cw)
        if flags.contains(.residual) {
            i.aux = image.reserve(cout * ch * cw, unaligned: true)
            i.aux2 = image.words((0..<cout).flatMap { _ in [Self.multiplier(&image.rng), Int32.random(in: 0...6, using: &image.rng)] })
            i.aux3 = image.words(Self.zeroPoints(cout, &image.rng))
        }
        i.output = image.output(cout * oh * ow, unaligned: true)
        image.add(i)
    }

    func testConvolutionMatchesTheEmulator() throws {
        var image = Image(size: 1 << 21, descriptors: 13, seed: 1)
        let shapes: [(Int, Int, Int, Int, InstructionFlags)] = [
            (3, 5, 7, 9, []), (1, 1, 1, 1, []), (17, 18, 6, 10, [.poolOutput]), (5, 33, 5, 6, [.upsampleInput]),
            (20, 9, 18, 70, []), (4, 4, 20, 8, [.residual]), (6, 7, 6, 4, [.upsampleInput, .residual]),
            (9, 3, 12, 12, [.poolOutput, .residual]), (2, 17, 9, 35, [.upsampleInput, .poolOutput]),
            (33, 16, 3, 5, [.residual]), (16, 16, 4, 4, [.upsampleInput, .poolOutput, .residual]), (7, 2, 1, 66, []),
            (18, 70, 4, 6, [.residual, .poolOutput]),     // more output channels than one pass of the engine holds
        ]
        for (cin, cout, h, w, flags) in shapes { convolution(&image, cin: cin, cout: cout, h: h, w: w, flags: flags) }
        let run = try assertSame(image, "convolutions")
        XCTAssertEqual(run.status, 0, "all of them run")
        XCTAssertEqual(run.descriptorCycles.count, shapes.count)
    }

    func gridDescriptors(_ image: inout Image) {
        func position(_ rng: inout SplitMix64) -> Int32 {
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: return Int32.random(in: Int32.min...Int32.max, using: &rng)       // far outside, clamped
            case 1: return Int32.random(in: -(1 << 20)...(1 << 20), using: &rng)
            default: return Int32.random(in: -(1 << 16)...(1 << 16), using: &rng)
            }
        }
        for _ in 0..<4 {
            var i = Instruction(opcode: .gridShift)
            let cin = Int.random(in: 1...4, using: &image.rng), shifts = Int.random(in: 1...4, using: &image.rng)
            let h = Int.random(in: 1...20, using: &image.rng), w = Int.random(in: 1...20, using: &image.rng)
            (i.inChannels, i.outChannels, i.height, i.width, i.keypointCount) = (UInt16(cin), UInt16(cin * shifts), UInt16(h), UInt16(w), UInt8(shifts))
            i.input = image.reserve(cin * h * w, unaligned: true)
            i.bias = image.words((0..<(2 * shifts)).map { _ in position(&image.rng) })
            i.zeroPoints = image.words(Self.zeroPoints(cin, &image.rng))
            i.output = image.output(cin * shifts * h * w, unaligned: true)
            image.add(i)
        }
        for n in 0..<4 {
            var i = Instruction(opcode: .gridFlow)
            let cin = Int.random(in: 1...4, using: &image.rng)
            let h = Int.random(in: 1...20, using: &image.rng), w = Int.random(in: 1...20, using: &image.rng)
            (i.inChannels, i.outChannels, i.height, i.width) = (UInt16(cin), UInt16(cin), UInt16(h), UInt16(w))
            i.input = image.reserve(cin * h * w, unaligned: true)
            i.aux = image.words((0..<(2 * h * w)).map { _ in position(&image.rng) })
            i.zeroPoints = image.words(Self.zeroPoints(cin, &image.rng))
            if n % 2 == 1 { i.flags = .mask; i.aux2 = image.reserve(h * w, unaligned: true) }
            i.output = image.output(cin * h * w, unaligned: true)
            image.add(i)
        }
    }

    func testGridSampleMatchesTheEmulator() throws {
        var image = Image(size: 1 << 18, descriptors: 8, seed: 2)
        gridDescriptors(&image)
        let run = try assertSame(image, "grid sampling")
        XCTAssertEqual(run.status, 0, "all of them run")
        XCTAssertEqual(run.descriptorCycles.count, image.instructions.count)
    }

    func elementwiseDescriptors(_ image: inout Image) {
        // keypoints: the Gaussian table of the spec's form, keypoints past the table's reach too
        for r in [1, 4, 16, 32] {
            var i = Instruction(opcode: .keypoints)
            let k = Int.random(in: 0...10, using: &image.rng)
            let variance = Double.random(in: 100...20000, using: &image.rng)
            (i.outChannels, i.height, i.width, i.keypointCount) = (UInt16(k + 1), UInt16(r), UInt16(r), UInt8(k))
            i.aux = image.words((0..<(4 * k)).map { _ in Int32.random(in: -600...600, using: &image.rng) })
            i.weights = image.words((0...512).map { d in Int32((32768 * exp(-Double(d * d) / (2 * variance))).rounded()) })
            i.multiplier = Self.multiplier(&image.rng)
            i.shift = Int32.random(in: -9...(-5), using: &image.rng)
            i.outputZeroPoint = UInt8.random(in: 0...255, using: &image.rng)
            i.output = image.output((k + 1) * r * r, unaligned: true)
            i.bias = image.output(8 * (k + 1), words: true)
            image.add(i)
        }
        for _ in 0..<3 {
            var i = Instruction(opcode: .averagePool)
            let f = Int.random(in: 1...5, using: &image.rng), cin = Int.random(in: 1...3, using: &image.rng)
            let h = f * Int.random(in: 1...6, using: &image.rng), w = f * Int.random(in: 1...6, using: &image.rng)
            (i.inChannels, i.height, i.width, i.factor) = (UInt16(cin), UInt16(h), UInt16(w), UInt8(f))
            i.input = image.reserve(cin * h * w, unaligned: true)
            i.output = image.output(cin * (h / f) * (w / f), unaligned: true)
            image.add(i)
        }
        for _ in 0..<3 {
            var i = Instruction(opcode: .softmaxFlow)
            let cin = Int.random(in: 1...12, using: &image.rng)
            let h = Int.random(in: 1...10, using: &image.rng), w = Int.random(in: 1...10, using: &image.rng)
            (i.inChannels, i.height, i.width) = (UInt16(cin), UInt16(h), UInt16(w))
            i.input = image.reserve(cin * h * w, unaligned: true)
            i.weights = image.words((0..<256).map { _ in Int32.random(in: 1...65536, using: &image.rng) })
            i.bias = image.words((0..<(2 * cin)).map { _ in Int32.random(in: -(1 << 17)...(1 << 17), using: &image.rng) })
            i.output = image.output(8 * h * w, words: true)
            image.add(i)
        }
        for _ in 0..<2 {
            var i = Instruction(opcode: .lookup)
            let cin = Int.random(in: 1...3, using: &image.rng)
            let h = Int.random(in: 1...12, using: &image.rng), w = Int.random(in: 1...12, using: &image.rng)
            (i.inChannels, i.height, i.width) = (UInt16(cin), UInt16(h), UInt16(w))
            i.input = image.reserve(cin * h * w, unaligned: true)
            i.weights = image.words((0..<256).map { _ in Int32.random(in: Int32.min...Int32.max, using: &image.rng) })
            i.output = image.output(cin * h * w, unaligned: true)
            image.add(i)
        }
        for f in [1, 3, 4] {
            var i = Instruction(opcode: .upsampleFlow)
            let h = Int.random(in: 1...6, using: &image.rng), w = Int.random(in: 1...6, using: &image.rng)
            (i.height, i.width, i.factor) = (UInt16(h), UInt16(w), UInt8(f))
            i.input = image.words((0..<(2 * h * w)).map { _ in Int32.random(in: -(1 << 22)...(1 << 22), using: &image.rng) })
            i.output = image.output(8 * h * w * f * f, words: true)
            image.add(i)
        }
    }

    func testElementwiseEnginesMatchTheEmulator() throws {
        var image = Image(size: 1 << 18, descriptors: 16, seed: 3)
        elementwiseDescriptors(&image)
        let run = try assertSame(image, "keypoints, pooling, softmax flow, lookup, flow upsampling")
        XCTAssertEqual(run.status, 0, "all of them run")
        XCTAssertEqual(run.descriptorCycles.count, image.instructions.count)
    }

    /// One corruption per case: the RTL must refuse the same descriptor with the same STATUS,
    /// having run the ones before it and written nothing for it.
    func testBadDescriptorsAreRefusedLikeTheEmulator() throws {
        let corruptions: [(String, (inout Instruction, Int) -> Void)] = [
            ("empty map", { i, _ in i.height = 0 }),
            ("kernel size", { i, _ in if i.opcode == .convolution { i.factor = 5 } else { i.width = 0 } }),
            ("input past the end", { i, size in i.input = UInt32(size - 3) }),
            ("output past the end", { i, size in i.output = UInt32(size - 1) }),
            ("zero points misaligned", { i, _ in i.zeroPoints |= 2; if i.opcode == .lookup || i.opcode == .softmaxFlow { i.weights |= 1 } }),
            ("address far outside", { i, _ in i.input = 0xFFFF_FFF0 }),
        ]
        for (n, (what, corrupt)) in corruptions.enumerated() {
            var image = Image(size: 1 << 18, descriptors: 4, seed: 10 + UInt64(n))
            gridDescriptors(&image)
            image.instructions = Array(image.instructions.prefix(2))
            image.outputs = image.outputs.filter { $0.1 < 2 }
            var bad = image.instructions[1]
            corrupt(&bad, image.bytes.count)
            image.instructions[1] = bad
            let run = try assertSame(image, what)
            XCTAssertNotEqual(run.status, 0, "\(what): refused")
            XCTAssertEqual(run.failing, 1, "\(what): position")
        }
        // raw words: unknown opcode, unknown flag, reserved bits, word 15; and a descriptor outside memory
        for (n, (word, value)) in [(0, UInt32(9)), (0, UInt32(0)), (0, UInt32(4 | 3 << 16 | 0x10 << 8)), (0, UInt32(4 | 3 << 16 | 1 << 24)), (15, UInt32(1))].enumerated() {
            var image = Image(size: 1 << 18, descriptors: 4, seed: 30 + UInt64(n))
            convolution(&image, cin: 2, cout: 3, h: 4, w: 4, flags: [])
            convolution(&image, cin: 2, cout: 3, h: 4, w: 4, flags: [])
            var bytes = image.finished()
            withUnsafeBytes(of: value.littleEndian) { for b in 0..<4 { bytes[64 + 4 * word + b] = $0[b] } }
            let (expected, status, failing) = emulate(bytes, count: 2)
            let (actual, run) = try simulate(bytes, count: 2)
            XCTAssertEqual(status, 1, "raw word \(word) = \(value): the emulator refuses it")
            XCTAssertEqual(run.status, status, "raw word \(word) = \(value): STATUS")
            XCTAssertEqual(run.failing, failing, "raw word \(word) = \(value): position")
            XCTAssertTrue(actual == expected, "raw word \(word) = \(value): memory differs")
        }
        var image = Image(size: 1 << 16, descriptors: 1, seed: 40)
        convolution(&image, cin: 1, cout: 1, h: 2, w: 2, flags: [])
        let bytes = image.finished()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("agc-rtl-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let outside = try RTLHarness.run(binary: try harness(), ddr: path, descriptors: bytes.count - 32, count: 1)
        XCTAssertEqual(outside.status, 1, "a descriptor that does not fit the region is a bad descriptor")
    }

    /// The shipped model through the whole host path: `agc-fpga-sim serve --rtl` in another
    /// process, the unchanged driver (`DeviceRunner`, with a time-out long enough for a
    /// simulation) and the `IntegerDecoder`: the key stream and one rebuilt frame, byte for byte the
    /// emulator's, and the RTL's cycles per stream from the run log.
    func testWholeFrameThroughTheDriverAndTheRTLServedDevice() throws {
        let harness = try harness()
        let places = [Bundle(for: RTLCosimTests.self).bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL]
        guard let simulator = places.map({ $0.appendingPathComponent("agc-fpga-sim") })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("agc-fpga-sim is not built next to the tests")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agc-rtl-device-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let program = DeviceTests.program
        let device = folder.appendingPathComponent("device"), log = folder.appendingPathComponent("runs.jsonl")
        try SimulatedDevice.create(at: device, ddrSize: (program.memorySize + 4095) & ~4095)
        let server = Process()
        server.executableURL = simulator
        server.arguments = ["serve", device.path, "--rtl", "--rtl-harness", harness.path, "--rtl-log", log.path]
        let greeting = Pipe()
        server.standardOutput = greeting
        try server.run()
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }
        let first = String(decoding: greeting.fileHandleForReading.availableData, as: UTF8.self)
        XCTAssertTrue(first.hasPrefix("serving"), first)

        var clip = try DeviceTests.clip()
        clip.frames = [clip.frames[0]]
        let runner = try DeviceRunner(path: device.path, program: program, timeout: 1800)
        let output = try DeviceTests.decode(clip, with: IntegerDecoder(program: program, runner: runner))
        XCTAssertTrue(output.first == (try DeviceTests.expected())[0], "the frame the RTL rebuilt differs from the emulator's")
        let runs = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(runs.count, 2, "one key-stream run and one frame-stream run")
        for run in runs { print("RTL run: \(run)") }
        // The RTL's cycles per engine against the as-built model (PerformanceModelTests pins the
        // same comparison on recorded figures).
        let report = HardwareReport(program: program, config: .rtlAsBuilt)
        for (line, stream) in zip(runs, [report.keyFrame, report.frame]) {
            struct Logged: Decodable { var descriptor_cycles: [Int] }
            let cycles = try JSONDecoder().decode(Logged.self, from: Data(line.utf8)).descriptor_cycles
            XCTAssertEqual(cycles.count, stream.instructions.count)
            var measured: [String: Int] = [:], modelled: [String: Int] = [:]
            for (cost, c) in zip(stream.instructions, cycles) {
                measured[cost.engine, default: 0] += c
                modelled[cost.engine, default: 0] += cost.cycles
            }
            for (engine, c) in measured {
                XCTAssertEqual(Double(modelled[engine]!) / Double(c), 1, accuracy: 0.15, "\(engine): as-built model against the RTL")
            }
        }
    }
}
