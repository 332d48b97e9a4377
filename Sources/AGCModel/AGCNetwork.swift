import AGCKernels
import Crypto
import Foundation

/// The whole float network: keypoint detector, dense motion network and generator, with the
/// description of the weights it runs.
public struct AGCNetwork: Sendable {
    public let description: ModelDescription
    public let keypointDetector: KeypointDetector
    public let denseMotion: DenseMotion
    public let generator: Generator

    public var config: ModelConfig { description.config }

    /// Loads `weights` (safetensors) described by `descriptionURL` (JSON), checking the weights'
    /// SHA-256 against the description.
    public init(weights: URL, description descriptionURL: URL) throws {
        let descriptionData: Data
        do {
            descriptionData = try Data(contentsOf: descriptionURL)
        } catch {
            throw ModelError.unreadable(descriptionURL.path, error.localizedDescription)
        }
        let description: ModelDescription
        do {
            description = try JSONDecoder().decode(ModelDescription.self, from: descriptionData)
        } catch {
            throw ModelError.malformed(descriptionURL.path, "not a model description: \(error)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: weights)
        } catch {
            throw ModelError.unreadable(weights.path, error.localizedDescription)
        }
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        guard digest == description.sha256 else {
            throw ModelError.hashMismatch(weights.path, expected: description.sha256, found: digest)
        }
        let loader = LayerLoader(file: try SafeTensors(data: data, name: weights.path))
        self.description = description
        keypointDetector = try KeypointDetector(loader, config: description.config)
        denseMotion = try DenseMotion(loader, config: description.config)
        generator = try Generator(loader, config: description.config)
    }

    /// The model shipped in the package.
    public static func bundled() throws -> AGCNetwork {
        guard let weights = Bundle.module.url(forResource: "agc-model", withExtension: "safetensors"),
              let description = Bundle.module.url(forResource: "agc-model", withExtension: "json")
        else { throw ModelError.unreadable("agc-model", "the bundled model is missing from the package resources") }
        return try AGCNetwork(weights: weights, description: description)
    }

    /// Rebuilds a frame from the key frame, its keypoints and the frame's keypoints.
    public func animate(source: Tensor, kpSource: [Keypoint], kpDriving: [Keypoint]) -> Tensor {
        let motion = denseMotion(source: source, kpSource: kpSource, kpDriving: kpDriving)
        return generator(source: source, motion: motion)
    }
}

/// Conversions between 8-bit RGB pictures and the network's [0, 1] tensors.
public enum FrameConversion {
    /// Packed RGB24 -> 3 x height x width in [0, 1].
    public static func tensor(rgb: [UInt8], width: Int, height: Int) -> Tensor {
        let n = width * height
        precondition(rgb.count == 3 * n, "RGB buffer does not match its size")
        var data = [Float](repeating: 0, count: 3 * n)
        for p in 0..<n {
            for c in 0..<3 { data[c * n + p] = Float(rgb[3 * p + c]) / 255 }
        }
        return Tensor(channels: 3, height: height, width: width, data: data)
    }

    /// 3 x height x width -> packed RGB24, clamped to [0, 1] and rounded to nearest.
    public static func rgb(_ t: Tensor) -> [UInt8] {
        let n = t.planeSize
        var out = [UInt8](repeating: 0, count: 3 * n)
        for p in 0..<n {
            for c in 0..<3 {
                out[3 * p + c] = UInt8(min(max(t.data[c * n + p], 0), 1) * 255 + 0.5)
            }
        }
        return out
    }
}
