@testable import AGCBitstream
import XCTest

final class BitstreamRoundTripTests: XCTestCase {
    func testVarints() {
        for value: UInt64 in [0, 1, 127, 128, 300, 16383, 16384, 1 << 35, UInt64.max] {
            var writer = ByteWriter()
            writer.varint(value)
            XCTAssertEqual(writer.bytes.count, ByteWriter.varintSize(value))
            var reader = ByteReader(writer.bytes)
            XCTAssertEqual(try reader.varint(), value)
        }
        for value: Int64 in [0, -1, 1, -64, 64, Int64.min, Int64.max] {
            var writer = ByteWriter()
            writer.signedVarint(value)
            var reader = ByteReader(writer.bytes)
            XCTAssertEqual(try reader.signedVarint(), value)
        }
        var overlong = ByteReader([UInt8](repeating: 0x80, count: 11))
        XCTAssertThrowsError(try overlong.varint())
    }

    /// Writer to reader: every unit comes back as written, and the index from the trailer matches.
    func testWholeStreamRoundTrip() throws {
        let (bytes, keyFrames, runs) = try Synthetic.stream()
        let reader = try BitstreamReader(bytes: bytes)
        XCTAssertEqual(reader.version, FormatVersion.current)
        XCTAssertEqual(reader.header, Synthetic.header())
        XCTAssertEqual(reader.indexSource, .trailer)
        XCTAssertEqual(reader.frameCount, 90)
        XCTAssertEqual(reader.index.keyFrames.map(\.frame), [0, 30, 60])
        XCTAssertEqual(reader.index.keypointRuns.map(\.frame), [1, 31, 61])
        XCTAssertEqual(reader.index.keyFrame(atOrBefore: 45)?.frame, 30)

        let units = try reader.readAll()
        XCTAssertEqual(units.first?.element, .sequenceHeader(Synthetic.header()))
        var readKeyFrames = [KeyFrame](), readRuns = [KeypointRun](), audioPackets = [AudioPacket]()
        var unknown = [UInt8]()
        for unit in units {
            switch unit.element {
            case .keyFrame(let keyFrame): readKeyFrames.append(keyFrame)
            case .keypointRun(let run): readRuns.append(run)
            case .audioPackets(let packets): audioPackets += packets
            case .audioConfig(let config): XCTAssertEqual(config.codecName, "aac")
            case .pictureHashes(let hashes): XCTAssertEqual(hashes.hashes.count, 4)
            case .unknown(let type, let payload): unknown.append(type); XCTAssertEqual(payload, [1, 2, 3])
            default: break
            }
        }
        XCTAssertEqual(readKeyFrames, keyFrames)
        XCTAssertEqual(readRuns, runs)
        XCTAssertEqual(audioPackets.map(\.pts), (0..<9).map { Int64($0) * 1024 })
        XCTAssertEqual(unknown, [0x40])
        XCTAssertEqual(units.last?.element, .endOfStream)

        // Random access: each indexed offset is the unit the index says.
        for entry in reader.index.keyFrames {
            guard case .keyFrame(let keyFrame) = try reader.unit(at: entry.offset).element else {
                return XCTFail("index entry \(entry) is not a key frame")
            }
            XCTAssertEqual(keyFrame.frameNumber, entry.frame)
        }
        var cursor = reader.units(from: reader.index.keyFrames[1].offset)
        XCTAssertEqual(try cursor.next()?.info.offset, reader.index.keyFrames[1].offset)
    }

    /// A streaming sink receives the same bytes; the header's frame count may be left at 0.
    func testStreamingSinkAndUnknownFrameCount() throws {
        var streamed = Data()
        let writer = try BitstreamWriter(header: Synthetic.header(frameCount: 0)) { streamed.append($0) }
        try writer.write(KeyFrame(frameNumber: 0, packet: [1, 2, 3]))
        let predictor = [QuantizedKeypoint](repeating: QuantizedKeypoint(x: 0, y: 0), count: 10)
        try writer.write(try KeypointRun(firstFrame: 1, frames: [.repeatKeyFrame, .repeatKeyFrame],
                                         predictor: predictor))
        try writer.finish()
        XCTAssertEqual(streamed.count, writer.bytesWritten)
        let reader = try BitstreamReader(data: streamed)
        XCTAssertEqual(reader.frameCount, 3)
        XCTAssertThrowsError(try writer.write(KeyFrame(frameNumber: 5, packet: [])))
    }

