import AGCKernels
import AGCModel
import Foundation
import XCTest
@testable import AGCFPGA

/// The device driver against simulated devices: the same bytes as the emulator through the
/// register protocol (in this process and from a separate `agc-fpga-sim` process), a time-out
/// on a device that never finishes, a bad descriptor reported by position, and clear refusals of
/// paths that are not devices.
final class DeviceTests: XCTestCase {
    static var program: Program { EmulatorTests.program }

    /// A key frame and the keypoints of two frames rebuilt from it.
    struct Clip {
        var keyFrame: [UInt8]
        var keyKeypoints: [SIMD2<Int32>]
        var frames: [[SIMD2<Int32>]]
    }

    /// The parity fixture's key frame, its driving keypoints and a jittered copy of them.
    static func clip() throws -> Clip {
        let golden = try EmulatorTests.golden()
        func keypoints(_ name: String) throws -> [SIMD2<Int32>] {
            let v = try golden.floats(name).values
            return (0..<(v.count / 2)).map { QuantizedModel.keypointUnits(Keypoint(v[2 * $0], v[2 * $0 + 1])) }
        }
        var rng = SplitMix64(seed: 7)
        let driving = try keypoints("kp_driving")
        let jittered = driving.map { $0 &+ SIMD2(Int32.random(in: -30...30, using: &rng), Int32.random(in: -30...30, using: &rng)) }
        return Clip(keyFrame: PlanarRGB.planes(try golden.bytes("source_u8")), keyKeypoints: try keypoints("kp_source"),
                    frames: [driving, jittered])
    }

    /// Sets the key frame and rebuilds every frame of `clip`.
    static func decode(_ clip: Clip, with decoder: IntegerDecoder) throws -> [[UInt8]] {
        try decoder.setKeyFrame(planes: clip.keyFrame, keypoints: clip.keyKeypoints)
        return try clip.frames.map { try decoder.rebuild(keypoints: $0) }
    }

    private static var emulatorOutput: [[UInt8]]?

    /// What the emulator rebuilds from `clip()` (computed once).
    static func expected() throws -> [[UInt8]] {
        if let emulatorOutput { return emulatorOutput }
        let output = try decode(try clip(), with: IntegerDecoder(program: program, runner: EmulatedAccelerator(program: program, threads: 2)))
        emulatorOutput = output
        return output
    }

    private var folder: URL!
    private var served: [SimulatedDevice] = []

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("agc-device-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        served.forEach { $0.stop() }
        served = []
        try FileManager.default.removeItem(at: folder)
    }

    /// A simulated device with room for the program, created in the test's folder and served on a
    /// background thread until the test ends; its path.
    func servedDevice(stall: Bool = false) throws -> String {
        let directory = folder.appendingPathComponent(stall ? "stalled" : "device")
        try SimulatedDevice.create(at: directory, ddrSize: Self.program.memorySize)
        let device = try SimulatedDevice(directory: directory, threads: 2, stall: stall)
        device.serve()
        served.append(device)
        return directory.path
    }

    func testDeviceRebuildsTheEmulatorsBytes() throws {
        let runner = try DeviceRunner(path: try servedDevice(), program: Self.program)
        let output = try Self.decode(try Self.clip(), with: IntegerDecoder(program: Self.program, runner: runner))
        let expected = try Self.expected()
        for (n, (got, want)) in zip(output, expected).enumerated() {
            XCTAssertTrue(got == want, "frame \(n): \(zip(got, want).filter { $0 != $1 }.count) bytes differ from the emulator")
        }
        XCTAssertEqual(output.count, expected.count)
        XCTAssertGreaterThan(runner.lastRunCycles, 0, "the device counts the cycles of a run")
    }

