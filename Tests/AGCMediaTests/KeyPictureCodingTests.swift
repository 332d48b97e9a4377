import AGCMedia
import Foundation
import XCTest

final class IntraCodingTests: XCTestCase {
    /// A 256x256 picture: the centre of a real talking-head clip when present, else a test pattern.
    private func pictures(_ count: Int) throws -> (media: TestMedia, images: [RGBImage]) {
        let media = try TestMedia()
        let real = "/work/shared/data/val/lp-d18.mp4"
        let file = FileManager.default.fileExists(atPath: real) ? real : try media.testPattern(seconds: 2)
        let reader = try VideoReader(path: file)
        let side = min(reader.info.width, reader.info.height)
        reader.setOutput(crop: CropRect(x: (reader.info.width - side) / 2, y: (reader.info.height - side) / 2,
                                        width: side, height: side), size: (width: 256, height: 256))
        var images: [RGBImage] = []
        while images.count < count, let frame = try reader.nextFrame() {
            if frame.index % 10 == 0 { images.append(frame.image) }
        }
        return (media, images)
    }

    func testRoundTripQualityAndRateFallWithQP() throws {
        let (_, images) = try pictures(1)
        let image = images[0]
        for codec in IntraCodec.allCases {
            let qps = codec == .hevc ? [22, 27, 32, 37] : [20, 30, 40, 50]
            var sizes: [Int] = []
            let decoder = try IntraDecoder(codec: codec)
            for qp in qps {
                let encoder = try IntraEncoder(codec: codec, width: 256, height: 256, qp: qp)
                var start = Date()
                let packet = try encoder.encode(image)
                let encodeTime = Date().timeIntervalSince(start)
                start = Date()
                let decoded = try decoder.decode(packet, width: 256, height: 256)
                let decodeTime = Date().timeIntervalSince(start)
                let quality = psnr(decoded.pixels, image.pixels)
                print(String(format: "intra %@ qp %d: %d bytes, RGB PSNR %.2f dB, encode %.1f ms, decode %.1f ms",
                             codec.rawValue, qp, packet.count, quality, encodeTime * 1000, decodeTime * 1000))
                if qp == qps[1] { XCTAssertGreaterThan(quality, 30, "\(codec) qp \(qp)") }
                XCTAssertGreaterThan(quality, 24, "\(codec) qp \(qp)")
                sizes.append(packet.count)
            }
            XCTAssertEqual(sizes, sizes.sorted(by: >), "\(codec): packets shrink as qp rises: \(sizes)")
        }
    }

    func testPacketsDecodeIndependentlyInAnyOrder() throws {
        let (_, images) = try pictures(3)
        XCTAssertEqual(images.count, 3)
        for codec in IntraCodec.allCases {
            let encoder = try IntraEncoder(codec: codec, width: 256, height: 256, qp: codec == .hevc ? 30 : 35)
            let packets = try images.map { try encoder.encode($0) }
            XCTAssertEqual(try encoder.encode(images[0]), packets[0], "\(codec): encoding is repeatable")
            let inOrder = try IntraDecoder(codec: codec)
            let forward = try packets.map { try inOrder.decode($0, width: 256, height: 256) }
            let reverse = try packets.reversed().map { try inOrder.decode($0, width: 256, height: 256) }
            XCTAssertEqual(forward, reverse.reversed(), "\(codec)")
            for (i, packet) in packets.enumerated() {
                let fresh = try IntraDecoder(codec: codec).decode(packet, width: 256, height: 256)
                XCTAssertEqual(fresh, forward[i], "\(codec) packet \(i)")
                XCTAssertGreaterThan(psnr(fresh.pixels, images[i].pixels), 28)
            }
        }
    }

    func testBadArgumentsAndDamagedPackets() throws {
        XCTAssertThrowsError(try IntraEncoder(codec: .hevc, width: 255, height: 256, qp: 30))
        XCTAssertThrowsError(try IntraEncoder(codec: .hevc, width: 256, height: 256, qp: 60))
        let encoder = try IntraEncoder(codec: .hevc, width: 64, height: 64, qp: 30)
        XCTAssertThrowsError(try encoder.encode(RGBImage(width: 32, height: 32)))
        let packet = try encoder.encode(RGBImage(width: 64, height: 64))
        let decoder = try IntraDecoder(codec: .hevc)
        XCTAssertThrowsError(try decoder.decode(packet, width: 128, height: 128))
        XCTAssertThrowsError(try decoder.decode(Data(), width: 64, height: 64))
        XCTAssertThrowsError(try decoder.decode(Data(repeating: 7, count: 40), width: 64, height: 64))
        XCTAssertEqual(try decoder.decode(packet, width: 64, height: 64).width, 64, "usable after errors")
    }
}
