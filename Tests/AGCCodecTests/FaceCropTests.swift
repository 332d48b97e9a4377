import AGCMedia
import XCTest
@testable import AGCCodec

/// `--crop auto` on the landscape and portrait clips of the team's data (skipped where absent).
final class FaceCropTests: XCTestCase {
    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/train").standardized.path

    func clip(_ name: String) throws -> String {
        let path = (Self.data as NSString).appendingPathComponent(name)
        try XCTSkipUnless(FileManager.default.fileExists(atPath: path), "\(path) not present")
        return path
    }

    func testLandscapeFaceOffCentre() throws {
        let path = try clip("lp-s32-1280x720.mp4")
        let crop = try XCTUnwrap(try CropChooser.faceSquare(path: path, detector: try FaceDetector()), "no face found")
        XCTAssertEqual(crop.width, crop.height)
        XCTAssertTrue(crop.fits(width: 1280, height: 720), "\(crop)")
        XCTAssertNotEqual(crop, CropChooser.centreSquare(width: 1280, height: 720), "face should move the crop")
    }

    func testPortraitFaceInUpperPart() throws {
        let path = try clip("lp-s20-480x908.mp4")
        let crop = try XCTUnwrap(try CropChooser.faceSquare(path: path, detector: try FaceDetector()), "no face found")
        XCTAssertEqual(crop.width, crop.height)
        XCTAssertTrue(crop.fits(width: 480, height: 908), "\(crop)")
        XCTAssertLessThan(crop.y + crop.height / 2, 908 / 2, "the face is in the upper half: \(crop)")
    }

    func testCropArguments() {
        XCTAssertEqual(CropMode(argument: "auto"), .auto)
        XCTAssertEqual(CropMode(argument: "full"), .full)
        XCTAssertEqual(CropMode(argument: "10,20,300,300"), .rect(CropRect(x: 10, y: 20, width: 300, height: 300)))
        XCTAssertNil(CropMode(argument: "10,20,300"))
        XCTAssertNil(CropMode(argument: "a,b,c,d"))
        XCTAssertNil(CropMode(argument: "0,0,0,10"))
    }

    func testMissingCascadeIsAClearError() {
        XCTAssertThrowsError(try FaceDetector(cascadePath: "/nonexistent/cascade.xml")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/cascade.xml"))
        }
    }
}
