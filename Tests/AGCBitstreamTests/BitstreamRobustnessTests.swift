import AGCBitstream
import XCTest

final class BitstreamRobustnessTests: XCTestCase {
    /// Reads everything a decoder would: all units, and every keypoint run decoded.
    private func decodeFully(_ bytes: [UInt8]) throws {
        let reader = try BitstreamReader(bytes: bytes)
        let quantizer = try reader.header.quantizer
        let predictor = [QuantizedKeypoint](repeating: QuantizedKeypoint(x: 0, y: 0),
                                            count: reader.header.keypointCount)
        for unit in try reader.readAll() {
            if case .keypointRun(let run) = unit.element {
                _ = try run.decode(quantizer: quantizer, predictor: predictor)
            }
        }
    }

    /// Every prefix of a stream is an error, except the one that lacks only the trailer, which
    /// reads with a rebuilt index.
    func testTruncationAtEveryOffset() throws {
        let (bytes, _, _) = try Synthetic.stream()
        let withoutTrailer = bytes.count - 16
        for length in 0..<bytes.count where length != withoutTrailer {
            XCTAssertThrowsError(try decodeFully(Array(bytes.prefix(length))), "prefix of \(length) bytes")
            _ = BitstreamInspector.inspect(Array(bytes.prefix(length)))
        }
        let reader = try BitstreamReader(bytes: Array(bytes.prefix(withoutTrailer)))
        XCTAssertNoThrow(try reader.readAll())
        guard case .rebuilt = reader.indexSource else { return XCTFail("expected a rebuilt index") }
        XCTAssertEqual(reader.index.keyFrames, try BitstreamReader(bytes: bytes).index.keyFrames)
        do {
            _ = try BitstreamReader(bytes: Array(bytes.prefix(100))).readAll()
        } catch let error as BitstreamError {
            print("truncated to 100 bytes: \(error)")
        }
    }

    /// A flipped bit anywhere in a unit gives an error, a CRC mismatch when it is in the payload.
    func testSingleBitFlips() throws {
        let (bytes, _, _) = try Synthetic.stream()
        let units = BitstreamInspector.inspect(bytes).units
        var crcErrors = 0, otherErrors = 0
        for offset in 0..<bytes.count where offset != 5 {
            let unit = units.first { $0.offset <= offset && offset < $0.offset + $0.size }
            let inPayload = unit.map { unit in
                offset >= unit.offset + unit.size - 4 - unit.payloadSize && offset < unit.offset + unit.size - 4
            }
            for bit in 0..<8 {
                var damaged = bytes
                damaged[offset] ^= 1 << bit
                do {
                    try decodeFully(damaged)
                    XCTFail("flip of bit \(bit) at byte \(offset) went unnoticed")
                } catch BitstreamError.crcMismatch {
                    crcErrors += 1
                } catch {
                    otherErrors += 1
                    if inPayload == true { XCTFail("payload flip at \(offset) gave \(error), not a CRC mismatch") }
                }
            }
        }
        print("bit flips: \(crcErrors) CRC mismatches, \(otherErrors) other errors")
        // The minor version is not protected: a reader accepts any minor version.
        var newerMinor = bytes
        newerMinor[5] = 7
        XCTAssertEqual(try BitstreamReader(bytes: newerMinor).version, FormatVersion(major: 1, minor: 7))
    }

    func testHeaderErrors() throws {
        let (bytes, _, _) = try Synthetic.stream()
        var bad = bytes
        bad[0] = UInt8(ascii: "X")
        XCTAssertThrowsError(try BitstreamReader(bytes: bad)) { XCTAssertEqual($0 as? BitstreamError, .badMagic) }
        bad = bytes
        bad[4] = 2
        XCTAssertThrowsError(try BitstreamReader(bytes: bad)) {
            XCTAssertEqual($0 as? BitstreamError, .unsupportedVersion(major: 2, minor: FormatVersion.current.minor))
            print("\($0)")
        }
        XCTAssertThrowsError(try BitstreamReader(bytes: [])) {
            XCTAssertEqual($0 as? BitstreamError, .truncatedUnit(offset: 0))
        }
        XCTAssertThrowsError(try BitstreamReader(bytes: Array("AGCB".utf8))) {
            XCTAssertEqual($0 as? BitstreamError, .truncatedUnit(offset: 0))
        }
    }

