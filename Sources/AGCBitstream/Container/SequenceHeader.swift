/// A positive rational number, e.g. a frame rate of 30000/1001.
public struct Rational: Hashable, Codable, Sendable, CustomStringConvertible {
    public var numerator: Int
    public var denominator: Int

    public init(_ numerator: Int, _ denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    public var doubleValue: Double { Double(numerator) / Double(denominator) }
    public var description: String { "\(numerator)/\(denominator)" }
}

/// A rectangle in pixels.
public struct CropRect: Hashable, Codable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// The codec of the key frames' packets. Extensible: unknown values read back as is.
public struct KeyFrameCodec: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public var rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// HEVC / H.265 (e.g. libx265), intra only.
    public static let hevc = KeyFrameCodec(rawValue: 1)
    /// AV1 (e.g. SVT-AV1), intra only.
    public static let av1 = KeyFrameCodec(rawValue: 2)

    public var description: String {
        switch self {
        case .hevc: return "hevc"
        case .av1: return "av1"
        default: return "codec \(rawValue)"
        }
    }
}

/// One key/value pair of free-form metadata (e.g. "encoder" = "agc-encode 0.1").
public struct MetadataEntry: Hashable, Codable, Sendable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// The sequence header: everything a decoder needs before the first key frame.
public struct SequenceHeader: Hashable, Codable, Sendable {
    /// Size of the pictures the model works on (square in practice, e.g. 256 x 256).
    public var codedWidth: Int
    public var codedHeight: Int
    /// Frames per second.
    public var frameRate: Rational
    /// Frames in the stream; 0 when not known when the header was written (see the index).
    public var frameCount: Int
    /// The source video's size as stored, before rotation.
    public var sourceWidth: Int
    public var sourceHeight: Int
    /// Clockwise rotation applied to the source before cropping: 0, 90, 180 or 270 degrees.
    public var rotation: Int
    /// The coded region, in the rotated (upright) source picture.
    public var crop: CropRect
    /// The generative model the stream was made for, e.g. "agc-fomm-256-k10".
    public var modelIdentifier: String
    /// SHA-256 of the model's weights (32 bytes); a decoder with another model must refuse.
    public var modelHash: [UInt8]
    /// K, keypoints per frame.
    public var keypointCount: Int
    /// D: keypoints are quantized with step 1/D.
    public var keypointStepDenominator: UInt32
    /// The codec of key-frame packets.
    public var keyFrameCodec: KeyFrameCodec
    /// Whether the stream carries audio units.
    public var hasAudio: Bool
    /// Free-form key/value pairs, in order.
    public var metadata: [MetadataEntry]
    /// Frames per picture hash (0: the stream carries none). Appended field.
    public var pictureHashGroup: Int = 0

    public init(codedWidth: Int, codedHeight: Int, frameRate: Rational, frameCount: Int,
                sourceWidth: Int, sourceHeight: Int, rotation: Int = 0, crop: CropRect,
                modelIdentifier: String, modelHash: [UInt8], keypointCount: Int,
                keypointStepDenominator: UInt32, keyFrameCodec: KeyFrameCodec = .hevc,
                hasAudio: Bool = false, metadata: [MetadataEntry] = []) {
        self.codedWidth = codedWidth
        self.codedHeight = codedHeight
        self.frameRate = frameRate
        self.frameCount = frameCount
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.rotation = rotation
        self.crop = crop
        self.modelIdentifier = modelIdentifier
        self.modelHash = modelHash
        self.keypointCount = keypointCount
        self.keypointStepDenominator = keypointStepDenominator
        self.keyFrameCodec = keyFrameCodec
        self.hasAudio = hasAudio
        self.metadata = metadata
    }

    /// The keypoint quantizer the header describes.
    public var quantizer: KeypointQuantizer {
        get throws { try KeypointQuantizer(stepDenominator: keypointStepDenominator) }
    }

    /// The source size after rotation, the space the crop is in.
    public var uprightSourceSize: (width: Int, height: Int) {
        rotation % 180 == 0 ? (sourceWidth, sourceHeight) : (sourceHeight, sourceWidth)
    }

    /// The model hash as lowercase hex.
    public var modelHashHex: String { modelHash.map { String($0, radix: 16).leftPadded(to: 2) }.joined() }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