    func testStalledDeviceTimesOut() throws {
        let path = try servedDevice(stall: true)
        let runner = try DeviceRunner(path: path, program: Self.program, timeout: 0.3)
        let decoder = IntegerDecoder(program: Self.program, runner: runner)
        let clip = try Self.clip()
        let started = Date()
        XCTAssertThrowsError(try decoder.setKeyFrame(planes: clip.keyFrame, keypoints: clip.keyKeypoints)) { error in
            XCTAssertEqual(error as? AcceleratorError, .timeout(seconds: 0.3))
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertGreaterThanOrEqual(elapsed, 0.3)
        XCTAssertLessThan(elapsed, 1.5, "the time-out is kept")
        // The device still holds the run: the next one is refused rather than started over it.
        XCTAssertThrowsError(try runner.run(Self.program.frameStream)) { error in
            guard case let .device(named, why)? = error as? AcceleratorError else { return XCTFail("\(error)") }
            XCTAssertEqual(named, path)
            XCTAssertTrue(why.contains("busy"), why)
        }
    }

    func testBadDescriptorIsReportedByIndexAndTheDeviceRecovers() throws {
        let runner = try DeviceRunner(path: try servedDevice(), program: Self.program)
        let decoder = IntegerDecoder(program: Self.program, runner: runner)
        let clip = try Self.clip()
        let index = Self.program.frameStream.lowerBound + 2
        let address = Program.descriptorAddress(index)
        let word = runner.memory.load(fromByteOffset: address, as: UInt32.self)
        runner.memory.storeBytes(of: word & ~0xFF | 0xEE, toByteOffset: address, as: UInt32.self)

        try decoder.setKeyFrame(planes: clip.keyFrame, keypoints: clip.keyKeypoints)
        XCTAssertThrowsError(try decoder.rebuild(keypoints: clip.frames[0])) { error in
            guard case let .badDescriptor(at, why)? = error as? AcceleratorError else { return XCTFail("\(error)") }
            XCTAssertEqual(at, address)
            XCTAssertTrue(why.contains("descriptor \(index)"), why)
        }

        runner.memory.storeBytes(of: word, toByteOffset: address, as: UInt32.self)
        let output = try decoder.rebuild(keypoints: clip.frames[0])
        XCTAssertTrue(output == (try Self.expected())[0], "after the descriptor is restored the device rebuilds the frame")
    }

    /// Asserts that opening `path` fails with a device error that names it and says `words`.
    func assertRefused(_ path: String, saying words: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try DeviceRunner(path: path, program: Self.program), file: file, line: line) { error in
            guard case let .device(named, why)? = error as? AcceleratorError else {
                return XCTFail("not a device error: \(error)", file: file, line: line)
            }
            XCTAssertEqual(named, path, file: file, line: line)
            XCTAssertTrue(why.contains(words), "\"\(why)\" does not say \"\(words)\"", file: file, line: line)
            XCTAssertTrue("\(error)".hasPrefix(path), file: file, line: line)
        }
    }

    func testWhatIsNotADeviceIsRefusedClearly() throws {
        assertRefused(folder.appendingPathComponent("missing").path, saying: "No such file or directory")

        let plain = folder.appendingPathComponent("plain.bin")
        try Data([1, 2, 3]).write(to: plain)
        assertRefused(plain.path, saying: "a regular file, not a UIO device")

        if FileManager.default.fileExists(atPath: "/sys/class") {
            assertRefused("/dev/null", saying: "not a UIO device")
        }

        let empty = folder.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: false)
        assertRefused(empty.path, saying: "no 'regs' file")

        let small = folder.appendingPathComponent("small")
        try SimulatedDevice.create(at: small, ddrSize: Self.program.memorySize / 2)
        assertRefused(small.path, saying: "the program needs \(Self.program.memorySize)")

        let foreign = folder.appendingPathComponent("foreign")
        try SimulatedDevice.create(at: foreign, ddrSize: Self.program.memorySize)
        let registers = try FileHandle(forWritingTo: foreign.appendingPathComponent("regs"))
        try registers.seek(toOffset: UInt64(RegisterMap.ipIdentification))
        registers.write(Data("XYZ0".utf8))
        try registers.close()
        assertRefused(foreign.path, saying: "not an AGC accelerator")
    }

    /// The built `agc-fpga-sim`, next to the test bundle.
    func simulatorBinary() throws -> URL {
        let places = [Bundle(for: DeviceTests.self).bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL,
                      Bundle.main.bundleURL.deletingLastPathComponent()]
        for place in places {
            let binary = place.appendingPathComponent("agc-fpga-sim")
            if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
        }
        throw XCTSkip("agc-fpga-sim is not built next to the tests (looked in \(places.map(\.path)))")
    }

    /// Runs `binary` with `arguments`; its standard output once it has written a line (or ended).
    func launch(_ binary: URL, _ arguments: [String]) throws -> (Process, String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let line = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var text = ""
        DispatchQueue.global().async {
            text = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
            line.signal()
        }
        guard line.wait(timeout: .now() + 20) == .success else {
            process.terminate()
            throw XCTSkip("agc-fpga-sim \(arguments.joined(separator: " ")) wrote nothing within 20 s")
        }
        return (process, text)
    }

    func testSimulatorInAnotherProcess() throws {
        let binary = try simulatorBinary()
        let path = folder.appendingPathComponent("process").path
        let megabytes = (Self.program.memorySize + (1 << 20) - 1) >> 20
        let (creator, created) = try launch(binary, ["create", path, "--ddr-mb", "\(megabytes)"])
        creator.waitUntilExit()
        XCTAssertEqual(creator.terminationStatus, 0, created)

        let (server, greeting) = try launch(binary, ["serve", path, "--threads", "2"])
        XCTAssertTrue(greeting.hasPrefix("serving"), greeting)
        let output: [[UInt8]]
        do {
            let runner = try DeviceRunner(path: path, program: Self.program)
            var clip = try Self.clip()
            clip.frames = [clip.frames[0]]
            output = try Self.decode(clip, with: IntegerDecoder(program: Self.program, runner: runner))
        } catch {
            server.terminate()
            throw error
        }
        server.terminate()
        server.waitUntilExit()
        XCTAssertEqual(server.terminationStatus, 0, "SIGTERM ends serving cleanly")
        XCTAssertTrue(output.first == (try Self.expected())[0], "the frame rebuilt in another process differs from the emulator's")
    }
}
