import XCTest
@testable import AGCKernels

/// Every optimised kernel against its scalar reference on random shapes and data (the checkasm way).
final class KernelParityTests: XCTestCase {
    var rng = SplitMix64(seed: 0x5eed)

    func randomTensor(_ c: Int, _ h: Int, _ w: Int, scale: Float = 1) -> Tensor {
        Tensor(channels: c, height: h, width: w, data: (0..<(c * h * w)).map { _ in rng.nextFloat(in: -scale...scale) })
    }

    func assertClose(_ a: [Float], _ b: [Float], tolerance: Float, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        var worst: Float = 0
        for i in a.indices { worst = max(worst, abs(a[i] - b[i])) }
        XCTAssertLessThanOrEqual(worst, tolerance, "max abs difference", file: file, line: line)
    }

    func testConvolutionOptimizedMatchesReference() {
        // Shapes cover: output channels not a multiple of 4 (every register block of the 3x3
        // kernels: 1-8 channels, 1-4 vectors and ragged ends), widths below and above the SIMD
        // width, a 1x1 and a 5x5 kernel.
        let cases = [(3, 16, 9, 3, 20), (8, 3, 4, 3, 4), (7, 5, 33, 1, 7), (4, 11, 16, 5, 12), (16, 32, 8, 3, 8), (5, 9, 70, 3, 6),
                     (6, 8, 64, 3, 6), (5, 7, 100, 3, 4), (3, 1, 80, 3, 4), (2, 6, 48, 3, 4), (4, 2, 130, 3, 2)]
        for (cin, cout, w, k, h) in cases {
            let conv = Convolution(
                outChannels: cout, inChannels: cin, kernelSize: k,
                weights: (0..<(cout * cin * k * k)).map { _ in rng.nextFloat(in: -0.5...0.5) },
                bias: (0..<cout).map { _ in rng.nextFloat(in: -0.5...0.5) })
            let x = randomTensor(cin, h, w)
            for relu in [false, true] {
                let ref = conv.reference(x, relu: relu)
                for isa in KernelISA.supported {
                    let opt = conv.optimized(x, relu: relu, isa: isa)
                    XCTAssertEqual([opt.channels, opt.height, opt.width], [cout, h, w])
                    assertClose(opt.data, ref.data, tolerance: 1e-4)
                }
                // The 2x upsampling folded into the padded copy.
                let upRef = conv.reference(Resampling.upsampleNearest2x(x), relu: relu)
                assertClose(conv.optimized(x, relu: relu, upsampleInput: true).data, upRef.data, tolerance: 1e-4)
                // The 2x2 average pooling of the output, fused.
                if h % 2 == 0 && w % 2 == 0 {
                    let pooledRef = Resampling.averagePool(ref, factor: 2)
                    for isa in KernelISA.supported {
                        let pooled = conv.optimized(x, relu: relu, poolOutput: true, isa: isa)
                        XCTAssertEqual([pooled.channels, pooled.height, pooled.width], [cout, h / 2, w / 2])
                        assertClose(pooled.data, pooledRef.data, tolerance: 1e-4)
                    }
                }
            }
        }
    }

    func testGridSampleOptimizedMatchesReference() {
        let x = randomTensor(5, 13, 17)
        // Several 256-pixel chunks and a ragged end; every instruction set this CPU runs.
        for (oh, ow) in [(13, 17), (8, 24), (41, 60)] {
            // Positions inside, on the border and well outside the input, and far away.
            var grid = (0..<(oh * ow * 2)).map { _ in rng.nextFloat(in: -1.3...1.3) }
            grid[0] = 1e9
            grid[3] = -1e9
            let ref = GridSample.reference(x, grid: grid, height: oh, width: ow)
            for isa in KernelISA.supported {
                assertClose(GridSample.optimized(x, grid: grid, height: oh, width: ow, isa: isa).data, ref.data, tolerance: 1e-5)
            }
        }
    }

    func testGridSampleIdentityIsExact() {
        // With a power-of-two size the pixel-centre coordinates are exact in binary floating point.
        let n = 16
        let x = randomTensor(3, n, n)
        var grid = [Float]()
        for y in 0..<n {
            for xx in 0..<n { grid += [Float(2 * xx + 1) / Float(n) - 1, Float(2 * y + 1) / Float(n) - 1] }
        }
        XCTAssertTrue(GridSample.optimized(x, grid: grid, height: n, width: n).data == x.data)
        XCTAssertTrue(GridSample.reference(x, grid: grid, height: n, width: n).data == x.data)
    }

    func testResamplingEdges() {
        let x = Tensor(channels: 1, height: 2, width: 2, data: [0, 1, 2, 3])
        // PyTorch: F.interpolate(x, size=4, mode="bilinear", align_corners=False)
        let up = Resampling.resizeBilinear(x, height: 4, width: 4)
        XCTAssertEqual(up.data, [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3])
        XCTAssertEqual(Resampling.upsampleNearest2x(x).data, [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3])
        XCTAssertEqual(Resampling.averagePool(up, factor: 2).data, [0.375, 1.125, 1.875, 2.625])
    }

    func testSoftmaxSumsToOne() {
        let x = randomTensor(6, 4, 4, scale: 20)
        let s = Activations.softmaxChannels(x)
        for p in 0..<16 {
            XCTAssertEqual((0..<6).reduce(Float(0)) { $0 + s.data[$1 * 16 + p] }, 1, accuracy: 1e-5)
        }
    }
}
