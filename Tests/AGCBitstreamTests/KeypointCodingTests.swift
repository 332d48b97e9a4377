import AGCBitstream
import XCTest

final class KeypointCodingTests: XCTestCase {
    func testQuantizer() throws {
        let quantizer = try KeypointQuantizer(stepDenominator: 256)
        XCTAssertEqual(quantizer.quantize(0.5), 128)
        XCTAssertEqual(quantizer.quantize(-1.0), -256)
        XCTAssertEqual(quantizer.quantize(1.0 / 512), 1, "half a step rounds away from zero")
        XCTAssertEqual(quantizer.quantize(-1.0 / 512), -1)
        XCTAssertEqual(quantizer.quantize(7), 512, "clamped to 2.0")
        XCTAssertEqual(quantizer.quantize(-.infinity), -512)
        XCTAssertEqual(quantizer.quantize(.nan), 0)
        XCTAssertEqual(quantizer.dequantize(128), 0.5)
        XCTAssertEqual(quantizer.quantize(flat: [0.25, -0.25, 9]), [QuantizedKeypoint(x: 64, y: -64)])
        XCTAssertEqual(quantizer.dequantize(flat: [QuantizedKeypoint(x: 64, y: -64)]), [0.25, -0.25])
        XCTAssertThrowsError(try KeypointQuantizer(stepDenominator: 0))
        XCTAssertThrowsError(try KeypointQuantizer(stepDenominator: 1 << 21))
        for value in stride(from: Float(-1), through: 1, by: 0.013) {
            XCTAssertLessThanOrEqual(abs(quantizer.dequantize(quantizer.quantize(value)) - value), 1.0 / 512 + 1e-6)
        }
    }

    /// Decoded keypoints equal the quantized ones exactly, over many frames and several runs,
    /// with repeat frames, the predictor carried from run to run.
    func testRoundTripAcrossRuns() throws {
        var rng = SeededGenerator(seed: 7)
        let quantizer = try KeypointQuantizer(stepDenominator: Synthetic.stepDenominator)
        let keyFramePoints = Synthetic.keypoints(rng: &rng)
        var encodePredictor = keyFramePoints
        var decodePredictor = keyFramePoints
        for runIndex in 0..<20 {
            let sigma = [0.3, 1, 4, 40][runIndex % 4]
            let frames = Synthetic.frames(count: 30, start: encodePredictor, sigma: sigma, repeatEvery: 5, rng: &rng)
            if case .generated(let last, _)? = frames.last(where: { $0 != .repeatKeyFrame }) { encodePredictor = last }
            let run = try KeypointRun(firstFrame: runIndex * 30, frames: frames, predictor: decodePredictor)
            let decoded = try run.decode(quantizer: quantizer, predictor: decodePredictor)
            XCTAssertEqual(decoded.frames, frames)
            XCTAssertEqual(decoded.predictor, encodePredictor)
            decodePredictor = decoded.predictor
        }
        // Extreme values round trip too.
        let extremes = [QuantizedKeypoint](repeating: QuantizedKeypoint(x: 512, y: -512), count: 10)
        let start = [QuantizedKeypoint](repeating: QuantizedKeypoint(x: -512, y: 512), count: 10)
        let run = try KeypointRun(firstFrame: 0, frames: [.generated(extremes), .generated(start)], predictor: start)
        XCTAssertEqual(try run.decode(quantizer: quantizer, predictor: start).frames,
                       [.generated(extremes), .generated(start)])
    }

    /// Runs that code references (unit 0x85, format 1.2): every reference 0...3 round trips,
    /// through the writer and reader too; a reference outside the range, or in a run that codes
    /// none, is refused; the unit type is critical, so a 1.1 reader refuses the file.
    func testReferencesRoundTrip() throws {
        var rng = SeededGenerator(seed: 11)
        let quantizer = try KeypointQuantizer(stepDenominator: Synthetic.stepDenominator)
        let start = Synthetic.keypoints(rng: &rng)
        var frames = Synthetic.frames(count: 40, start: start, sigma: 2, repeatEvery: 7, rng: &rng)
        for i in frames.indices {
            if case .generated(let points, _) = frames[i] { frames[i] = .generated(points, reference: (i * 5 / 3) % 4) }
        }
        let run = try KeypointRun(firstFrame: 3, frames: frames, predictor: start, codesReferences: true)
        XCTAssertEqual(try run.decode(quantizer: quantizer, predictor: start).frames, frames)
        let plain = frames.map { frame -> KeypointFrame in
            if case .generated(let points, _) = frame { return .generated(points) }
            return frame
        }
        let without = try KeypointRun(firstFrame: 3, frames: plain, predictor: start)
        print("40 frames: \(run.codedData.count) bytes with references 0-3, \(without.codedData.count) without")

        let writer = try BitstreamWriter(header: Synthetic.header(frameCount: 43, hasAudio: false))
        try writer.write(KeyFrame(frameNumber: 0, packet: [1, 2, 3]))
        try writer.write(KeyFrame(frameNumber: 1, packet: [4], isRandomAccess: false))
        try writer.write(KeyFrame(frameNumber: 2, packet: [5], isRandomAccess: false))
        try writer.write(run)
        try writer.finish()
        let reader = try BitstreamReader(bytes: [UInt8](writer.data))
        XCTAssertEqual(reader.version, FormatVersion.current)
        let runs = try reader.readAll().compactMap { unit -> KeypointRun? in
            if case .keypointRun(let r) = unit.element {
                XCTAssertEqual(unit.info.type, UnitType.referencedKeypointRun.rawValue)
                return r
            }
            return nil
        }
        XCTAssertEqual(runs, [run])
        XCTAssertTrue(UnitType.isCritical(UnitType.referencedKeypointRun.rawValue))

        var refusing = KeypointRunEncoder(predictor: start)
        XCTAssertThrowsError(try refusing.encode(.generated(start, reference: 1)))
        var coding = KeypointRunEncoder(predictor: start, codesReferences: true)
        XCTAssertThrowsError(try coding.encode(.generated(start, reference: FormatLimits.maxReferences)))
        XCTAssertNoThrow(try coding.encode(.generated(start, reference: FormatLimits.maxReferences - 1)))
    }

