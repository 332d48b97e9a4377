import AGCMedia
import Foundation
import XCTest

final class KeyPictureCodingTests: XCTestCase {
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
            let decoder = try KeyPictureDecoder(codec: codec)
            for qp in qps {
                let encoder = try KeyPictureEncoder(codec: codec, width: 256, height: 256, qp: qp)
                var start = Date()
                let packet = try encoder.encode(image, randomAccess: true)
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

    func testRandomAccessPacketsDecodeIndependentlyInAnyOrder() throws {
        let (_, images) = try pictures(3)
        XCTAssertEqual(images.count, 3)
        for codec in IntraCodec.allCases {
            let encoder = try KeyPictureEncoder(codec: codec, width: 256, height: 256, qp: codec == .hevc ? 30 : 35)
            let packets = try images.map { try encoder.encode($0, randomAccess: true) }
            XCTAssertEqual(try KeyPictureEncoder(codec: codec, width: 256, height: 256, qp: codec == .hevc ? 30 : 35)
                .encode(images[0], randomAccess: true), packets[0], "\(codec): encoding is repeatable")
            let inOrder = try KeyPictureDecoder(codec: codec)
            let forward = try packets.map { try inOrder.decode($0, width: 256, height: 256) }
            let reverse = try packets.reversed().map { try inOrder.decode($0, width: 256, height: 256) }
            XCTAssertEqual(forward, reverse.reversed(), "\(codec)")
            for (i, packet) in packets.enumerated() {
                let fresh = try KeyPictureDecoder(codec: codec).decode(packet, width: 256, height: 256)
                XCTAssertEqual(fresh, forward[i], "\(codec) packet \(i)")
                XCTAssertGreaterThan(psnr(fresh.pixels, images[i].pixels), 28)
            }
        }
    }

    /// One low-delay sequence: a random-access picture every `interval`, the rest predicted,
    /// one packet per picture at once, predicted pictures far smaller, and decoding from any
    /// random-access picture gives the same pictures as decoding from the start.
    func testPredictedPicturesAreSmallerAndDecodeFromEachRandomAccessPoint() throws {
        let (_, images) = try pictures(6)
        XCTAssertEqual(images.count, 6)
        for codec in IntraCodec.allCases {
            let qp = codec == .hevc ? 32 : 40
            let intra = try KeyPictureEncoder(codec: codec, width: 256, height: 256, qp: qp)
            let intraBytes = try images.map { try intra.encode($0, randomAccess: true).count }.reduce(0, +)
            let encoder = try KeyPictureEncoder(codec: codec, width: 256, height: 256, qp: qp)
            let randomAccess = images.indices.map { $0 % 3 == 0 }
            let packets = try zip(images, randomAccess).map { try encoder.encode($0, randomAccess: $1) }
            let predictedBytes = packets.map(\.count).reduce(0, +)
            print("\(codec) qp \(qp): 6 pictures all random-access \(intraBytes) bytes, 2 random-access + 4 predicted \(predictedBytes) bytes")
            XCTAssertLessThan(predictedBytes, intraBytes * 3 / 4, "\(codec): prediction pays")
            let decoder = try KeyPictureDecoder(codec: codec)
            let all = try zip(packets, randomAccess).map { try decoder.decode($0, width: 256, height: 256, randomAccess: $1) }
            for (i, image) in all.enumerated() {
                XCTAssertGreaterThan(psnr(image.pixels, images[i].pixels), 26, "\(codec) picture \(i)")
            }
            let fromSecond = try KeyPictureDecoder(codec: codec)
            let tail = try (3..<6).map { try fromSecond.decode(packets[$0], width: 256, height: 256, randomAccess: randomAccess[$0]) }
            XCTAssertEqual(tail, Array(all[3...]), "\(codec): the same pictures from the second random-access point")
        }
    }

    func testBadArgumentsAndDamagedPackets() throws {
        XCTAssertThrowsError(try KeyPictureEncoder(codec: .hevc, width: 255, height: 256, qp: 30))
        XCTAssertThrowsError(try KeyPictureEncoder(codec: .hevc, width: 256, height: 256, qp: 60))
        XCTAssertThrowsError(try KeyPictureEncoder(codec: .hevc, width: 256, height: 256, qp: 50, predictedQPOffset: 2))
        let encoder = try KeyPictureEncoder(codec: .hevc, width: 64, height: 64, qp: 30)
        XCTAssertThrowsError(try encoder.encode(RGBImage(width: 32, height: 32), randomAccess: true))
        let packet = try encoder.encode(RGBImage(width: 64, height: 64), randomAccess: true)
        let decoder = try KeyPictureDecoder(codec: .hevc)
        XCTAssertThrowsError(try decoder.decode(packet, width: 128, height: 128))
        XCTAssertThrowsError(try decoder.decode(Data(), width: 64, height: 64))
        XCTAssertThrowsError(try decoder.decode(Data(repeating: 7, count: 40), width: 64, height: 64))
        XCTAssertEqual(try decoder.decode(packet, width: 64, height: 64).width, 64, "usable after errors")
    }
}
