import CFFmpeg
import Foundation

/// Decodes packets from `IntraEncoder` back to RGB pictures, each independently of the others:
/// after every packet the decoder is drained and flushed, so order and gaps do not matter.
public final class IntraDecoder {
    public let codec: IntraCodec

    private let decoder: CodecContext
    private let frame: OwnedFrame
    private var scaler: Scaler?

    public init(codec: IntraCodec) throws(MediaError) {
        self.codec = codec
        let found = codec == .av1 ? avcodec_find_decoder_by_name("libdav1d") ?? avcodec_find_decoder(codec.codecID)
            : avcodec_find_decoder(codec.codecID)
        guard let decoderCodec = found else {
            throw MediaError(.codecUnavailable, operation: "setting up the \(codec) intra decoder",
                             detail: "this FFmpeg build has no \(codec) decoder")
        }
        decoder = try CodecContext(codec: decoderCodec)
        decoder.pointer.pointee.thread_count = 1
        try decoder.open(operation: "setting up the \(codec) intra decoder")
        frame = try OwnedFrame()
    }

    /// The picture in `packet`, which must be `width` x `height`.
    public func decode(_ packet: Data, width: Int, height: Int) throws(MediaError) -> RGBImage {
        let operation = "decoding a \(codec) key frame"
        guard !packet.isEmpty else {
            throw MediaError(.invalidArgument, operation: operation, detail: "the packet is empty")
        }
        let owned = try OwnedPacket(copying: packet)
        defer { avcodec_flush_buffers(decoder.pointer) }
        try check(avcodec_send_packet(decoder.pointer, owned.pointer), operation)
        try check(avcodec_send_packet(decoder.pointer, nil), operation)
        var image: RGBImage?
        while true {
            let received = avcodec_receive_frame(decoder.pointer, frame.pointer)
            if received == AVCode.endOfFile { break }
            try check(received, operation)
            defer { frame.unref() }
            if image != nil { continue }  // one picture per packet; ignore anything more
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
            image = try scaler!.rgb(from: frame)
        }
        guard let image else {
            throw MediaError(.invalidArgument, operation: operation, detail: "the packet holds no picture")
        }
        return image
    }
}