    func testRepeatModeLeavesPredictor() throws {
        let start = [QuantizedKeypoint](repeating: QuantizedKeypoint(x: 3, y: 4), count: 4)
        var encoder = KeypointRunEncoder(predictor: start)
        try encoder.encode(.repeatKeyFrame)
        XCTAssertEqual(encoder.predictor, start)
        XCTAssertThrowsError(try encoder.encode(.generated([QuantizedKeypoint(x: 0, y: 0)])))
        let allRepeat = try KeypointRun(firstFrame: 1, frames: .init(repeating: .repeatKeyFrame, count: 300),
                                        predictor: start)
        print("300 repeat frames: \(allRepeat.codedData.count) bytes")
        XCTAssertLessThan(allRepeat.codedData.count, 12)
    }

    /// Truncated, extended and random payloads give errors, not crashes or wrong successes.
    func testCorruptPayloads() throws {
        var rng = SeededGenerator(seed: 9)
        let quantizer = try KeypointQuantizer(stepDenominator: 256)
        let start = Synthetic.keypoints(rng: &rng)
        let frames = Synthetic.frames(count: 30, start: start, sigma: 2, rng: &rng)
        let run = try KeypointRun(firstFrame: 0, frames: frames, predictor: start)
        for length in 0..<run.codedData.count {
            let cut = KeypointRun(firstFrame: 0, frameCount: 30, codedData: Array(run.codedData.prefix(length)))
            XCTAssertThrowsError(try cut.decode(quantizer: quantizer, predictor: start))
        }
        let longer = KeypointRun(firstFrame: 0, frameCount: 30, codedData: run.codedData + [0])
        XCTAssertThrowsError(try longer.decode(quantizer: quantizer, predictor: start))
        for _ in 0..<200 {
            let garbage = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let bad = KeypointRun(firstFrame: 0, frameCount: FormatLimits.maxRunFrames, codedData: garbage)
            XCTAssertThrowsError(try bad.decode(quantizer: quantizer, predictor: start))
        }
    }

    /// Slowly moving keypoints cost few bits: prints the figure for several motion sizes.
    func testCompressionOfSlowMotion() throws {
        var rng = SeededGenerator(seed: 11)
        for sigma in [0.5, 1.0, 2.0, 4.0] {
            let start = Synthetic.keypoints(rng: &rng)
            let frames = Synthetic.frames(count: 30, start: start, sigma: sigma, rng: &rng)
            let run = try KeypointRun(firstFrame: 1, frames: frames, predictor: start)
            let bitsPerKeypoint = Double(run.codedData.count * 8) / Double(30 * Synthetic.keypointCount)
            // Order-0 entropy of the residuals, per coordinate, as the yardstick.
            var counts = [Int32: Int]()
            var previous = start
            for case .generated(let points, _) in frames {
                for (point, prediction) in zip(points, previous) {
                    counts[point.x - prediction.x, default: 0] += 1
                    counts[point.y - prediction.y, default: 0] += 1
                }
                previous = points
            }
            let total = Double(counts.values.reduce(0, +))
            let entropy = counts.values.map { -Double($0) / total * log2(Double($0) / total) }.reduce(0, +)
            let bitsPerSecond = Double(run.codedData.count * 8)
            print(String(format: "keypoints, step 1/256, random walk sigma %.1f steps: %.2f bits per keypoint "
                + "(residual entropy %.2f), %d bytes for 30 frames of 10 keypoints = %.0f bit/s at 30 fps",
                sigma, bitsPerKeypoint, 2 * entropy, run.codedData.count, bitsPerSecond))
            XCTAssertLessThan(bitsPerKeypoint, 2 * entropy * 1.25 + 0.5)
        }
    }
}