    /// Overhead figures for the note: bytes each unit adds around its payload.
    func testOverheadFigures() throws {
        let writer = try BitstreamWriter(header: Synthetic.header())
        let headerBytes = writer.bytesWritten
        let before = writer.bytesWritten
        let predictor = [QuantizedKeypoint](repeating: QuantizedKeypoint(x: 0, y: 0), count: 10)
        let run = try KeypointRun(firstFrame: 1, frames: [.repeatKeyFrame], predictor: predictor)
        try writer.write(run)
        let runOverhead = writer.bytesWritten - before - run.codedData.count
        let keyFrameStart = writer.bytesWritten
        try writer.write(KeyFrame(frameNumber: 30, packet: [UInt8](repeating: 0, count: 3000)))
        let keyFrameOverhead = writer.bytesWritten - keyFrameStart - 3000
        let endStart = writer.bytesWritten
        try writer.finish()
        print("overhead: file + sequence header \(headerBytes) bytes; keypoint run unit \(runOverhead) bytes + "
            + "range coder flush; key frame unit (3000-byte packet) \(keyFrameOverhead) bytes; "
            + "index (2 entries) + end of stream + trailer \(writer.bytesWritten - endStart) bytes")
        XCTAssertLessThanOrEqual(runOverhead, 12)
        XCTAssertLessThanOrEqual(keyFrameOverhead, 12)
    }

    func testWriterRefusesUnrepresentableValues() throws {
        var header = Synthetic.header()
        header.modelHash = [1, 2, 3]
        XCTAssertThrowsError(try BitstreamWriter(header: header))
        header = Synthetic.header()
        header.rotation = 45
        XCTAssertThrowsError(try BitstreamWriter(header: header))
        header = Synthetic.header()
        header.codedWidth = 100_000
        XCTAssertThrowsError(try BitstreamWriter(header: header))
        header = Synthetic.header()
        header.crop = CropRect(x: 500, y: 0, width: 900, height: 900)
        XCTAssertThrowsError(try BitstreamWriter(header: header), "crop outside the upright 1080x1920 source")
        let writer = try BitstreamWriter(header: Synthetic.header())
        XCTAssertThrowsError(try writer.write(KeyFrame(frameNumber: -1, packet: [])))
        try writer.write(KeyFrame(frameNumber: 3, packet: []))
        XCTAssertThrowsError(try writer.write(KeyFrame(frameNumber: 3, packet: [])))
        XCTAssertThrowsError(try writer.writeUnit(rawType: UnitType.keyFrame.rawValue, payload: []))
    }

    func testInspectionIsCodable() throws {
        let (bytes, _, _) = try Synthetic.stream()
        let report = BitstreamInspector.inspect(bytes)
        XCTAssertNil(report.error)
        XCTAssertEqual(report.trailer, "valid")
        XCTAssertEqual(report.keyFrameNumbers, [0, 30, 60])
        XCTAssertTrue(report.units.allSatisfy(\.crcOK))
        XCTAssertEqual(report.bytesByKind.values.reduce(0, +), bytes.count)
        XCTAssertEqual(report.units.first?.typeName, "sequence header")
        let json = try JSONEncoder().encode(report)
        XCTAssertEqual(try JSONDecoder().decode(InspectionReport.self, from: json), report)
    }

