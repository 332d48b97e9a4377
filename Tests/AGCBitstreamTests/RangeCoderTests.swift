import AGCBitstream
import XCTest

final class RangeCoderTests: XCTestCase {
    /// Bits from several sources with different skews, each with its own context, round trip.
    func testSkewedBitsRoundTrip() {
        var rng = SeededGenerator(seed: 1)
        let skews = [0.5, 0.9, 0.99, 0.02, 0.999]
        let symbols: [(Int, Bool)] = (0..<200_000).map { _ in
            let source = Int.random(in: 0..<skews.count, using: &rng)
            return (source, Double.random(in: 0..<1, using: &rng) >= skews[source])
        }
        var encoder = RangeEncoder()
        var encodeModels = [AdaptiveBit](repeating: AdaptiveBit(), count: skews.count)
        for (source, bit) in symbols { encoder.encode(bit, &encodeModels[source]) }
        let bytes = encoder.finish()

        var decoder = RangeDecoder(bytes)
        var decodeModels = [AdaptiveBit](repeating: AdaptiveBit(), count: skews.count)
        for (index, (source, bit)) in symbols.enumerated() {
            guard decoder.decode(&decodeModels[source]) == bit else { return XCTFail("bit \(index) differs") }
        }
        XCTAssertTrue(decoder.finishedCleanly)
        XCTAssertEqual(encodeModels, decodeModels)
        // Ideal cost: sum of binary entropies; adaptive coding should be within a few percent of it.
        let ideal = skews.map { p in p == 0.5 ? 1 : -(p * log2(p) + (1 - p) * log2(1 - p)) }
            .reduce(0, +) / Double(skews.count) * Double(symbols.count) / 8
        print("skewed bits: \(bytes.count) bytes coded, \(Int(ideal)) bytes ideal")
        XCTAssertLessThan(Double(bytes.count), ideal * 1.05 + 16)
    }

    /// Wide-range signed integers, with bypass bits mixed in, round trip exactly.
    func testIntegersRoundTrip() {
        var rng = SeededGenerator(seed: 2)
        var values: [Int32] = [0, 1, -1, 2, -2, 3, Int32.max, Int32.min, Int32.max - 1, Int32.min + 1, 1 << 30]
        for _ in 0..<50_000 {
            let bits = Int.random(in: 0...31, using: &rng)
            let magnitude = Int64.random(in: 0...(Int64(1) << bits), using: &rng)
            values.append(Int32(clamping: Bool.random(using: &rng) ? -magnitude : magnitude))
        }
        var encoder = RangeEncoder()
        var models = [AdaptiveIntegerModel(), AdaptiveIntegerModel()]
        var bypass = [Bool]()
        for (index, value) in values.enumerated() {
            encoder.encodeSigned(value, &models[index % 2])
            bypass.append(value & 1 == 0)
            encoder.encodeBypass(bypass[index])
        }
        let bytes = encoder.finish()
        var decoder = RangeDecoder(bytes)
        var decodeModels = [AdaptiveIntegerModel(), AdaptiveIntegerModel()]
        for (index, value) in values.enumerated() {
            guard decoder.decodeSigned(&decodeModels[index % 2]) == value else {
                return XCTFail("value \(index) (\(value)) differs")
            }
            XCTAssertEqual(decoder.decodeBypass(), bypass[index])
        }
        XCTAssertTrue(decoder.finishedCleanly)
        XCTAssertFalse(decoder.isCorrupt)
    }

    /// Empty payloads code to 4 bytes and decode cleanly; a carry-heavy run survives.
    func testEdgeCases() {
        var empty = RangeEncoder()
        XCTAssertEqual(empty.finish().count, 4)
        var encoder = RangeEncoder()
        var model = AdaptiveBit()
        for index in 0..<10_000 { encoder.encode(index % 1000 != 0, &model) }
        let bytes = encoder.finish()
        var decoder = RangeDecoder(bytes)
        var decodeModel = AdaptiveBit()
        for index in 0..<10_000 { XCTAssertEqual(decoder.decode(&decodeModel), index % 1000 != 0) }
        XCTAssertTrue(decoder.finishedCleanly)
    }

    /// Garbage and truncated input never crash or hang; running out of data sets the flag.
    func testGarbageInput() {
        var rng = SeededGenerator(seed: 3)
        for length in [0, 1, 3, 4, 5, 17, 300] {
            let garbage = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var decoder = RangeDecoder(garbage)
            var model = AdaptiveIntegerModel()
            for _ in 0..<2000 { _ = decoder.decodeSigned(&model) }
            XCTAssertTrue(decoder.isCorrupt, "2000 integers cannot come from \(length) bytes")
        }
        var allOnes = RangeDecoder([UInt8](repeating: 0xFF, count: 64))
        var model = AdaptiveIntegerModel()
        for _ in 0..<100 { _ = allOnes.decodeSigned(&model) }
        XCTAssertTrue(allOnes.isCorrupt)
    }
}

final class RangeCoderVectorTests: XCTestCase {
    /// The known-answer vector of docs/bitstream.md: pins the coder's exact arithmetic.
    func testKnownAnswer() {
        var encoder = RangeEncoder()
        var model = AdaptiveIntegerModel()
        for value: Int32 in [0, 1, -3, 6, 100, -100_000, 0, 0] { encoder.encodeSigned(value, &model) }
        encoder.encodeBypass(true)
        encoder.encodeBypass(false)
        let hex = encoder.finish().map { String(format: "%02X", $0) }.joined(separator: " ")
        print("known-answer vector: \(hex)")
        XCTAssertEqual(hex, "55 34 B2 6C 47 FD 57 8F 08 B8 EE 78")
    }
}
