import AGCKernels
import AGCModel
import Foundation
import XCTest
@testable import AGCFPGA

/// The emulator against the plain scalar reference of the quantized network: bit for bit, on a
/// real frame and on synthetic ones, with one and two threads, with its optimised kernels and
/// with the reference kernels.
final class EmulatorTests: XCTestCase {
    static let model = try! QuantizedModel.bundled()
    static let program = try! Compiler.compile(model)

    /// The parity fixture of the float model: a validation frame pair and its keypoints.
    static func golden() throws -> SafeTensors {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../AGCModelTests/Fixtures/golden.safetensors").standardized
        return try SafeTensors(contentsOf: url)
    }

    struct Case {
        var source: [UInt8]
        var kpSource: [SIMD2<Int32>]
        var kpDriving: [SIMD2<Int32>]
    }

    func cases() throws -> [Case] {
        let golden = try Self.golden()
        let source = PlanarRGB.planes(try golden.bytes("source_u8"))
        func kps(_ name: String) throws -> [SIMD2<Int32>] {
            let v = try golden.floats(name).values
            return (0..<(v.count / 2)).map { QuantizedModel.keypointUnits(Keypoint(v[2 * $0], v[2 * $0 + 1])) }
        }
        let kpSource = try kps("kp_source"), kpDriving = try kps("kp_driving")
        var rng = SplitMix64(seed: 41)
        let noise = (0..<source.count).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let jitter = kpSource.map { $0 &+ SIMD2(Int32.random(in: -40...40, using: &rng), Int32.random(in: -40...40, using: &rng)) }
        let extreme = kpSource.map { _ in SIMD2(Int32.random(in: -512...512, using: &rng), Int32.random(in: -512...512, using: &rng)) }
        return [Case(source: source, kpSource: kpSource, kpDriving: kpDriving),
                Case(source: source, kpSource: kpSource, kpDriving: kpSource),
                Case(source: noise, kpSource: kpSource, kpDriving: jitter),
                Case(source: source.reversed(), kpSource: kpDriving, kpDriving: extreme)]
    }

    func testEmulatorMatchesTheScalarReferenceBitForBit() throws {
        let reference = ReferenceDecoder(model: Self.model)
        let decoders = [(1, KernelChoice.optimized), (2, .optimized), (1, .reference)].map {
            IntegerDecoder(program: Self.program, runner: EmulatedAccelerator(program: Self.program, threads: $0, kernels: $1))
        }
        for (n, c) in try cases().enumerated() {
            let expected = reference.decode(source: c.source, keypointsSource: c.kpSource, keypointsDriving: c.kpDriving)
            for decoder in decoders {
                try decoder.setKeyFrame(planes: c.source, keypoints: c.kpSource)
                let out = try decoder.rebuild(keypoints: c.kpDriving)
                let executor = (decoder.runner as! EmulatedAccelerator).executor
                XCTAssertTrue(out == expected, "case \(n), \(executor.threads) thread(s), \(executor.kernels) kernels: the emulator differs from the reference in "
                              + "\(zip(out, expected).filter { $0 != $1 }.count) bytes; first differing tensors: "
                              + firstDifferences(decoder, reference.trace(source: c.source, keypointsSource: c.kpSource,
                                                                          keypointsDriving: c.kpDriving)))
            }
        }
    }

    /// The tensors whose bytes in the emulator's memory differ from the reference's, in graph order.
    func firstDifferences(_ decoder: IntegerDecoder, _ trace: ReferenceDecoder.Trace) -> String {
        let memory = decoder.runner.memory
        var names: [String] = []
        for op in Self.model.graph.ops {
            for name in op.outputs {
                guard let region = decoder.program.placement(of: name) else { continue }
                let got = [UInt8](UnsafeRawBufferPointer(rebasing: memory[region.address..<(region.address + region.bytes)]))
                let want: [UInt8]
                if let map = trace.maps[name] { want = map.data } else if let field = trace.fields[name] {
                    want = field.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: UInt32(bitPattern: v) >> (8 * $0)) } }
                } else { continue }
                if got != want { names.append("\(name) (\(zip(got, want).filter { $0 != $1 }.count) bytes)") }
            }
        }
        return names.prefix(4).joined(separator: ", ")
    }

    func testNoMotionGivesTheKeyFrameBack() throws {
        let c = try cases()[1]
        let decoder = IntegerDecoder(program: Self.program, runner: EmulatedAccelerator(program: Self.program, threads: 2))
        try decoder.setKeyFrame(planes: c.source, keypoints: c.kpSource)
        let out = try decoder.rebuild(keypoints: c.kpSource)
        // The warp is the identity; the correction is small but not forced to zero.
        let mse = zip(out, c.source).reduce(0.0) { $0 + pow(Double($1.0) - Double($1.1), 2) } / Double(out.count)
        XCTAssertGreaterThan(10 * log10(255 * 255 / max(mse, 1e-9)), 30)
    }

    func testInt8FollowsTheFloatNetwork() throws {
        let golden = try Self.golden()
        let c = try cases()[0]
        let decoder = IntegerDecoder(program: Self.program, runner: EmulatedAccelerator(program: Self.program, threads: 2))
        try decoder.setKeyFrame(planes: c.source, keypoints: c.kpSource)
        let out = try decoder.rebuild(keypoints: c.kpDriving)
        let float = try golden.floats("output").values.map { UInt8(min(max($0, 0), 1) * 255 + 0.5) }
        let mse = zip(out, float).reduce(0.0) { $0 + pow(Double($1.0) - Double($1.1), 2) } / Double(out.count)
        let psnr = 10 * log10(255 * 255 / max(mse, 1e-9))
        print("INT8 against float on the fixture frame: \(String(format: "%.2f", psnr)) dB")
        XCTAssertGreaterThan(psnr, 30)
    }
}
