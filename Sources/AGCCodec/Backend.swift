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
    /// Hashes of the models whose streams this backend decodes: its own, and the float or INT8
    /// twin of the same trained network (decoded closely, not bit for bit).
    var acceptedModelSHA256: Set<String> { get }
    var keypointCount: Int { get }
    var frameSize: Int { get }

    /// Sets the (decoded) key frame and the keypoints it is animated from.
    func setKeyFrame(_ image: RGBImage, keypoints: [Keypoint]) throws
    /// Keypoints of any frame (the encoder's analysis).
    func keypoints(of image: RGBImage) throws -> [Keypoint]
    /// The current key frame re-animated to `keypoints`.
    func rebuild(keypoints: [Keypoint]) throws -> RGBImage
}

/// The backends a user can name.
public enum BackendKind: String, CaseIterable, Sendable {
    case float
    case emulator
    case fpga

    /// Makes the backend for the package's current model (what an encoder writes with), or throws
    /// a clear error when it is not available: never a silent fallback.
    /// `deviceTimeout`: seconds one run on the device may take (`DeviceRunner`'s time-out).
    public func make(threads: Int = KernelThreads.count, device: String? = nil,
                     deviceTimeout: Double = DeviceRunner.defaultTimeout) throws -> ReconstructionBackend {
        switch self {
        case .float: return try FloatBackend(network: AGCNetwork.bundled())
        case .emulator: return try IntegerBackend.emulator(threads: threads)
        case .fpga: return try IntegerBackend.device(path: device, timeout: deviceTimeout)
        }
    }

    /// Makes the backend for a catalogue entry: the INT8 backends run any INT8 model; the float
    /// backend has only the current model's float network (retired models ship as INT8 alone).
    public func make(_ entry: ModelCatalog.Entry, catalog: ModelCatalog, threads: Int = KernelThreads.count,
                     device: String? = nil, deviceTimeout: Double = DeviceRunner.defaultTimeout) throws -> ReconstructionBackend {
        switch self {
        case .float:
            guard entry.origin == .current else {
                throw CodecError.modelMismatch("model \(entry.graph.identifier) is kept as INT8 only: "
                    + "decode its streams with --backend emulator or fpga")
            }
            return try make(threads: threads, device: device, deviceTimeout: deviceTimeout)
        case .emulator: return try IntegerBackend.emulator(model: catalog.load(entry), threads: threads)
        case .fpga: return try IntegerBackend.device(model: catalog.load(entry), path: device, timeout: deviceTimeout)
        }
    }
}

/// The float network in Swift.
public final class FloatBackend: ReconstructionBackend {
    public let network: AGCNetwork
    private var key = Tensor(channels: 3, height: 1, width: 1)
    private var keyKeypoints: [Keypoint] = []
    public let acceptedModelSHA256: Set<String>

    public init(network: AGCNetwork) {
        self.network = network
        var accepted: Set<String> = [network.description.sha256]
        if let int8 = try? QuantizedModel.bundledGraph(), int8.floatModel.sha256 == network.description.sha256 {
            accepted.insert(int8.sha256)
        }
        acceptedModelSHA256 = accepted
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

/// The INT8 decoder network compiled for the accelerator, run by the emulator or the device:
/// the normative decoder. Keypoint analysis (encoder only) uses the float keypoint detector,
/// loaded the first time it is needed (a decoder never loads it).
public final class IntegerBackend: ReconstructionBackend {
    public let model: QuantizedModel
    public let decoder: IntegerDecoder
    private var detector: AGCNetwork?
    public let acceptedModelSHA256: Set<String>
    /// Key frames set and frames rebuilt so far (for the hardware report).
    public private(set) var keyFramesSet = 0
    public private(set) var framesRebuilt = 0

    public init(model: QuantizedModel, decoder: IntegerDecoder) {
        self.model = model
        self.decoder = decoder
        acceptedModelSHA256 = [model.graph.sha256, model.graph.floatModel.sha256]
    }

    /// An INT8 model (by default the package's current one) on the emulator.
    public static func emulator(model: QuantizedModel? = nil, threads: Int) throws -> IntegerBackend {
        let model = try model ?? QuantizedModel.bundled()
        let program = try Compiler.compile(model)
        return IntegerBackend(model: model, decoder: IntegerDecoder(program: program, runner: EmulatedAccelerator(program: program, threads: threads)))
    }

    /// An INT8 model (by default the package's current one) on the accelerator at `path`.
    public static func device(model: QuantizedModel? = nil, path: String?,
                              timeout: Double = DeviceRunner.defaultTimeout) throws -> IntegerBackend {
        guard let path else {
            throw CodecError.badArgument("--backend fpga needs --device PATH (a UIO device, or a simulated device's folder)")
        }
        let model = try model ?? QuantizedModel.bundled()
        let program = try Compiler.compile(model)
        let runner: InstructionRunner
        do {
            runner = try DeviceRunner(path: path, program: program, timeout: timeout)
        } catch {
            throw CodecError.badArgument("--device \(path): \(error)")
        }
        return IntegerBackend(model: model, decoder: IntegerDecoder(program: program, runner: runner))
    }

    public var modelIdentifier: String { model.identifier }
    public var modelSHA256: String { model.graph.sha256 }
    public var keypointCount: Int { model.config.numKp }
    public var frameSize: Int { model.config.size }

    public func setKeyFrame(_ image: RGBImage, keypoints: [Keypoint]) throws {
        keyFramesSet += 1
        try decoder.setKeyFrame(planes: PlanarRGB.planes(image.pixels), keypoints: keypoints.map { QuantizedModel.keypointUnits($0) })
    }

    public func keypoints(of image: RGBImage) throws -> [Keypoint] {
        if detector == nil {
            let network = try AGCNetwork.bundled()
            guard network.description.sha256 == model.graph.floatModel.sha256 else {
                throw CodecError.modelMismatch("model \(model.identifier) was quantized from \(model.graph.floatModel.identifier), "
                    + "but the package's keypoint detector is \(network.description.identifier): encoders write with the current model")
            }
            detector = network
        }
        return detector!.keypointDetector(FrameConversion.tensor(rgb: image.pixels, width: image.width, height: image.height))
    }

    public func rebuild(keypoints: [Keypoint]) throws -> RGBImage {
        framesRebuilt += 1
        let planes = try decoder.rebuild(keypoints: keypoints.map { QuantizedModel.keypointUnits($0) })
        return RGBImage(width: frameSize, height: frameSize, pixels: PlanarRGB.packed(planes))
    }
}

extension IntegerBackend {
    /// The performance and energy model of this backend's program on `config`, with the
    /// emulator's measured time per engine when the emulator ran, and this run's totals.
    public func hardwareReport(config: HardwareConfig = .pynqZ1) -> HardwareReport {
        var report = HardwareReport(program: decoder.program, config: config)
        if let emulator = decoder.runner as? EmulatedAccelerator, framesRebuilt > 0 {
            report.addMeasurement(program: decoder.program, secondsByDescriptor: emulator.executor.secondsByDescriptor,
                                  frames: framesRebuilt, threads: emulator.executor.threads)
        }
        report.addRun(keyFrames: keyFramesSet, rebuiltFrames: framesRebuilt)
        return report
    }
}
