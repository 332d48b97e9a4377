import XCTest
@testable import AGCMetrics

final class QualityTests: XCTestCase {
    func ramp(_ w: Int, _ h: Int, _ f: (Int, Int) -> Float) -> Plane {
        Plane(width: w, height: h, values: (0..<(w * h)).map { f($0 % w, $0 / w) })
    }

    func testIdenticalPlanes() {
        let a = ramp(64, 48) { x, y in Float((x * 7 + y * 13) % 256) }
        XCTAssertEqual(Quality.psnr(a, a), .infinity)
        XCTAssertEqual(Quality.ssim(a, a), 1, accuracy: 1e-6)
        XCTAssertEqual(Quality.msssim(ramp(256, 256) { x, y in Float((x ^ y) & 255) },
                                      ramp(256, 256) { x, y in Float((x ^ y) & 255) }), 1, accuracy: 1e-6)
    }

    func testPSNROfAConstantOffset() {
        let a = ramp(32, 32) { x, _ in Float(x) }
        let b = ramp(32, 32) { x, _ in Float(x) + 2 }
        // MSE 4: 10 log10(255^2 / 4)
        XCTAssertEqual(Quality.psnr(a, b), 10 * log10(65025.0 / 4), accuracy: 1e-9)
    }

    func testSSIMFallsWithNoise() {
        var rng = SystemRandomNumberGenerator()
        let a = ramp(128, 128) { x, y in 128 + 60 * sinf(Float(x) / 5) * cosf(Float(y) / 7) }
        let light = Plane(width: 128, height: 128, values: a.values.map { $0 + Float.random(in: -3...3, using: &rng) })
        let heavy = Plane(width: 128, height: 128, values: a.values.map { $0 + Float.random(in: -40...40, using: &rng) })
        XCTAssertGreaterThan(Quality.ssim(a, light), Quality.ssim(a, heavy))
        XCTAssertLessThan(Quality.ssim(a, heavy), 0.9)
    }

    func testLumaOfGreyIsStudioRange() {
        let black = Plane.luma(rgb: [0, 0, 0], width: 1, height: 1)
        let white = Plane.luma(rgb: [255, 255, 255], width: 1, height: 1)
        XCTAssertEqual(black.values[0], 16, accuracy: 1e-4)
        XCTAssertEqual(white.values[0], 235, accuracy: 1e-3)
    }
}
