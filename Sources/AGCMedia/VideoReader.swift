import CFFmpeg

/// One decoded picture, upright, cropped and scaled as the reader was asked.
public struct VideoFrame: Sendable {
    public var image: RGBImage
    /// Presentation time in seconds from the stream's start.
    public var pts: Double
    /// Position in output order, from 0.
    public var index: Int

    public init(image: RGBImage, pts: Double, index: Int) {
        self.image = image
        self.pts = pts
        self.index = index
    }
}

/// Reads the first video stream of a file frame by frame, as RGB24.
///
/// Frames are decoded, turned upright according to the rotation metadata, cropped (the crop is
/// in upright display coordinates) and scaled with libswscale (area averaging when shrinking,
/// bicubic otherwise). Only one frame is held at a time. Frames come out in presentation order
/// with their own timestamps; with variable frame rate nothing is dropped or repeated — the
/// AGC codec treats the stream as constant rate at `info.frameRate` (the average rate).
public final class VideoReader {
    public let path: String
    public let info: VideoStreamInfo

    private let input: InputFile
    private let stream: UnsafeMutablePointer<AVStream>
    private let decoder: CodecContext
    private let packet: OwnedPacket
    private let frame: OwnedFrame
    private var toRGB: Scaler?
    private var resizer: Scaler?
    private var crop: CropRect?
    private var size: (width: Int, height: Int)?
    private var draining = false
    private var finished = false
    private var produced = 0

    /// Opens `path` and its decoder. Throws for a missing file, a non-media file, no video
    /// stream, or a codec this FFmpeg cannot decode; every message names the file.
    public init(path: String) throws(MediaError) {
        self.path = path
        input = try InputFile(path: path)
        guard let stream = input.firstStream(of: AVMEDIA_TYPE_VIDEO) else {
            throw MediaError(.noVideoStream, path: path, operation: "finding the video",
                             detail: "the file has no video stream")
        }
        self.stream = stream
        info = VideoStreamInfo(stream: stream, input: input)
        let parameters = stream.pointee.codecpar!
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
            throw MediaError(.codecUnavailable, path: path, operation: "finding a decoder",
                             detail: "no decoder for \(info.codecName)")
        }
        decoder = try CodecContext(codec: codec)
        try check(avcodec_parameters_to_context(decoder.pointer, parameters), "setting up the decoder", path: path)
        decoder.pointer.pointee.pkt_timebase = stream.pointee.time_base
        decoder.pointer.pointee.thread_count = 0
        try decoder.open(operation: "opening the decoder", path: path)
        packet = try OwnedPacket()
        frame = try OwnedFrame()
        for other in input.streams where other != stream { other.pointee.discard = AVDISCARD_ALL }
    }

    /// Chooses the output: `crop` in upright display coordinates (nil: the whole picture) and
    /// `size` (nil: the crop's size). A crop outside the picture makes `nextFrame` throw.
    public func setOutput(crop: CropRect?, size: (width: Int, height: Int)?) {
        self.crop = crop
        self.size = size
        resizer = nil
    }

    /// The next frame, or nil at the end of the stream.
    public func nextFrame() throws(MediaError) -> VideoFrame? {
        while !finished {
            let received = avcodec_receive_frame(decoder.pointer, frame.pointer)
            if received >= 0 {
                defer { frame.unref() }
                return try output()
            }
            if received == AVCode.endOfFile {
                finished = true
                break
            }
            if received != AVCode.tryAgain { throw MediaError.ffmpeg(received, "decoding video", path: path) }
            try feed()
        }
        return nil
    }

    /// Sends the next packet of our stream to the decoder, or starts draining at the end.
    private func feed() throws(MediaError) {
        while true {
            let read = av_read_frame(input.pointer, packet.pointer)
            if read == AVCode.endOfFile || (read < 0 && input.pointer.pointee.pb?.pointee.eof_reached != 0) {
                guard !draining else { throw MediaError.ffmpeg(read, "reading the input", path: path) }
                draining = true
                try check(avcodec_send_packet(decoder.pointer, nil), "draining the decoder", path: path)
                return
            }
            try check(read, "reading the input", path: path)
            defer { packet.unref() }
            guard packet.pointer.pointee.stream_index == stream.pointee.index else { continue }
            let sent = avcodec_send_packet(decoder.pointer, packet.pointer)
            if sent == AVCode.invalidData { continue }  // a damaged packet: skip it, as ffmpeg does
            try check(sent, "decoding video", path: path)
            return
        }
    }

    /// Turns the decoded frame into the requested RGB picture.
    private func output() throws(MediaError) -> VideoFrame {
        let source = (width: frame.width, height: frame.height, format: frame.pixelFormat)
        if toRGB == nil || toRGB!.source != source {
            toRGB = try Scaler(from: source, to: (source.width, source.height, AV_PIX_FMT_RGB24),
                               colorspace: frame.pointer.pointee.colorspace,
                               fullRange: frame.pointer.pointee.color_range == AVCOL_RANGE_JPEG)
        }
        var image = try toRGB!.rgb(from: frame).rotated(clockwise: info.rotation)
        image = try cropAndScale(image)
        let pts = timestamp()
        produced += 1
        return VideoFrame(image: image, pts: pts, index: produced - 1)
    }

    private func cropAndScale(_ image: RGBImage) throws(MediaError) -> RGBImage {
        let rect = crop ?? CropRect(x: 0, y: 0, width: image.width, height: image.height)
        guard rect.fits(width: image.width, height: image.height) else {
            throw MediaError(.invalidArgument, path: path, operation: "cropping",
                             detail: "crop \(rect.x),\(rect.y),\(rect.width)x\(rect.height) is outside the "
                                 + "\(image.width)x\(image.height) picture")
        }
        let target = size ?? (rect.width, rect.height)
        guard target.width > 0, target.height > 0 else {
            throw MediaError(.invalidArgument, path: path, operation: "scaling",
                             detail: "output size \(target.width)x\(target.height) is empty")
        }
        if target == (rect.width, rect.height) {
            return rect == CropRect(x: 0, y: 0, width: image.width, height: image.height)
                ? image : image.cropped(to: rect)
        }
        let source = (rect.width, rect.height, AV_PIX_FMT_RGB24)
        if resizer == nil || resizer!.source != source || (resizer!.target.width, resizer!.target.height) != target {
            resizer = try Scaler(from: source, to: (target.width, target.height, AV_PIX_FMT_RGB24))
        }
        return try resizer!.resample(packed: image.pixels, offset: (rect.y * image.width + rect.x) * 3,
                                     stride: image.stride)
    }

    private func timestamp() -> Double {
        let best = frame.pointer.pointee.best_effort_timestamp
        guard best != AVCode.noPTS else { return Double(produced) / info.frameRate.value }
        let start = stream.pointee.start_time == AVCode.noPTS ? 0 : stream.pointee.start_time
        return Double(best - start) * info.timeBase.value
    }
}
