import AGCKernels
import XCTest
@testable import AGCFPGA

/// The element-wise and pooling engines' optimised kernels (`ElementwiseKernels`) against their
/// definitions (`ElementwiseArithmetic`, `QTensor.averagePooled`): bit for bit on random data,
/// on every instruction set this CPU runs, with one and two threads.
final class ElementwiseKernelTests: XCTestCase {
    var rng = SplitMix64(seed: 0xe1e)

    func testKeypointHeat() {
        let (k, units) = (5, 256)
        let table = (0..<(2 * units + 1)).map { Int32(32768 * exp(-Double($0 * $0) / 2000)) }
        for r in [64, 16] {
            // Inside the frame, on its edges and far outside.
            let points = (0..<(2 * k)).map { _ in SIMD2(Int32.random(in: -700...700, using: &rng), Int32.random(in: -300...300, using: &rng)) }
            let (source, driving) = (Array(points[..<k]), Array(points[k...]))
            var heat = [UInt8](repeating: 0, count: (k + 1) * r * r), shifts = [Int32](repeating: 0, count: 2 * (k + 1))
            ElementwiseArithmetic.keypointHeat(source: source, driving: driving, units: units, size: r, table: table,
                                               tableCount: table.count, multiplier: 1_518_500_250, shift: -6, zeroPoint: 120,
                                               heat: &heat, shifts: &shifts)
            XCTAssertGreaterThan(Set(heat).count, 10)
            for isa in KernelISA.supported {
                for threads in [1, 2] {
                    var got = [UInt8](repeating: 7, count: heat.count), gotShifts = [Int32](repeating: 7, count: shifts.count)
                    ElementwiseKernels.keypointHeat(source: source, driving: driving, units: units, size: r, table: table,
                                                    tableCount: table.count, multiplier: 1_518_500_250, shift: -6, zeroPoint: 120,
                                                    heat: &got, shifts: &gotShifts, threads: threads, isa: isa)
                    XCTAssertEqual(got, heat, "keypoint heat \(r), \(isa), \(threads) threads")
                    XCTAssertEqual(gotShifts, shifts)
                }
            }
        }
    }

    func testSoftmaxFlow() {
        let (channels, n) = (11, 64 * 64 + 37)
        let logits = (0..<(channels * n)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let table = (0..<256).map { Int32(65536 * exp(-Double($0) / 20)) }
        let shifts = (0..<(2 * channels)).map { _ in Int32.random(in: -(1 << 17)...(1 << 17), using: &rng) }
        var want = [Int32](repeating: 0, count: 2 * n)
        ElementwiseArithmetic.softmaxFlow(logits: logits, channels: channels, count: n, table: table, shifts: shifts, flow: &want)
        for isa in KernelISA.supported {
            for threads in [1, 2] {
                var got = [Int32](repeating: 0, count: 2 * n)
                ElementwiseKernels.softmaxFlow(logits: logits, channels: channels, count: n, table: table, shifts: shifts, flow: &got,
                                               threads: threads, isa: isa)
                XCTAssertEqual(got, want, "softmax flow, \(isa), \(threads) threads")
            }
        }
    }

    func testLookup() {
        let input = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let table = (0..<256).map { _ in Int32.random(in: 0...255, using: &rng) }
        var want = [UInt8](repeating: 0, count: input.count)
        ElementwiseArithmetic.lookup(input: input, count: input.count, table: table, output: &want)
        for isa in KernelISA.supported {
            var got = [UInt8](repeating: 0, count: input.count)
            ElementwiseKernels.lookup(input: input, count: input.count, table: table, output: &got, isa: isa)
            XCTAssertEqual(got, want, "lookup, \(isa)")
        }
    }

    func testUpsampleFlow() {
        // Factor 4 (a power of two: the shift path) and 3 (the division path); odd sizes.
        for (h, w, f) in [(16, 16, 4), (7, 9, 3), (5, 6, 2), (1, 3, 4)] {
            let input = (0..<(2 * h * w)).map { _ in Int32.random(in: -(1 << 30)...(1 << 30), using: &rng) }
            var want = [Int32](repeating: 0, count: 2 * h * w * f * f)
            ElementwiseArithmetic.upsampleFlow(input: input, height: h, width: w, factor: f, output: &want)
            for isa in KernelISA.supported {
                for threads in [1, 2] {
                    var got = [Int32](repeating: 0, count: want.count)
                    ElementwiseKernels.upsampleFlow(input: input, height: h, width: w, factor: f, output: &got, threads: threads, isa: isa)
                    XCTAssertEqual(got, want, "upsample flow \(h)x\(w) x\(f), \(isa), \(threads) threads")
                }
            }
        }
    }

    func testAveragePool() {
        for (c, h, w, f) in [(3, 256, 256, 4), (5, 6, 9, 3), (2, 8, 8, 2)] {
            let x = QTensor(channels: c, height: h, width: w, zeroPoint: 0,
                            data: (0..<(c * h * w)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            let want = x.averagePooled(f)
            for isa in KernelISA.supported {
                for threads in [1, 2] {
                    var got = [UInt8](repeating: 0, count: want.data.count)
                    ElementwiseKernels.averagePool(x.data, channels: c, height: h, width: w, factor: f, output: &got,
                                                   threads: threads, isa: isa)
                    XCTAssertEqual(got, want.data, "average pool \(c)x\(h)x\(w) /\(f), \(isa), \(threads) threads")
                }
            }
        }
    }
}
