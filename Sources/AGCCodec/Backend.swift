import AGCFPGA
import AGCKernels
import AGCMedia
import AGCModel

/// What rebuilds frames from the key frame and keypoints. One protocol, one implementation per
/// `--backend`, chosen once per run; the encoder's closed loop and the decoder use the same one.
public protocol ReconstructionBackend: AnyObject {
    /// The network's identifier and weights hash, as written in the sequence header.
    var modelIdentifier: String { get }
    var modelSHA256: String { get }
    var keypointCount: Int { get }
    var frameSize: Int { get }

    /// Sets the (decoded) key frame and the keypoints it is animated from.
    func setKeyFrame(_ image: RGBImage, keypoints: [Keypoint])
    /// Keypoints of any frame (the encoder's analysis).
    func keypoints(of image: RGBImage) -> [Keypoint]
    /// The current key frame re-animated to `keypoints`.
    func rebuild(keypoints: [Keypoint]) -> RGBImage
}

/// The backends a user can name.
public enum BackendKind: String, CaseIterable, Sendable {
    case float
    case emulator
    case fpga

    /// Makes the backend, or throws a clear error when it is not available: never a silent fallback.
    public func make() throws -> ReconstructionBackend {
        switch self {
        case .float: return try FloatBackend(network: AGCNetwork.bundled())
        case .emulator, .fpga: throw CodecError.badArgument("--backend \(rawValue): \(AGCFPGA.unavailableReason)")
        }
    }
}

/// The float network in Swift.
public final class FloatBackend: ReconstructionBackend {
    public let network: AGCNetwork
    private var key = Tensor(channels: 3, height: 1, width: 1)
    private var keyKeypoints: [Keypoint] = []

    public init(network: AGCNetwork) {
        self.network = network
    }

    public var modelIdentifier: String { network.description.identifier }
    public var modelSHA256: String { network.description.sha256 }
    public var keypointCount: Int { network.config.numKp }
    public var frameSize: Int { network.config.size }

    public func setKeyFrame(_ image: RGBImage, keypoints: [Keypoint]) {
        key = FrameConversion.tensor(rgb: image.pixels, width: image.width, height: image.height)
        keyKeypoints = keypoints
    }

    public func keypoints(of image: RGBImage) -> [Keypoint] {
        network.keypointDetector(FrameConversion.tensor(rgb: image.pixels, width: image.width, height: image.height))
    }

    public func rebuild(keypoints: [Keypoint]) -> RGBImage {
        let out = network.animate(source: key, kpSource: keyKeypoints, kpDriving: keypoints)
        return RGBImage(width: out.width, height: out.height, pixels: FrameConversion.rgb(out))
    }
}
