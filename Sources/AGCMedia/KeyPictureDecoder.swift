import CFFmpeg
import Foundation

/// Decodes the key pictures of an AGC stream, in stream order, back to RGB pictures: one
/// decoder whose reference pictures carry from each picture to the next. Before a
/// random-access picture the decoder is flushed, so decoding can start at any of them and
/// nothing before one matters (format 1.0 streams, whose key frames are all random-access,
/// decode each picture on its own).
public final class KeyPictureDecoder {
    public let codec: IntraCodec

    private let decoder: CodecContext
    private let frame: OwnedFrame
    private var scaler: Scaler?

    public init(codec: IntraCodec) throws(MediaError) {
        self.codec = codec
        let operation = "setting up the \(codec) key-picture decoder"
        let found = codec == .av1 ? avcodec_find_decoder_by_name("libdav1d") ?? avcodec_find_decoder(codec.codecID)
            : avcodec_find_decoder(codec.codecID)
        guard let decoderCodec = found else {
            throw MediaError(.codecUnavailable, operation: operation, detail: "this FFmpeg build has no \(codec) decoder")
        }
        decoder = try CodecContext(codec: decoderCodec)
        decoder.pointer.pointee.thread_count = 1
        // One picture out for each packet in (libdav1d's frame delay 1).
        decoder.pointer.pointee.flags |= Int32(AV_CODEC_FLAG_LOW_DELAY)
        try decoder.open(operation: operation)
        frame = try OwnedFrame()
    }

    /// The picture in `packet`, which must be `width` x `height`. A predicted picture needs the
    /// pictures before it since the last random-access one to have been decoded by this decoder.
    public func decode(_ packet: Data, width: Int, height: Int, randomAccess: Bool = true) throws(MediaError) -> RGBImage {
        let operation = "decoding a \(codec) \(randomAccess ? "key frame" : "predicted key picture")"
        guard !packet.isEmpty else {
            throw MediaError(.invalidArgument, operation: operation, detail: "the packet is empty")
        }
        if randomAccess { avcodec_flush_buffers(decoder.pointer) }
        let owned = try OwnedPacket(copying: packet)
        do throws(MediaError) {
            try check(avcodec_send_packet(decoder.pointer, owned.pointer), operation)
            let received = avcodec_receive_frame(decoder.pointer, frame.pointer)
            if received == AVCode.tryAgain {
                throw MediaError(.invalidArgument, operation: operation, detail: "the packet holds no picture")
            }
            try check(received, operation)
        } catch {
            // Whatever the damage left in the decoder must not leak into the next random access.
            avcodec_flush_buffers(decoder.pointer)
            throw error
        }
        defer { frame.unref() }
        guard frame.width == width, frame.height == height else {
            throw MediaError(.invalidArgument, operation: operation,
                             detail: "the picture is \(frame.width)x\(frame.height), expected \(width)x\(height)")
        }
        let source = (width: width, height: height, format: frame.pixelFormat)
        if scaler == nil || scaler!.source != source {
            scaler = try Scaler(from: source, to: (width, height, AV_PIX_FMT_RGB24),
                                colorspace: frame.pointer.pointee.colorspace,
                                fullRange: frame.pointer.pointee.color_range == AVCOL_RANGE_JPEG)
        }
        return try scaler!.rgb(from: frame)
    }
}
