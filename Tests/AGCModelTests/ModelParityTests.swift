import AGCKernels
import XCTest
@testable import AGCModel

/// The Swift float path against PyTorch's outputs of the same (folded, float16-rounded) network,
/// stored by `training/export.py` in `Fixtures/golden.safetensors`.
final class ModelParityTests: XCTestCase {
    static let network = Result { try AGCNetwork.bundled() }
    static let fixtures = Result {
        try SafeTensors(contentsOf: Bundle.module.url(forResource: "golden", withExtension: "safetensors",
                                                      subdirectory: "Fixtures")!)
    }

    func frame(_ name: String, _ f: SafeTensors, size: Int) throws -> Tensor {
        FrameConversion.tensor(rgb: try f.bytes(name), width: size, height: size)
    }

    func keypoints(_ name: String, _ f: SafeTensors) throws -> [Keypoint] {
        let v = try f.floats(name).values
        return stride(from: 0, to: v.count, by: 2).map { Keypoint(v[$0], v[$0 + 1]) }
    }

    func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
        XCTAssertEqual(a.count, b.count)
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    func testFixturesMatchTheShippedWeights() throws {
        let net = try Self.network.get(), f = try Self.fixtures.get()
        XCTAssertEqual(f.metadata["model_sha256"], net.description.sha256)
    }

    func testKeypointDetectorParity() throws {
        let net = try Self.network.get(), f = try Self.fixtures.get()
        let size = net.config.size
        for (image, kps) in [("source_u8", "kp_source"), ("driving_u8", "kp_driving")] {
            let found = net.keypointDetector(try frame(image, f, size: size))
            let expected = try keypoints(kps, f)
            XCTAssertLessThanOrEqual(maxAbsDifference(found.flatMap { [$0.x, $0.y] }, expected.flatMap { [$0.x, $0.y] }), 1e-4)
        }
    }

    func testDenseMotionParity() throws {
        let net = try Self.network.get(), f = try Self.fixtures.get()
        let motion = net.denseMotion(source: try frame("source_u8", f, size: net.config.size),
                                     kpSource: try keypoints("kp_source", f), kpDriving: try keypoints("kp_driving", f))
        XCTAssertLessThanOrEqual(maxAbsDifference(motion.displacement, try f.floats("displacement").values), 1e-4)
        XCTAssertLessThanOrEqual(maxAbsDifference(motion.occlusion.data, try f.floats("occlusion").values), 1e-4)
    }

    func testGeneratorParity() throws {
        let net = try Self.network.get(), f = try Self.fixtures.get()
        let r = net.config.motionRes
        let motion = Motion(displacement: try f.floats("displacement").values,
                            occlusion: Tensor(channels: 1, height: r, width: r, data: try f.floats("occlusion").values))
        let source = try frame("source_u8", f, size: net.config.size)
        XCTAssertLessThanOrEqual(maxAbsDifference(net.generator.warp(source: source, motion: motion).data,
                                                  try f.floats("warped").values), 1e-4)
        XCTAssertLessThanOrEqual(maxAbsDifference(net.generator(source: source, motion: motion).data,
                                                  try f.floats("output").values), 1e-4)
    }

    func testNoMotionReturnsTheKeyFrame() throws {
        let net = try Self.network.get(), f = try Self.fixtures.get()
        let source = try frame("source_u8", f, size: net.config.size)
        let kp = net.keypointDetector(source)
        let motion = net.denseMotion(source: source, kpSource: kp, kpDriving: kp)
        XCTAssertEqual(motion.displacement.max(), 0)
        XCTAssertEqual(motion.displacement.min(), 0)
        XCTAssertEqual(net.generator.warp(source: source, motion: motion).data, source.data)
    }

    func testTamperedWeightsAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agc-model-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("m.json"), bad = dir.appendingPathComponent("m.safetensors")
        let net = try Self.network.get()
        var description = net.description
        description.sha256 = String(repeating: "0", count: 64)
        try JSONEncoder().encode(description).write(to: json)
        try Data([1, 2, 3]).write(to: bad)
        XCTAssertThrowsError(try AGCNetwork(weights: bad, description: json)) { error in
            guard case ModelError.hashMismatch = error else { return XCTFail("\(error)") }
        }
    }
}