    /// Format 1.1: predicted key pictures travel as unit 0x84 with the key frame's fields, are
    /// listed in the index's appended list, and a predicted picture cannot come first.
    func testPredictedKeyFramesRoundTrip() throws {
        let writer = try BitstreamWriter(header: Synthetic.header(frameCount: 6, hasAudio: false))
        XCTAssertThrowsError(try writer.write(KeyFrame(frameNumber: 0, packet: [1], isRandomAccess: false)))
        try writer.write(KeyFrame(frameNumber: 0, packet: [1, 2, 3]))
        let predictedOffset = try writer.write(KeyFrame(frameNumber: 2, packet: [4, 5], optionalFields: [OptionalField(tag: 1, value: [9])],
                                                        isRandomAccess: false))
        try writer.write(KeyFrame(frameNumber: 4, packet: [6]))
        try writer.write(KeyFrame(frameNumber: 5, packet: [7], isRandomAccess: false))
        XCTAssertThrowsError(try writer.write(KeyFrame(frameNumber: 5, packet: [8], isRandomAccess: false)), "frames increase")
        try writer.finish(frameCount: 6)
        let bytes = [UInt8](writer.data)
        XCTAssertEqual(Array(bytes[4...5]), [FormatVersion.current.major, FormatVersion.current.minor], "written as the current format")
        XCTAssertEqual(bytes[predictedOffset], UnitType.predictedKeyFrame.rawValue)
        XCTAssertTrue(UnitType.isCritical(UnitType.predictedKeyFrame.rawValue), "a 1.0 reader must refuse it")
        let reader = try BitstreamReader(bytes: bytes)
        XCTAssertEqual(reader.index.keyFrames.map(\.frame), [0, 4])
        XCTAssertEqual(reader.index.predictedKeyFrames.map(\.frame), [2, 5])
        XCTAssertEqual(reader.index.keyPictureFrames, [0, 2, 4, 5])
        let keys = try reader.readAll().compactMap { unit -> KeyFrame? in
            if case .keyFrame(let k) = unit.element { return k } else { return nil }
        }
        XCTAssertEqual(keys.map(\.isRandomAccess), [true, false, true, false])
        XCTAssertEqual(keys[1], KeyFrame(frameNumber: 2, packet: [4, 5], optionalFields: [OptionalField(tag: 1, value: [9])],
                                         isRandomAccess: false))
        // The index a reader rebuilds (no trailer) is the same.
        let rebuilt = try BitstreamReader(bytes: Array(bytes.dropLast(16)))
        XCTAssertEqual(rebuilt.index, reader.index)
        XCTAssertEqual(BitstreamInspector.inspect(bytes).randomAccessFrameNumbers, [0, 4])
    }

    /// Format 1.3: a predicted key picture with its run travels as unit 0x86 (critical), is
    /// listed with the predicted pictures, covers its run's frames and reads back with the run
    /// (with and without references); a random-access key frame cannot carry a run (it must
    /// decode on its own), nor a run that does not start right after the picture.
    func testKeyFramesWithTheirRunRoundTrip() throws {
        let writer = try BitstreamWriter(header: Synthetic.header(frameCount: 9, hasAudio: false))
        try writer.write(KeyFrame(frameNumber: 0, packet: [1, 2, 3]))
        let run = KeypointRun(firstFrame: 2, frameCount: 3, codedData: [7, 7, 7, 7], codesReferences: false)
        XCTAssertThrowsError(try writer.write(KeyFrame(frameNumber: 1, packet: [4], run: KeypointRun(firstFrame: 2, frameCount: 0, codedData: []))))
        XCTAssertThrowsError(try writer.write(KeyFrame(frameNumber: 2, packet: [4], isRandomAccess: false, run: run)), "run at 3")
        let second = KeyFrame(frameNumber: 1, packet: [5, 6], isRandomAccess: false, run: run)
        let offset = try writer.write(second)
        let third = KeyFrame(frameNumber: 5, packet: [8], isRandomAccess: false,
                             run: KeypointRun(firstFrame: 6, frameCount: 0, codedData: [1, 2, 3, 4], codesReferences: true))
        try writer.write(third)
        try writer.write(KeypointRun(firstFrame: 6, frameCount: 3, codedData: [9, 9, 9, 9]))
        try writer.finish()
        let bytes = [UInt8](writer.data)
        XCTAssertEqual(bytes[offset], UnitType.predictedKeyFrameWithRun.rawValue)
        XCTAssertTrue(UnitType.isCritical(bytes[offset]), "a 1.2 reader must refuse it")
        let reader = try BitstreamReader(bytes: bytes)
        XCTAssertEqual(reader.index.predictedKeyFrames.map(\.frame), [1, 5])
        XCTAssertEqual(reader.index.frameCount, 9)
        let keys = try reader.readAll().compactMap { unit -> KeyFrame? in
            if case .keyFrame(let k) = unit.element { return k } else { return nil }
        }
        XCTAssertEqual(keys, [KeyFrame(frameNumber: 0, packet: [1, 2, 3]), second, third])
        XCTAssertEqual(keys.map(\.endFrame), [1, 5, 6])
        XCTAssertEqual(try BitstreamReader(bytes: Array(bytes.dropLast(16))).index, reader.index, "rebuilt index")
        let unit = try XCTUnwrap(BitstreamInspector.inspect(bytes).units.first { $0.offset == offset })
        XCTAssertEqual([unit.frame, unit.frameCount, unit.runDataSize], [1, 4, 4])
    }

