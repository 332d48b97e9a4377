import CAGCKernels
import XCTest
@testable import AGCKernels

/// The INT8 convolution: optimised equals reference bit for bit; the fixed-point rules.
final class QuantizedKernelTests: XCTestCase {
    var rng = SplitMix64(seed: 0x1a7)

    func testFixedPointRounding() {
        // Round half away from zero.
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(5, 1), 3)
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(-5, 1), -3)
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(4, 1), 2)
        XCTAssertEqual(FixedPoint.roundingDivideByPOT(-7, 2), -2)
        XCTAssertEqual(FixedPoint.saturatingRoundingDoublingHighMul(Int32.min, Int32.min), Int32.max)
        XCTAssertEqual(FixedPoint.saturatingRoundingDoublingHighMul(1 << 30, 1 << 30), 1 << 29)
        // A multiplier of 0.75 * 2^-3 applied to 1000: 93.75 -> 94.
        let (m, s) = FixedPoint.quantizeMultiplier(0.75 / 8)
        XCTAssertEqual(s, -3)
        XCTAssertEqual(FixedPoint.multiply(1000, multiplier: m, shift: s), 94)
        XCTAssertEqual(FixedPoint.multiply(-1000, multiplier: m, shift: s), -94)
        // Scales above one shift left.
        let (m2, s2) = FixedPoint.quantizeMultiplier(3.0)
        XCTAssertEqual(FixedPoint.multiply(7, multiplier: m2, shift: s2), 21)
    }

    func testTheCOutputStageRoundsAsFixedPoint() {
        // The vector kernels' output stage (C) and FixedPoint (Swift): the same rule, bit for bit,
        // on random values and on the edges (INT32_MIN, saturation, ties, large shifts).
        var cases: [(Int32, Int32, Int32)] = [(Int32.min, Int32.min, 0), (Int32.min, 1 << 30, -1), (Int32.max, Int32.max, 0),
                                              (-5, 1 << 30, -1), (5, 1 << 30, -1), (7, 1 << 30, 3), (-1, 1 << 30, -31)]
        for _ in 0..<20000 {
            let scale = Double.random(in: 1e-7...300, using: &rng)
            let (m, s) = FixedPoint.quantizeMultiplier(scale)
            cases.append((Int32.random(in: -3_000_000...3_000_000, using: &rng), m, s))
        }
        for (x, m, s) in cases {
            XCTAssertEqual(agc_fixed_multiply(x, m, s), FixedPoint.multiply(x, multiplier: m, shift: s), "\(x) x \(m) x 2^\(s)")
        }
        // The vector version of every instruction set, on blocks sharing one multiplier.
        for isa in KernelISA.supported {
            for (_, m, s) in cases.prefix(400) {
                let xs = cases.prefix(37).map(\.0) + (0..<40).map { _ in Int32.random(in: Int32.min...Int32.max, using: &rng) }
                var out = [Int32](repeating: 0, count: xs.count)
                agc_fixed_multiply_array(isa.cValue, xs, Int32(xs.count), m, s, &out)
                XCTAssertEqual(out, xs.map { FixedPoint.multiply($0, multiplier: m, shift: s) }, "\(isa), \(m) x 2^\(s)")
            }
        }
    }

    func testMultiplierMatchesRealArithmetic() {
        for _ in 0..<2000 {
            let scale = Double.random(in: 1e-5...4, using: &rng)
            let (m, s) = FixedPoint.quantizeMultiplier(scale)
            let x = Int32.random(in: -1_000_000...1_000_000, using: &rng)
            let exact = Double(x) * scale
            // Two roundings (the high product, then the power of two): within one unit of exact.
            XCTAssertLessThanOrEqual(abs(Double(FixedPoint.multiply(x, multiplier: m, shift: s)) - exact),
                                     1 + 1e-6 * abs(exact))
        }
    }

    func testInstructionSetsAreDetected() {
        XCTAssertTrue(KernelISA.portable.isSupported)
        XCTAssertTrue(KernelISA.current.isSupported)
        print("INT8 kernels: \(KernelISA.supported.map(\.rawValue).joined(separator: ", ")); running \(KernelISA.current)")
    }

    func testOptimizedConvolutionIsBitExact() {
        // (in, out, height, width, kernel, relu, upsample, pool, residual): every fused stage, odd
        // sizes, channel counts that are not multiples of the four-channel block.
        let shapes: [(Int, Int, Int, Int, Int, Bool, Bool, Bool, Bool)] = [
            (3, 5, 7, 9, 3, true, false, false, false), (4, 3, 16, 12, 3, false, false, false, false),
            (2, 6, 5, 17, 3, true, false, false, false), (3, 2, 9, 8, 3, false, false, false, false),
            (5, 7, 8, 10, 3, true, false, true, false), (6, 4, 5, 9, 3, true, true, false, false),
            (4, 9, 6, 20, 3, false, false, false, true), (3, 5, 4, 6, 3, true, true, true, false),
            (8, 8, 18, 33, 3, false, true, false, true), (44, 32, 24, 40, 3, true, false, true, false)]
        for (cin, cout, h, w, k, relu, upsample, pool, withResidual) in shapes {
            let weights = (0..<(cout * cin * k * k)).map { _ in Int8.random(in: -127...127, using: &rng) }
            let bias = (0..<cout).map { _ in Int32.random(in: -5000...5000, using: &rng) }
            let scales = (0..<cout).map { _ in FixedPoint.quantizeMultiplier(Double.random(in: 0.0005...0.02, using: &rng)) }
            let rescale = (0..<cout).map { _ in FixedPoint.quantizeMultiplier(Double.random(in: 0.5...300, using: &rng)) }
            let outZero: Int32 = relu ? 0 : 128
            let conv = QuantizedConvolution(
                outChannels: cout, inChannels: cin, kernelSize: k, weights: weights, bias: bias,
                requantization: Requantization(multiplier: scales.map(\.multiplier), shift: scales.map(\.shift),
                                               outputZeroPoint: outZero, minimum: relu ? outZero : 0),
                upsampleInput: upsample, poolOutput: pool,
                residual: withResidual ? ResidualAdd(multiplier: rescale.map(\.multiplier), shift: rescale.map(\.shift)) : nil)
            // Each input channel its own zero point, as in a concatenation.
            let x = QTensor(channels: cin, height: h, width: w,
                            zeroPoints: (0..<cin).map { _ in Int32.random(in: 0...255, using: &rng) },
                            data: (0..<(cin * h * w)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            let (rh, rw) = upsample ? (2 * h, 2 * w) : (h, w)
            let residual = withResidual
                ? QTensor(channels: cout, height: rh, width: rw, zeroPoints: (0..<cout).map { _ in Int32.random(in: 0...255, using: &rng) },
                          data: (0..<(cout * rh * rw)).map { _ in UInt8.random(in: 0...255, using: &rng) })
                : nil
            let ref = conv.reference(x, residual: residual)
            // Every instruction set this CPU runs, with one and two threads.
            for isa in KernelISA.supported {
                for threads in [1, 2] {
                    let opt = conv.optimized(x, residual: residual, threads: threads, isa: isa)
                    XCTAssertTrue(ref == opt, "optimised INT8 convolution differs from the reference (\(cin)x\(cout) "
                                  + "up \(upsample) pool \(pool) residual \(withResidual), \(isa), \(threads) threads)")
                }
            }
            XCTAssertTrue(Set(ref.data).count > 2, "outputs should not be saturated constants")
        }
    }

    func testQuantizedGridSampleIsBitExactAndFollowsTheFloatOne() {
        let (c, h, w) = (4, 11, 13)
        let zp: Int32 = 100
        let x = QTensor(channels: c, height: h, width: w, zeroPoint: zp,
                        data: (0..<(c * h * w)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        let (oh, ow) = (9, 10)
        let grid = (0..<(2 * oh * ow)).map { _ in Float.random(in: -1.2...1.2, using: &rng) }
        let positions = grid.enumerated().map { QuantizedGridSample.fixedPosition($1, size: $0 % 2 == 0 ? w : h) }
        let ref = QuantizedGridSample.reference(x, positions: positions, height: oh, width: ow)
        XCTAssertTrue(ref == QuantizedGridSample.optimized(x, positions: positions, height: oh, width: ow))
        // With the mask stage and per-channel zero points.
        let mask = (0..<(oh * ow)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var y = x
        y.zeroPoints = (0..<c).map { _ in Int32.random(in: 0...255, using: &rng) }
        XCTAssertTrue(QuantizedGridSample.reference(y, positions: positions, height: oh, width: ow, mask: mask)
                      == QuantizedGridSample.optimized(y, positions: positions, height: oh, width: ow, mask: mask, threads: 2))
        // Against float sampling of the dequantized map: within about one step of 8-bit rounding.
        let real = Tensor(channels: c, height: h, width: w, data: x.data.map { Float(Int32($0) - zp) })
        let float = GridSample.reference(real, grid: grid, height: oh, width: ow)
        for i in float.data.indices {
            XCTAssertLessThanOrEqual(abs(float.data[i] + Float(zp) - Float(ref.data[i])), 2.0, "sample \(i)")
        }
    }

    func testGridSampleKernelsAreBitExactOnEveryInstructionSet() {
        // (channels, in h, in w, out h, out w): several 256-pixel chunks with a ragged end, a
        // single row and column, a 2x2 map; positions inside, on the borders and far outside.
        let shapes = [(5, 19, 23, 21, 37), (3, 1, 7, 4, 5), (2, 6, 1, 3, 3), (4, 2, 2, 5, 5), (7, 64, 64, 17, 29)]
        for (c, h, w, oh, ow) in shapes {
            let x = QTensor(channels: c, height: h, width: w, zeroPoints: (0..<c).map { _ in Int32.random(in: 0...255, using: &rng) },
                            data: (0..<(c * h * w)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            let positions: [Int32] = (0..<(2 * oh * ow)).map { i in
                let size = i % 2 == 0 ? w : h
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: return Int32.random(in: -(1 << 30)...(1 << 30), using: &rng)        // anywhere
                case 1: return Int32(Int.random(in: -2...size + 1, using: &rng) << 16)      // whole pixels near the edges
                default: return Int32.random(in: -(2 << 16)...Int32((size + 1) << 16), using: &rng)
                }
            }
            let mask = (0..<(oh * ow)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            for m in [nil, mask] {
                let ref = QuantizedGridSample.reference(x, positions: positions, height: oh, width: ow, mask: m)
                for isa in KernelISA.supported {
                    for threads in [1, 2] {
                        let opt = QuantizedGridSample.optimized(x, positions: positions, height: oh, width: ow, mask: m,
                                                                threads: threads, isa: isa)
                        XCTAssertTrue(ref == opt, "grid sample \(c)x\(h)x\(w) -> \(oh)x\(ow) mask \(m != nil), \(isa), \(threads) threads")
                    }
                }
            }
        }
    }

    func testGridPositionsInCMatchTheDefinition() {
        let (h, w) = (13, 24)
        let flow = (0..<(2 * h * w)).map { _ in Int32.random(in: -(3 << 16)...(3 << 16), using: &rng) }
        var fromFlow = [Int32](repeating: 0, count: 2 * h * w), shifted = fromFlow
        flow.withUnsafeBufferPointer { f in
            fromFlow.withUnsafeMutableBufferPointer { QuantizedGridSample.positions(flow: f.baseAddress!, height: h, width: w, into: $0.baseAddress!, threads: 2) }
            XCTAssertEqual(fromFlow, QuantizedGridSample.positions(flow: f.baseAddress!, height: h, width: w))
        }
        for (sx, sy) in [(Int32(12345), Int32(-70000)), (Int32.max, Int32.min)] {
            shifted.withUnsafeMutableBufferPointer { QuantizedGridSample.positions(shiftX: sx, shiftY: sy, height: h, width: w, into: $0.baseAddress!) }
            XCTAssertEqual(shifted, QuantizedGridSample.positions(shiftX: sx, shiftY: sy, height: h, width: w))
        }
    }
}
