import CFFmpeg
import Foundation

/// The files `VideoWriter` makes.
public enum VideoFileFormat: String, CaseIterable, Sendable {
    /// MP4 with H.264 (libx264, CRF 17 by default, preset medium, YUV 4:2:0 BT.601 limited range).
    case mp4H264
    /// Matroska with FFV1 version 3 in 8-bit RGB (`bgr0`, FFV1's RCT): lossless, the RGB pictures
    /// come back exactly.
    case mkvFFV1

    /// The usual file extension.
    public var fileExtension: String { self == .mp4H264 ? "mp4" : "mkv" }
}

/// Encodes RGB pictures into a video file at a constant frame rate, optionally with an audio
/// stream copied from another file (`AudioPacketReader`).
///
/// Writes to a temporary name beside `path` and renames it when `finish()` succeeds; on an
/// error, or when the writer goes away without `finish()`, the temporary file is removed.
/// How a writer encodes and muxes: the pieces that differ between output kinds.
struct VideoEncoding {
    var muxer: String
    var encoderName: String
    var pixelFormat: AVPixelFormat
    /// Encoder options (private options such as crf and preset).
    var options: [(String, String)]
    /// Muxer options for the file header.
    var headerOptions: [(String, String)] = []
    /// Sets codec-context fields beyond size, rate and pixel format.
    var configure: (UnsafeMutablePointer<AVCodecContext>) -> Void = { _ in }

    /// BT.601 limited range, the tagging of every 4:2:0 output here.
    static func bt601(_ c: UnsafeMutablePointer<AVCodecContext>) {
        c.pointee.color_range = AVCOL_RANGE_MPEG
        c.pointee.colorspace = AVCOL_SPC_SMPTE170M
        c.pointee.color_primaries = AVCOL_PRI_SMPTE170M
        c.pointee.color_trc = AVCOL_TRC_SMPTE170M
    }

    static func file(_ format: VideoFileFormat, crf: Int) -> VideoEncoding {
        switch format {
        case .mp4H264:
            return VideoEncoding(muxer: "mp4", encoderName: "libx264", pixelFormat: AV_PIX_FMT_YUV420P,
                                 options: [("crf", "\(crf)"), ("preset", "medium")],
                                 headerOptions: [("movflags", "+faststart")], configure: bt601)
        case .mkvFFV1:
            return VideoEncoding(muxer: "matroska", encoderName: "ffv1", pixelFormat: AV_PIX_FMT_BGR0,
                                 options: [("slicecrc", "1")]) { c in
                c.pointee.colorspace = AVCOL_SPC_RGB
                c.pointee.gop_size = 1
                c.pointee.level = 3
            }
        }
    }
}

public final class VideoWriter {
    public let path: String
    public let width: Int
    public let height: Int
    public let frameRate: Rational

    private let output: TemporaryOutput
    private let context: UnsafeMutablePointer<AVFormatContext>
    private let encoder: CodecContext
    private let videoStream: UnsafeMutablePointer<AVStream>
    private var audioStream: UnsafeMutablePointer<AVStream>?
    private let audioTimeBase: AVRational
    private let scaler: Scaler
    private let frame: OwnedFrame
    private let packet: OwnedPacket
    private var framesWritten: Int64 = 0
    private var isOpen = false
    private var isFinished = false

    /// Opens the output. `crf` applies to H.264 only (lower is better; 17 is visually lossless).
    public convenience init(path: String, format: VideoFileFormat, width: Int, height: Int, frameRate: Rational,
                            audio: AudioStreamParameters? = nil, crf: Int = 17) throws(MediaError) {
        guard width > 0, height > 0, format == .mkvFFV1 || (width % 2 == 0 && height % 2 == 0) else {
            throw MediaError(.invalidArgument, path: path, operation: "opening the output",
                             detail: "size \(width)x\(height) must be positive (and even for H.264)")
        }
        try self.init(path: path, encoding: .file(format, crf: crf), width: width, height: height,
                      frameRate: frameRate, audio: audio, operation: "opening the output")
    }

    /// Opens a file encoded as `encoding` describes (sizes already checked by the caller).
    init(path: String, encoding: VideoEncoding, width: Int, height: Int, frameRate: Rational,
         audio: AudioStreamParameters?, operation: String) throws(MediaError) {
        guard frameRate.num > 0, frameRate.den > 0 else {
            throw MediaError(.invalidArgument, path: path, operation: operation,
                             detail: "frame rate \(frameRate) is not positive")
        }
        self.path = path
        self.width = width
        self.height = height
        self.frameRate = frameRate
        output = try TemporaryOutput(for: path, operation: operation)
        var allocated: UnsafeMutablePointer<AVFormatContext>? = nil
        try check(avformat_alloc_output_context2(&allocated, nil, encoding.muxer, output.temporaryPath),
                  operation, path: path)
        context = allocated!
        do throws(MediaError) {
            encoder = try CodecContext(codec: try findEncoder(named: encoding.encoderName))
            scaler = try Scaler(from: (width, height, AV_PIX_FMT_RGB24), to: (width, height, encoding.pixelFormat))
            frame = try OwnedFrame(width: width, height: height, format: encoding.pixelFormat)
            packet = try OwnedPacket()
            guard let stream = avformat_new_stream(context, nil) else {
                throw MediaError(.ffmpeg, path: path, operation: operation, detail: "cannot add a stream")
            }
            videoStream = stream
            audioTimeBase = AVRational(num: audio?.timeBase.num ?? 1, den: audio?.timeBase.den ?? 1)
        } catch {
            avformat_free_context(context)
            throw error
        }
        do throws(MediaError) {
            try openEncoder(encoding, operation: operation)
            if let audio { try addAudio(audio) }
            try openFile(headerOptions: encoding.headerOptions)
        } catch {
            abandon()
            throw error
        }
    }

