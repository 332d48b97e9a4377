import AGCBitstream
import XCTest

/// The camera-motion unit (0x87, format 1.4): maps quantized as the format says, coded and
/// decoded exactly, refused when out of range or damaged.
final class CameraRunTests: XCTestCase {
    func testQuantizedAsTheFormatSays() throws {
        let map = try XCTUnwrap(CameraMap(theta: [1.01, -0.002, 0.03125, 0.0005, 0.99, -0.5]))
        XCTAssertEqual(map.linear, SIMD4(20, -4, 1, -20), "A - I in steps of 1/2048, rounded")
        XCTAssertEqual(map.shift, SIMD2(32, -512), "t in steps of 1/1024")
        XCTAssertEqual(CameraMap(theta: [1, 0, 0, 0, 1, 0]), .identity)
        XCTAssertTrue(CameraMap(theta: [1, 0, 0, 0, 1, 0])!.isIdentity)
        XCTAssertNil(CameraMap(theta: [1.4, 0, 0, 0, 1, 0]), "|A - I| above 0.3125")
        XCTAssertNil(CameraMap(theta: [1, 0, 1.5, 0, 1, 0]), "|t| above one half-frame")
        XCTAssertNil(CameraMap(theta: [1, 0, .nan, 0, 1, 0]))
    }

    /// Still and moving frames in any mix come back exactly, from a unit written and read again.
    func testRoundTripThroughAStream() throws {
        var rng = SeededGenerator(seed: 14)
        var maps: [CameraMap] = []
        var current = CameraMap.identity
        for i in 0..<40 {
            if i % 7 == 3 { maps.append(.identity); continue }
            current.linear &+= SIMD4((0..<4).map { _ in Int32.random(in: -6...6, using: &rng) })
            current.shift &+= SIMD2((0..<2).map { _ in Int32.random(in: -9...9, using: &rng) })
            maps.append(current)
        }
        maps[5] = CameraMap(linear: SIMD4(640, -640, 640, -640), shift: SIMD2(1024, -1024))  // the range's corners
        let run = CameraRun(firstFrame: 11, maps: maps)
        XCTAssertEqual(try run.decode(), maps)
        XCTAssertLessThan(run.codedData.count, 6 * maps.count, "small changes cost a few bits each")

        let writer = try BitstreamWriter(header: Synthetic.header(frameCount: 60, hasAudio: false))
        try writer.write(KeyFrame(frameNumber: 0, packet: [1]))
        let offset = try writer.write(run)
        try writer.finish()
        let bytes = [UInt8](writer.data)
        XCTAssertEqual(bytes[offset], UnitType.cameraMotion.rawValue)
        XCTAssertTrue(UnitType.isCritical(bytes[offset]), "a 1.3 reader must refuse what it cannot show")
        XCTAssertEqual(bytes[4...5], [1, 4], "written as format 1.4")
        let reader = try BitstreamReader(bytes: bytes)
        XCTAssertEqual(try reader.unit(at: offset).element, .cameraMotion(run))
        XCTAssertEqual(BitstreamInspector.inspect(bytes).units.first { $0.type == UnitType.cameraMotion.rawValue }?.frame, 11)
    }

    func testDamageIsRefused() throws {
        let maps = [CameraMap(linear: SIMD4(3, 0, 0, 3), shift: SIMD2(40, -8)), .identity]
        let run = CameraRun(firstFrame: 0, maps: maps)
        var extra = run
        extra.codedData += [0x55]
        XCTAssertThrowsError(try extra.decode(), "bytes left over")
        var short = run
        short.frameCount = 500  // a frame or two more may decode from the coder's last bytes; hundreds cannot
        XCTAssertThrowsError(try short.decode(), "the data end early")
        // A map past the range (coded by hand: a 2000-step change) is refused.
        var encoder = CameraRunEncoder()
        encoder.encode(CameraMap(linear: SIMD4(2000, 0, 0, 0), shift: .zero))
        XCTAssertThrowsError(try CameraRun(firstFrame: 0, frameCount: 1, codedData: encoder.finish()).decode()) { error in
            XCTAssertTrue("\(error)".contains("outside the format's range"), "\(error)")
        }
    }
}
