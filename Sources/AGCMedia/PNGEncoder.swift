import CFFmpeg
import Foundation

/// Encodes RGB pictures as PNG files with libavcodec's `png` encoder.
public enum PNGEncoder {
    /// The PNG bytes of `image`.
    public static func encode(_ image: RGBImage) throws(MediaError) -> Data {
        let operation = "encoding a PNG"
        let context = try CodecContext(codec: try findEncoder(named: "png"))
        let c = context.pointer
        c.pointee.width = Int32(image.width)
        c.pointee.height = Int32(image.height)
        c.pointee.pix_fmt = AV_PIX_FMT_RGB24
        c.pointee.time_base = AVRational(num: 1, den: 25)
        try context.open(operation: operation)
        let frame = try OwnedFrame(width: image.width, height: image.height, format: AV_PIX_FMT_RGB24)
        let copy = try Scaler(from: (image.width, image.height, AV_PIX_FMT_RGB24),
                              to: (image.width, image.height, AV_PIX_FMT_RGB24))
        try copy.convert(packed: image.pixels, stride: image.stride, into: frame)
        frame.pointer.pointee.pts = 0
        try check(avcodec_send_frame(c, frame.pointer), operation)
        try check(avcodec_send_frame(c, nil), operation)
        let packet = try OwnedPacket()
        var data = Data()
        while true {
            let received = avcodec_receive_packet(c, packet.pointer)
            if received == AVCode.endOfFile { break }
            try check(received, operation)
            data.append(packet.data)
            packet.unref()
        }
        return data
    }

    /// Writes `image` as a PNG file at `path` (temporary name, then renamed).
    public static func write(_ image: RGBImage, to path: String) throws(MediaError) {
        let file = try AtomicFile(path: path)
        try file.write(try encode(image))
        try file.commit()
    }
}
