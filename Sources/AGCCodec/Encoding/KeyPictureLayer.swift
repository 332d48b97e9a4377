import AGCBitstream
import AGCMedia

/// The conventional layer: every key picture of the stream in one low-delay sequence of the
/// key-frame codec. The first picture, and one at least every `idrInterval` frames, is a
/// random-access picture; the others are predicted from the key pictures before them. Each
/// picture is decoded at once by the same decoder the decoder uses, so encoder and decoder
/// animate from identical pictures.
final class KeyPictureLayer {
    private let encoder: KeyPictureEncoder
    private let decoder: KeyPictureDecoder
    private let size: Int
    /// Frames between random-access pictures at most; 0: every key picture is random-access.
    private let idrInterval: Int
    private var lastRandomAccess: Int?

    /// A key picture as sent and as every decoder shows it.
    struct Coded {
        var packet: [UInt8]
        var isRandomAccess: Bool
        var picture: RGBImage
    }

    init(options: EncoderOptions, frameRate: Double) throws {
        size = options.size
        // The coarsest QPs leave no room for the whole offset: predicted pictures stop at the
        // codec's coarsest quantizer. AV1 key pictures use one quantizer (no offset).
        let offset = options.keyFrameCodec != .hevc ? 0
            : max(0, min(options.predictedQPOffset, options.keyFrameCodec.qpRange.upperBound - options.keyFrameQP))
        encoder = try KeyPictureEncoder(codec: options.keyFrameCodec, width: size, height: size, qp: options.keyFrameQP,
                                        predictedQPOffset: offset, preset: options.keyFramePreset, tune: options.keyFrameTune)
        decoder = try KeyPictureDecoder(codec: options.keyFrameCodec)
        idrInterval = options.idrInterval > 0 ? max(1, Int((options.idrInterval * frameRate).rounded())) : 0
    }

    /// Codes `image`, the key picture of frame `frame`.
    func code(_ image: RGBImage, frame: Int) throws -> Coded {
        let randomAccess = lastRandomAccess.map { idrInterval == 0 || frame - $0 >= idrInterval } ?? true
        let packet = try encoder.encode(image, randomAccess: randomAccess)
        let picture = try decoder.decode(packet, width: size, height: size, randomAccess: randomAccess)
        if randomAccess { lastRandomAccess = frame }
        return Coded(packet: [UInt8](packet), isRandomAccess: randomAccess, picture: picture)
    }
}