    /// Builds a stream with one extra unit of raw type `type` after the header.
    private func stream(withExtraUnit type: UInt8) throws -> [UInt8] {
        let writer = try BitstreamWriter(header: Synthetic.header())
        try writer.writeUnit(rawType: type, payload: Array("from the future".utf8))
        try writer.write(KeyFrame(frameNumber: 0, packet: [9, 9]))
        try writer.finish()
        return [UInt8](writer.data)
    }

    func testUnknownUnits() throws {
        let ancillary = try BitstreamReader(bytes: try stream(withExtraUnit: 0x33))
        let units = try ancillary.readAll()
        XCTAssertTrue(units.contains { $0.element == .unknown(type: 0x33, payload: Array("from the future".utf8)) })
        XCTAssertEqual(ancillary.index.keyFrames.count, 1)

        let critical = try BitstreamReader(bytes: try stream(withExtraUnit: 0xC4))
        XCTAssertThrowsError(try critical.readAll()) { error in
            guard case BitstreamError.unknownCriticalUnit(0xC4, _) = error else { return XCTFail("\(error)") }
            print("\(error)")
        }
    }

    /// Units from a newer minor version may have extra fields at the end: they are ignored.
    func testTrailingPayloadBytesIgnored() throws {
        let (bytes, keyFrames, _) = try Synthetic.stream()
        let reader = try BitstreamReader(bytes: bytes)
        let info = try reader.unit(at: reader.index.keyFrames[0].offset).info
        var payload = Array(bytes[info.payloadRange])
        payload += [0xAA, 0xBB]
        var unit = [UnitType.keyFrame.rawValue, UInt8(payload.count)] + payload
        XCTAssertLessThan(payload.count, 128)
        let crc = CRC32.checksum(unit)
        unit += (0..<4).map { UInt8(truncatingIfNeeded: crc >> ($0 * 8)) }
        let extended = Array(bytes[..<info.offset]) + unit
        let parsed = try BitstreamReader(bytes: extended).unit(at: info.offset).element
        XCTAssertEqual(parsed, .keyFrame(keyFrames[0]))
    }

    func testLyingLength() throws {
        let (bytes, _, _) = try Synthetic.stream()
        let reader = try BitstreamReader(bytes: bytes)
        let offset = reader.index.keyFrames[0].offset
        var lying = bytes
        // Replace the one-byte length by a 5-byte varint that claims 4 GB.
        lying.replaceSubrange((offset + 1)...(offset + 1), with: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        XCTAssertThrowsError(try BitstreamReader(bytes: lying).readAll()) { error in
            guard case BitstreamError.lengthExceedsFile(offset, _, _) = error else { return XCTFail("\(error)") }
            print("\(error)")
        }
        // A length just one byte too long: the CRC no longer lines up.
        lying = bytes
        lying[offset + 1] += 1
        XCTAssertThrowsError(try BitstreamReader(bytes: lying).readAll())
    }

    /// Without a usable trailer the index is rebuilt by scanning, and matches the written one.
    func testIndexRebuild() throws {
        let (bytes, _, _) = try Synthetic.stream()
        let original = try BitstreamReader(bytes: bytes)
        var damaged = bytes
        damaged[bytes.count - 10] ^= 0x40
        let rebuilt = try BitstreamReader(bytes: damaged)
        guard case .rebuilt(let reason) = rebuilt.indexSource else { return XCTFail("trailer should be refused") }
        print("index rebuilt: \(reason)")
        XCTAssertEqual(rebuilt.index, original.index)
        XCTAssertNil(rebuilt.scanError)

        // Cut inside the last keypoint run: the first two key frames are still found.
        let cut = Array(bytes.prefix(original.index.keypointRuns[2].offset + 5))
        let partial = try BitstreamReader(bytes: cut)
        XCTAssertEqual(partial.index.keyFrames.map(\.frame), [0, 30, 60])
        XCTAssertEqual(partial.index.keypointRuns.map(\.frame), [1, 31])
        XCTAssertNotNil(partial.scanError)
    }

    /// Random garbage after a valid magic never crashes the reader or the inspector.
    func testRandomGarbage() {
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<500 {
            let garbage = Array("AGCB".utf8) + [1, 0]
                + (0..<Int.random(in: 0...400, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? decodeFully(garbage)
            _ = BitstreamInspector.inspect(garbage)
        }
    }
}
