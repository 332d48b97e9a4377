@testable import AGCRD
import Foundation
import XCTest

final class BjontegaardTests: XCTestCase {
    /// A plausible anchor: quality rising with log-rate, not linearly.
    let anchor = [(12.0, 30.1), (18.0, 32.4), (27.0, 34.2), (41.0, 35.9), (60.0, 37.0)]
        .map { RatePoint(kbps: $0.0, quality: $0.1) }

    func scaled(_ points: [RatePoint], rate: Double = 1, quality: Double = 0) -> [RatePoint] {
        points.map { RatePoint(kbps: $0.kbps * rate, quality: $0.quality + quality) }
    }

    func testIdenticalCurvesGiveZero() throws {
        XCTAssertEqual(try XCTUnwrap(Bjontegaard.rate(anchor: anchor, test: anchor)), 0, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(Bjontegaard.quality(anchor: anchor, test: anchor)), 0, accuracy: 1e-12)
    }

    func testRateShiftedByTenPercentGivesMinusTenPercent() throws {
        let test = scaled(anchor, rate: 0.9)
        XCTAssertEqual(try XCTUnwrap(Bjontegaard.rate(anchor: anchor, test: test)), -10, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(Bjontegaard.rate(anchor: anchor, test: scaled(anchor, rate: 1.25))), 25,
                       accuracy: 1e-9)
        // Swapping the roles inverts the ratio: 1 / 0.9 - 1.
        XCTAssertEqual(try XCTUnwrap(Bjontegaard.rate(anchor: test, test: anchor)), (1 / 0.9 - 1) * 100,
                       accuracy: 1e-9)
    }

    func testAgreesWithSciPyPCHIP() throws {
        // Measured-looking curves (kb/s, MS-SSIM-Y); the reference is SciPy 1.17's PchipInterpolator
        // integrated over the overlapping quality range, (10^mean - 1) * 100.
        let anchor = [(8.28, 0.8503), (10.01, 0.9006), (12.65, 0.9291), (17.56, 0.9595), (27.02, 0.9763),
                      (44.16, 0.9862)].map { RatePoint(kbps: $0.0, quality: $0.1) }
        let test = [(6.56, 0.8596), (15.45, 0.9206), (20.99, 0.9365), (28.79, 0.9431), (60.33, 0.9691)]
            .map { RatePoint(kbps: $0.0, quality: $0.1) }
        XCTAssertEqual(try XCTUnwrap(Bjontegaard.rate(anchor: anchor, test: test)), 37.277722982108116,
                       accuracy: 1e-9)
    }

    func testQualityShiftGivesBDQuality() throws {
        XCTAssertEqual(try XCTUnwrap(Bjontegaard.quality(anchor: anchor, test: scaled(anchor, quality: 0.5))), 0.5,
                       accuracy: 1e-9)
    }

    func testPartialOverlapUsesOnlyTheCommonRange() throws {
        // The test curve covers only the upper part of the anchor's quality range, shifted by -20% rate.
        let test = Array(scaled(anchor, rate: 0.8).suffix(3))
        XCTAssertEqual(try XCTUnwrap(Bjontegaard.rate(anchor: anchor, test: test)), -20, accuracy: 0.5)
    }

    func testNoOverlapGivesNil() {
        let high = scaled(anchor, rate: 0.5, quality: 10)
        XCTAssertNil(Bjontegaard.rate(anchor: anchor, test: high), "quality ranges do not overlap")
        XCTAssertNotNil(Bjontegaard.quality(anchor: anchor, test: high), "rate ranges do")
        XCTAssertNil(Bjontegaard.quality(anchor: anchor, test: scaled(anchor, rate: 100)))
        XCTAssertNil(Bjontegaard.rate(anchor: Array(anchor.prefix(1)), test: anchor))
    }

    func testEnvelopeDropsPointsThatCostMoreForNoBetterQuality() {
        let points = [RatePoint(kbps: 10, quality: 0.9), RatePoint(kbps: 20, quality: 0.88),
                      RatePoint(kbps: 15, quality: 0.93), RatePoint(kbps: 0, quality: 0.99),
                      RatePoint(kbps: 30, quality: .nan)]
        XCTAssertEqual(Bjontegaard.envelope(points),
                       [RatePoint(kbps: 10, quality: 0.9), RatePoint(kbps: 15, quality: 0.93)])
    }

    func testPCHIPInterpolatesIsMonotoneAndIntegratesExactly() {
        let x = [0.0, 1, 2, 4, 5], y = [0.0, 1, 1.5, 4, 4.2]
        let f = PCHIP(x: x, y: y)
        for (xi, yi) in zip(x, y) { XCTAssertEqual(f.value(at: xi), yi, accuracy: 1e-12) }
        var last = -Double.infinity
        for i in 0...500 {
            let v = f.value(at: Double(i) / 100)
            XCTAssertGreaterThanOrEqual(v, last - 1e-12, "monotone data stay monotone")
            last = v
        }
        // Numerical integration agrees with the exact one.
        var sum = 0.0
        let steps = 20000
        for i in 0..<steps { sum += f.value(at: 5 * (Double(i) + 0.5) / Double(steps)) * 5 / Double(steps) }
        XCTAssertEqual(f.integral(from: 0, to: 5), sum, accuracy: 1e-6)
        // A straight line is reproduced exactly.
        let line = PCHIP(x: [1, 2, 3], y: [2, 4, 6])
        XCTAssertEqual(line.integral(from: 1.5, to: 3), (3 * 3 - 1.5 * 1.5), accuracy: 1e-12)
    }

    func testLowestRateReachingATarget() throws {
        let curve = [RatePoint(kbps: 5, quality: 0.82), RatePoint(kbps: 10, quality: 0.88),
                     RatePoint(kbps: 20, quality: 0.92), RatePoint(kbps: 40, quality: 0.95)]
        XCTAssertEqual(Bjontegaard.lowestMeasuredRate(reaching: 0.90, on: curve), 20)
        let interpolated = try XCTUnwrap(Bjontegaard.rate(reaching: 0.90, on: curve))
        XCTAssertGreaterThan(interpolated, 10)
        XCTAssertLessThan(interpolated, 20)
        XCTAssertNil(Bjontegaard.rate(reaching: 0.99, on: curve))
        XCTAssertEqual(Bjontegaard.rate(reaching: 0.5, on: curve), 5, "no extrapolation below the cheapest point")
    }
}
