import AGCMedia
import Foundation
import XCTest

final class AnchorEncoderTests: XCTestCase {
    /// A short moving synthetic clip: a textured square sliding over a gradient, in grey (so that
    /// 4:2:0 chroma subsampling alone does not cap the quality).
    private func clip(frames: Int = 12, size: Int = 128) -> [RGBImage] {
        (0..<frames).map { t in
            var pixels = [UInt8](repeating: 0, count: size * size * 3)
            for y in 0..<size {
                for x in 0..<size {
                    let inside = (x - 2 * t) & 127 < 48 && y > 30 && y < 90
                    let v = inside ? ((x * 13 + y * 7) % 64) * 3 + 40 : (x + y) / 2 + 20
                    for c in 0..<3 { pixels[3 * (y * size + x) + c] = UInt8(v) }
                }
            }
            return RGBImage(width: size, height: size, pixels: pixels)
        }
    }

    private func decode(_ path: String) throws -> [RGBImage] {
        let reader = try VideoReader(path: path)
        var images: [RGBImage] = []
        while let frame = try reader.nextFrame() { images.append(frame.image) }
        return images
    }

    private func encode(_ frames: [RGBImage], codec: AnchorCodec, crf: Int, in media: TestMedia) throws
        -> (path: String, bytes: Int) {
        let path = media.path("\(codec.rawValue)-\(crf).\(codec.fileExtension)")
        let encoder = try AnchorEncoder(path: path, codec: codec, crf: crf, width: 128, height: 128,
                                        frameRate: Rational(num: 25, den: 1))
        for image in frames { try encoder.write(image) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "nothing at the final name until finish")
        let bytes = try encoder.finish()
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.size] as? NSNumber)?.intValue, bytes)
        return (path, bytes)
    }

    private func checkLadder(_ codec: AnchorCodec, low: Int, high: Int) throws {
        let media = try TestMedia()
        let source = clip()
        let fine = try encode(source, codec: codec, crf: low, in: media)
        let coarse = try encode(source, codec: codec, crf: high, in: media)
        print("\(codec.rawValue): crf \(low) \(fine.bytes) bytes, crf \(high) \(coarse.bytes) bytes")
        XCTAssertLessThan(coarse.bytes, fine.bytes, "a higher CRF gives a smaller file")
        let back = try decode(fine.path)
        XCTAssertEqual(back.count, source.count)
        XCTAssertEqual(try decode(coarse.path).count, source.count)
        XCTAssertGreaterThan(psnr(back[5].pixels, source[5].pixels), 28)
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: coarse.path)), as: UTF8.self)
        XCTAssertFalse(text.contains("Multicoreware"), "no x265 version SEI counted as video")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: media.directory.path)
            .filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testHEVCAnchorLadder() throws { try checkLadder(.hevc, low: 22, high: 51) }

    func testAV1AnchorLadder() throws { try checkLadder(.av1, low: 25, high: 63) }

    func testBadArgumentsAreRefusedNamingTheFile() throws {
        let media = try TestMedia()
        let path = media.path("bad.hevc")
        XCTAssertThrowsError(try AnchorEncoder(path: path, codec: .hevc, crf: 60, width: 64, height: 64,
                                               frameRate: Rational(num: 25, den: 1))) { error in
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
        XCTAssertThrowsError(try AnchorEncoder(path: path, codec: .av1, crf: 30, width: 63, height: 64,
                                               frameRate: Rational(num: 25, den: 1)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }
}
