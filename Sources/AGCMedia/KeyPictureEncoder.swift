import CFFmpeg
import Foundation

/// Codes single RGB pictures as self-contained intra packets (the AGC key frames).
///
/// Each packet decodes on its own: it carries its parameter sets (HEVC VPS/SPS/PPS, or the AV1
/// sequence header) and one intra picture. Pictures are converted to YUV 4:2:0, BT.601 limited
/// range, with libswscale. Each `encode` opens a fresh encoder, sends the picture and drains
/// it, so no state is carried from one picture to the next.
public final class IntraEncoder {
    public let codec: IntraCodec
    public let width: Int
    public let height: Int
    public let qp: Int

    private let encoder: UnsafePointer<AVCodec>
    private let scaler: Scaler
    private let frame: OwnedFrame
    private let packet: OwnedPacket

    /// An encoder for `width` x `height` pictures (both even) at quantizer `qp` (see `IntraCodec.qpRange`).
    public init(codec: IntraCodec, width: Int, height: Int, qp: Int) throws(MediaError) {
        guard width > 0, height > 0, width % 2 == 0, height % 2 == 0 else {
            throw MediaError(.invalidArgument, operation: "setting up the \(codec) intra encoder",
                             detail: "the size \(width)x\(height) must be positive and even")
        }
        guard codec.qpRange.contains(qp) else {
            throw MediaError(.invalidArgument, operation: "setting up the \(codec) intra encoder",
                             detail: "qp \(qp) is outside \(codec.qpRange)")
        }
        self.codec = codec
        self.width = width
        self.height = height
        self.qp = qp
        encoder = try findEncoder(named: codec.encoderName)
        scaler = try Scaler(from: (width, height, AV_PIX_FMT_RGB24), to: (width, height, AV_PIX_FMT_YUV420P))
        frame = try OwnedFrame(width: width, height: height, format: AV_PIX_FMT_YUV420P)
        packet = try OwnedPacket()
        // SVT-AV1 prints its banner and configuration unless told otherwise (caller's setting wins).
        if codec == .av1 { setenv("SVT_LOG", "1", 0) }
        // Opening an encoder here to check the options would hang SVT-AV1 1.4 on close when no
        // picture was sent, so a refused option surfaces at the first `encode`.
    }

    /// One intra-coded packet for `image`, which must have the encoder's size.
    public func encode(_ image: RGBImage) throws(MediaError) -> Data {
        guard image.width == width, image.height == height else {
            throw MediaError(.invalidArgument, operation: "intra coding",
                             detail: "picture is \(image.width)x\(image.height), encoder is \(width)x\(height)")
        }
        try scaler.convert(packed: image.pixels, stride: image.stride, into: frame)
        frame.pointer.pointee.pts = 0
        frame.pointer.pointee.pict_type = AV_PICTURE_TYPE_I
        let context = try makeContext()
        try check(avcodec_send_frame(context.pointer, frame.pointer), "intra coding (\(codec))")
        try check(avcodec_send_frame(context.pointer, nil), "intra coding (\(codec), draining)")
        var data = Data()
        while true {
            let received = avcodec_receive_packet(context.pointer, packet.pointer)
            if received == AVCode.endOfFile { break }
            try check(received, "intra coding (\(codec))")
            data.append(packet.data)
            packet.unref()
        }
        guard !data.isEmpty else {
            throw MediaError(.ffmpeg, operation: "intra coding (\(codec))", detail: "the encoder gave no packet")
        }
        return data
    }

    private func makeContext() throws(MediaError) -> CodecContext {
        let context = try CodecContext(codec: encoder)
        let c = context.pointer
        c.pointee.width = Int32(width)
        c.pointee.height = Int32(height)
        c.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        c.pointee.time_base = AVRational(num: 1, den: 25)
        c.pointee.framerate = AVRational(num: 25, den: 1)
        c.pointee.gop_size = 1
        c.pointee.max_b_frames = 0
        c.pointee.thread_count = 1
        c.pointee.color_range = AVCOL_RANGE_MPEG
        c.pointee.colorspace = AVCOL_SPC_SMPTE170M
        c.pointee.color_primaries = AVCOL_PRI_SMPTE170M
        c.pointee.color_trc = AVCOL_TRC_SMPTE170M
        let options: [(String, String)]
        switch codec {
        case .hevc:
            options = [("preset", "medium"), ("qp", "\(qp)"),
                       ("x265-params", "keyint=1:min-keyint=1:repeat-headers=1:info=0:ipratio=1:"
                           + "frame-threads=1:pools=none:rc-lookahead=0:bframes=0:log-level=error")]
        case .av1:
            options = [("preset", "8"), ("qp", "\(qp)"), ("svtav1-params", "lookahead=0")]
        }
        try context.open(options: options, operation: "setting up the \(codec) intra encoder")
        return context
    }
}