    /// Format 1.3: audio packets with chained timestamps (unit 0x09) read back exactly as the
    /// 0x05 units of 1.0 do, irregular ones included (a negative first pts as Opus's pre-skip
    /// gives, a gap, an overlap, a changed and a zero duration), and regular 20 ms packets
    /// cost 2 bytes of framing each instead of 5.
    func testChainedAudioPacketsRoundTrip() throws {
        let data = [UInt8](repeating: 7, count: 40)
        var packets = (0..<50).map { AudioPacket(pts: Int64($0) * 960 - 312, duration: 960, data: data) }
        packets += [AudioPacket(pts: 50 * 960 + 5000, duration: 480, data: [1]),
                    AudioPacket(pts: 50 * 960 + 5100, duration: 0, data: []),
                    AudioPacket(pts: 50 * 960 + 5100, duration: 960, data: [2, 3])]
        var sizes: [Bool: Int] = [:]
        for chained in [true, false] {
            let writer = try BitstreamWriter(header: Synthetic.header(frameCount: 1, hasAudio: true))
            try writer.write(KeyFrame(frameNumber: 0, packet: [1]))
            let offset = try writer.write(packets, chained: chained)
            try writer.finish()
            let bytes = [UInt8](writer.data)
            XCTAssertEqual(bytes[offset], (chained ? UnitType.chainedAudioPackets : .audioPackets).rawValue)
            XCTAssertFalse(UnitType.isCritical(bytes[offset]), "a reader that does not know it skips it")
            let unit = try BitstreamReader(bytes: bytes).unit(at: offset)
            XCTAssertEqual(unit.element, .audioPackets(packets), "chained: \(chained)")
            sizes[chained] = unit.info.size
        }
        let framing = { (size: Int) in Double(size - packets.map(\.data.count).reduce(0, +)) / Double(packets.count) }
        print("audio framing per packet: \(framing(sizes[true]!)) bytes chained, \(framing(sizes[false]!)) before")
        XCTAssertLessThan(framing(sizes[true]!), 2.5)
        XCTAssertGreaterThan(framing(sizes[false]!), 4.5)
    }

    /// A stream without predicted pictures keeps the index of format 1.0 (two lists).
    func testIndexWithoutPredictedPicturesHasTheShapeOf10() throws {
        let (bytes, _, _) = try Synthetic.stream()
        let reader = try BitstreamReader(bytes: bytes)
        XCTAssertTrue(reader.index.predictedKeyFrames.isEmpty)
        var writer = ByteWriter()
        reader.index.encode(into: &writer)
        var old = ByteWriter()
        old.varint(reader.index.frameCount)
        for entries in [reader.index.keyFrames, reader.index.keypointRuns] {
            old.varint(entries.count)
            var previous = StreamIndex.Entry(frame: 0, offset: 0)
            for e in entries {
                old.varint(e.frame - previous.frame)
                old.varint(e.offset - previous.offset)
                previous = e
            }
        }
        XCTAssertEqual(writer.bytes, old.bytes)
    }
}
