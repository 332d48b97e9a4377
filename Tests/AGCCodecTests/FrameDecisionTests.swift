@testable import AGCCodec
import AGCMetrics
import XCTest

/// The decision rules on synthetic planes (and on given scores) whose MS-SSIM-Y is known only by measuring it:
/// the tests compare choices, not numbers.
final class FrameDecisionTests: XCTestCase {
    /// A 256x256 luma ramp (MS-SSIM needs the codec's size) and copies with noise of growing strength.
    private func plane(noise: Int, seed: UInt64 = 1) -> Plane {
        var state = seed
        let values = (0..<(256 * 256)).map { i -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let jitter = noise == 0 ? 0 : Int(state >> 33) % (2 * noise + 1) - noise
            return Float(min(255, max(0, (i % 256) / 2 + (i / 256) / 2 + jitter)))
        }
        return Plane(width: 256, height: 256, values: values)
    }

    func testThresholdRule() {
        let decision = FrameDecision(threshold: .msssim(0.9), rule: .threshold)
        let source = plane(noise: 0)
        XCTAssertEqual(decision.choose(source: source, rebuilt: plane(noise: 2), key: plane(noise: 40), keypointBits: 40),
                       .generated)
        XCTAssertEqual(decision.choose(source: source, rebuilt: plane(noise: 40), key: plane(noise: 2), keypointBits: 40),
                       .repeat)
        XCTAssertEqual(decision.choose(source: source, rebuilt: plane(noise: 80), key: plane(noise: 90), keypointBits: 40),
                       .keyPicture)
    }

    /// The reachable rule is the threshold rule while key pictures reach the threshold; after a
    /// key picture that scored below it, a frame within the slack of that score needs none and
    /// a frame clearly below it still does.
    func testReachableRuleCapsTheBarAtTheKeyPictures() {
        var decision = FrameDecision(threshold: .msssim(0.99), rule: .reachable)
        XCTAssertEqual(decision.choose(generated: 0.98, repeated: 0.5, keypointBits: 40), .keyPicture, "no key picture yet")
        decision.keyPictureCoded(bits: 800, quality: 0.995, randomAccess: true)
        XCTAssertEqual(decision.choose(generated: 0.98, repeated: 0.5, keypointBits: 40), .keyPicture, "key pictures reach it")
        XCTAssertEqual(decision.choose(generated: 0.991, repeated: 0.5, keypointBits: 40), .generated)
        decision.keyPictureCoded(bits: 800, quality: 0.96, randomAccess: false)
        // Distortion 0.04 x 1.25 = 0.05: frames down to 0.95 need no key picture.
        XCTAssertEqual(decision.choose(generated: 0.955, repeated: 0.5, keypointBits: 40), .generated)
        XCTAssertEqual(decision.choose(generated: 0.5, repeated: 0.952, keypointBits: 40), .repeat)
        XCTAssertEqual(decision.choose(generated: 0.94, repeated: 0.5, keypointBits: 40), .keyPicture)
        var threshold = FrameDecision(threshold: .msssim(0.99), rule: .threshold)
        threshold.keyPictureCoded(bits: 800, quality: 0.96, randomAccess: false)
        XCTAssertEqual(threshold.choose(generated: 0.955, repeated: 0.5, keypointBits: 40), .keyPicture, "the threshold rule keeps its bar")
    }

    /// Before any predicted key picture the RD rule is the threshold rule; after, a frame just
    /// below the threshold gets a key picture when key pictures have lately been cheap and
    /// none when they have lately been dear, at the same clip-average cost.
    func testRDRuleFollowsKeyPictureCost() {
        let source = plane(noise: 0), rebuilt = plane(noise: 28), key = plane(noise: 120)
        let quality = Quality.msssim(source, rebuilt)
        let threshold = QualityThreshold.msssim(quality + 0.002)  // the rebuilt frame is just below it
        var decision = FrameDecision(threshold: threshold, rule: .rd)
        XCTAssertEqual(decision.choose(source: source, rebuilt: rebuilt, key: key, keypointBits: 40), .keyPicture)
        decision.keyPictureCoded(bits: 50_000, quality: 0.99, randomAccess: true)  // not counted
        XCTAssertEqual(decision.choose(source: source, rebuilt: rebuilt, key: key, keypointBits: 40), .keyPicture)

        var cheapLately = decision, dearLately = decision
        for bits in [8000, 8000, 1000, 1000, 1000] { cheapLately.keyPictureCoded(bits: bits, quality: 0.99, randomAccess: false) }
        for bits in [1000, 1000, 8000, 8000, 8000] { dearLately.keyPictureCoded(bits: bits, quality: 0.99, randomAccess: false) }
        XCTAssertEqual(cheapLately.choose(source: source, rebuilt: rebuilt, key: key, keypointBits: 40), .keyPicture)
        XCTAssertEqual(dearLately.choose(source: source, rebuilt: rebuilt, key: key, keypointBits: 40), .generated)
        // Far below the threshold a key picture comes either way; well above it none does.
        let poor = plane(noise: 90)
        XCTAssertEqual(dearLately.choose(source: source, rebuilt: poor, key: key, keypointBits: 40), .keyPicture)
        let good = plane(noise: 3)
        XCTAssertEqual(cheapLately.choose(source: source, rebuilt: good, key: key, keypointBits: 40), .generated)
    }
}
