import CFFmpeg
import Foundation

/// Codes the key pictures of an AGC stream as one low-delay sequence of the key-frame codec.
///
/// A random-access picture is an IDR (HEVC, with its VPS/SPS/PPS) or a key frame (AV1, with its
/// sequence header) and decodes on its own; every other picture is predicted (P) from the
/// pictures since the last random-access one (up to `references` of them). No B-frames, no
/// look-ahead, no scene-cut decisions: each `encode` returns its picture's packet at once, so
/// the caller can decode it before choosing what comes next. Constant quantizer: random-access
/// pictures at `qp`, predicted ones at `qp + predictedQPOffset`. Pictures are converted to YUV
/// 4:2:0, BT.601 limited range, with libswscale.
public final class KeyPictureEncoder {
    public let codec: IntraCodec
    public let width: Int
    public let height: Int
    public let qp: Int
    public let predictedQPOffset: Int
    public let references: Int
    /// libx265's preset and tune (HEVC; AV1 key pictures ignore them: libaom runs in its real-time mode).
    public let preset: String
    public let tune: KeyPictureTune

    private let context: CodecContext
    private let options: [(String, String)]
    private var isOpen = false
    private let scaler: Scaler
    private let frame: OwnedFrame
    private let packet: OwnedPacket
    private var pictures: Int64 = 0

    /// An encoder for `width` x `height` pictures (both even) at quantizer `qp` (see `IntraCodec.qpRange`).
    public init(codec: IntraCodec, width: Int, height: Int, qp: Int, predictedQPOffset: Int = 0,
                references: Int = 4, preset: String = "medium", tune: KeyPictureTune = .none) throws(MediaError) {
        let operation = "setting up the \(codec) key-picture encoder"
        guard width > 0, height > 0, width % 2 == 0, height % 2 == 0 else {
            throw MediaError(.invalidArgument, operation: operation,
                             detail: "the size \(width)x\(height) must be positive and even")
        }
        guard codec.qpRange.contains(qp), codec.qpRange.contains(qp + predictedQPOffset), predictedQPOffset >= 0 else {
            throw MediaError(.invalidArgument, operation: operation,
                             detail: "qp \(qp) (+\(predictedQPOffset) for predicted pictures) is outside \(codec.qpRange)")
        }
        guard codec == .hevc || predictedQPOffset == 0 else {
            throw MediaError(.invalidArgument, operation: operation,
                             detail: "a QP offset for predicted pictures needs hevc (libaom codes every AV1 picture at one quantizer)")
        }
        guard KeyPicturePreset.names.contains(preset) else {
            throw MediaError(.invalidArgument, operation: operation,
                             detail: "x265 has no preset \(preset) (\(KeyPicturePreset.names.joined(separator: ", ")))")
        }
        guard (1...4).contains(references) else {
            throw MediaError(.invalidArgument, operation: operation, detail: "\(references) references: 1 to 4")
        }
        self.codec = codec
        self.width = width
        self.height = height
        self.qp = qp
        self.predictedQPOffset = predictedQPOffset
        self.references = references
        self.preset = preset
        self.tune = tune
        scaler = try Scaler(from: (width, height, AV_PIX_FMT_RGB24), to: (width, height, AV_PIX_FMT_YUV420P))
        frame = try OwnedFrame(width: width, height: height, format: AV_PIX_FMT_YUV420P)
        packet = try OwnedPacket()
        context = try CodecContext(codec: try findEncoder(named: codec.encoderName))
        let c = context.pointer
        c.pointee.width = Int32(width)
        c.pointee.height = Int32(height)
        c.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        c.pointee.time_base = AVRational(num: 1, den: 25)
        c.pointee.framerate = AVRational(num: 25, den: 1)
        c.pointee.max_b_frames = 0
        c.pointee.thread_count = 1
        c.pointee.color_range = AVCOL_RANGE_MPEG
        c.pointee.colorspace = AVCOL_SPC_SMPTE170M
        c.pointee.color_primaries = AVCOL_PRI_SMPTE170M
        c.pointee.color_trc = AVCOL_TRC_SMPTE170M
        let options: [(String, String)]
        switch codec {
        case .hevc:
            // x265's constant QP gives I pictures qp - 6 log2(ipratio): with these two the IDRs
            // land on `qp` and the P pictures on qp + offset.
            let ipratio = pow(2, Double(predictedQPOffset) / 6)
            options = [("preset", preset)] + (tune == .none ? [] : [("tune", tune.rawValue)])
                + [("qp", "\(qp + predictedQPOffset)"), ("forced-idr", "1"),
                       ("x265-params", "keyint=-1:min-keyint=1:scenecut=0:open-gop=0:bframes=0:rc-lookahead=0:"
                           + "ref=\(references):repeat-headers=1:info=0:" + String(format: "ipratio=%.6f:", ipratio)
                           + "frame-threads=1:pools=none:log-level=error")]
        case .av1:
            // libaom in its real-time mode without lag: a packet for every picture at once and key
            // frames where asked (SVT-AV1 1.4 through FFmpeg 5.1 held 2-3 pictures back even in its
            // low-delay structure and ignored forced key frames). A fixed quantizer: qmin = qmax.
            c.pointee.qmin = Int32(qp)
            c.pointee.qmax = Int32(qp)
            c.pointee.gop_size = Int32.max
            options = [("usage", "realtime"), ("cpu-used", "6"), ("lag-in-frames", "0"), ("crf", "\(qp)"), ("b", "0"),
                       ("enable-cdef", "1"), ("aq-mode", "0"), ("tiles", "1x1"), ("row-mt", "0")]
        }
        self.options = options
        // Opened at the first picture, so that an encoder that never codes one costs nothing; a
        // refused option surfaces at the first `encode`.
    }

    deinit {
        // Ends the sequence before the context is freed.
        guard isOpen, avcodec_send_frame(context.pointer, nil) >= 0 else { return }
        while avcodec_receive_packet(context.pointer, packet.pointer) >= 0 { packet.unref() }
    }

    /// The packet of the next key picture, `image` (of the encoder's size): random-access when
    /// asked (the first picture always is), predicted otherwise.
    public func encode(_ image: RGBImage, randomAccess: Bool) throws(MediaError) -> Data {
        let operation = "coding a key picture (\(codec))"
        guard image.width == width, image.height == height else {
            throw MediaError(.invalidArgument, operation: operation,
                             detail: "picture is \(image.width)x\(image.height), encoder is \(width)x\(height)")
        }
        if !isOpen {
            try context.open(options: options, operation: "setting up the \(codec) key-picture encoder")
            isOpen = true
        }
        try check(av_frame_make_writable(frame.pointer), operation)
        try scaler.convert(packed: image.pixels, stride: image.stride, into: frame)
        frame.pointer.pointee.pts = pictures
        frame.pointer.pointee.pict_type = randomAccess || pictures == 0 ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE
        pictures += 1
        try check(avcodec_send_frame(context.pointer, frame.pointer), operation)
        // Low delay: the packet comes out for this very picture.
        let received = avcodec_receive_packet(context.pointer, packet.pointer)
        if received == AVCode.tryAgain {
            throw MediaError(.ffmpeg, operation: operation, detail: "the encoder held the picture back (not low-delay)")
        }
        try check(received, operation)
        defer { packet.unref() }
        return packet.data
    }
}