    public convenience init(path: String, format: VideoFileFormat, width: Int, height: Int,
                            frameRate: (num: Int32, den: Int32), audio: AudioStreamParameters? = nil,
                            crf: Int = 17) throws(MediaError) {
        try self.init(path: path, format: format, width: width, height: height,
                      frameRate: Rational(num: frameRate.num, den: frameRate.den), audio: audio, crf: crf)
    }

    deinit {
        if !isFinished { abandon() }
    }

    /// Encodes one picture as the next frame. A picture of the wrong size is refused and the
    /// writer stays usable; any other failure abandons the output.
    public func write(_ image: RGBImage) throws(MediaError) {
        try ensureWritable()
        guard image.width == width, image.height == height else {
            throw MediaError(.invalidArgument, path: path, operation: "writing a frame",
                             detail: "picture is \(image.width)x\(image.height), video is \(width)x\(height)")
        }
        do throws(MediaError) {
            try scaler.convert(packed: image.pixels, stride: image.stride, into: frame)
            frame.pointer.pointee.pts = framesWritten
            framesWritten += 1
            try check(avcodec_send_frame(encoder.pointer, frame.pointer), "encoding a frame", path: path)
            try drainEncoder()
        } catch {
            abandon()
            throw error
        }
    }

    /// Copies one audio packet (timestamps in the `AudioStreamParameters.timeBase` given at init).
    public func writeAudio(_ audio: AudioPacket) throws(MediaError) {
        try ensureWritable()
        guard let stream = audioStream else {
            throw MediaError(.invalidArgument, path: path, operation: "writing audio",
                             detail: "the writer was opened without an audio stream")
        }
        do throws(MediaError) {
            let owned = try OwnedPacket(copying: audio.data)
            owned.pointer.pointee.pts = audio.pts
            owned.pointer.pointee.dts = audio.dts
            owned.pointer.pointee.duration = audio.duration
            owned.pointer.pointee.stream_index = stream.pointee.index
            av_packet_rescale_ts(owned.pointer, audioTimeBase, stream.pointee.time_base)
            try check(av_interleaved_write_frame(context, owned.pointer), "writing audio", path: path)
        } catch {
            abandon()
            throw error
        }
    }

    /// Flushes the encoder, completes the file and gives it its final name.
    public func finish() throws(MediaError) {
        try ensureWritable()
        do throws(MediaError) {
            try check(avcodec_send_frame(encoder.pointer, nil), "finishing the video", path: path)
            try drainEncoder()
            try check(av_write_trailer(context), "finishing the file", path: path)
            try check(avio_closep(&context.pointee.pb), "closing the file", path: path)
            isOpen = false
            try output.commit()
            isFinished = true
            avformat_free_context(context)
        } catch {
            abandon()
            throw error
        }
    }

    // MARK: - Setting up

    private func openEncoder(_ encoding: VideoEncoding, operation: String) throws(MediaError) {
        let c = encoder.pointer
        c.pointee.width = Int32(width)
        c.pointee.height = Int32(height)
        c.pointee.pix_fmt = encoding.pixelFormat
        c.pointee.time_base = AVRational(num: frameRate.den, den: frameRate.num)
        c.pointee.framerate = AVRational(num: frameRate.num, den: frameRate.den)
        c.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        if context.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            c.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        }
        encoding.configure(c)
        try encoder.open(options: encoding.options, operation: operation, path: path)
        try check(avcodec_parameters_from_context(videoStream.pointee.codecpar, c), "setting up the video stream",
                  path: path)
        videoStream.pointee.time_base = c.pointee.time_base
        videoStream.pointee.avg_frame_rate = c.pointee.framerate
    }

    private func addAudio(_ audio: AudioStreamParameters) throws(MediaError) {
        guard let stream = avformat_new_stream(context, nil) else {
            throw MediaError(.ffmpeg, path: path, operation: "adding the audio stream", detail: "cannot add a stream")
        }
        try audio.apply(to: stream.pointee.codecpar)
        stream.pointee.time_base = audioTimeBase
        audioStream = stream
    }

    private func openFile(headerOptions: [(String, String)]) throws(MediaError) {
        let code = avio_open(&context.pointee.pb, output.temporaryPath, AVIO_FLAG_WRITE)
        if code < 0 { throw MediaError.ffmpeg(code, "creating the file", path: path, kind: .io) }
        isOpen = true
        var options: OpaquePointer? = nil
        for (key, value) in headerOptions { av_dict_set(&options, key, value, 0) }
        defer { av_dict_free(&options) }
        try check(avformat_write_header(context, &options), "writing the file header", path: path)
    }

    // MARK: - Writing

    private func drainEncoder() throws(MediaError) {
        while true {
            let received = avcodec_receive_packet(encoder.pointer, packet.pointer)
            if received == AVCode.tryAgain || received == AVCode.endOfFile { return }
            try check(received, "encoding video", path: path)
            packet.pointer.pointee.stream_index = videoStream.pointee.index
            av_packet_rescale_ts(packet.pointer, encoder.pointer.pointee.time_base, videoStream.pointee.time_base)
            try check(av_interleaved_write_frame(context, packet.pointer), "writing video", path: path)
        }
    }

    private func ensureWritable() throws(MediaError) {
        guard isOpen, !isFinished else {
            throw MediaError(.invalidArgument, path: path, operation: "writing",
                             detail: isFinished ? "the file is already finished" : "the writer failed earlier")
        }
    }

    /// Closes and removes the temporary file after an error or without `finish()`.
    private func abandon() {
        guard !isFinished else { return }
        isFinished = true
        if isOpen { avio_closep(&context.pointee.pb) }
        isOpen = false
        output.discard()
        avformat_free_context(context)
    }
}
