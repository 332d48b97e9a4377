import AGCMedia
import XCTest
@testable import AGCCodec

/// `--crf`: one number moving along the measured best combinations, monotone in rate and quality.
final class QualityLadderTests: XCTestCase {
    func settings(_ crf: Int, codec: IntraCodec = .hevc) -> EncoderOptions {
        var options = EncoderOptions()
        options.keyFrameCodec = codec
        QualityLadder.apply(crf: crf, to: &options)
        return options
    }

    func threshold(_ o: EncoderOptions) -> Double {
        if case .msssim(let v) = o.minQuality { return v }
        XCTFail("an MS-SSIM threshold")
        return 0
    }

    func testMeasuredPointsAndMonotone() {
        for point in QualityLadder.points {
            let o = settings(point.crf)
            XCTAssertEqual(o.keyFrameQP, point.qp)
            XCTAssertEqual(o.keypointStepDenominator, point.step)
            XCTAssertEqual(threshold(o), point.threshold, accuracy: 1e-9)
        }
        for crf in QualityLadder.range.dropFirst() {
            let finer = settings(crf - 1), coarser = settings(crf)
            XCTAssertLessThanOrEqual(finer.keyFrameQP, coarser.keyFrameQP)
            XCTAssertGreaterThan(threshold(finer), threshold(coarser) - 1e-9, "crf \(crf)")
            XCTAssertTrue(finer.keyFrameQP < coarser.keyFrameQP || threshold(finer) > threshold(coarser)
                          || finer.keypointStepDenominator > coarser.keypointStepDenominator, "crf \(crf - 1) finer than \(crf)")
            XCTAssertGreaterThanOrEqual(finer.keypointStepDenominator, coarser.keypointStepDenominator)
        }
        XCTAssertEqual(threshold(settings(42)), 0.89, accuracy: 1e-9, "halfway between 46 and 38")
        XCTAssertEqual(settings(42).keyFrameQP, 40)
        XCTAssertEqual(settings(38, codec: .av1).keyFrameQP, 48, "libaom's scale")
    }

    func testTheDefaultsAreTheDefaultCRF() {
        let defaults = EncoderOptions(), ladder = settings(QualityLadder.defaultCRF)
        XCTAssertEqual(defaults.keyFrameQP, ladder.keyFrameQP)
        XCTAssertEqual(defaults.minQuality, ladder.minQuality)
        XCTAssertEqual(defaults.keypointStepDenominator, ladder.keypointStepDenominator)
    }
}
