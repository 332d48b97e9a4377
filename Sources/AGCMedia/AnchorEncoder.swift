import CFFmpeg
import Foundation

/// The conventional codecs AGC is compared with, coded inter-frame at a constant rate factor.
public enum AnchorCodec: String, CaseIterable, Sendable {
    /// HEVC through libx265, written as a raw Annex B elementary stream (`.hevc`).
    case hevc
    /// AV1 through SVT-AV1 (libsvtav1), written as IVF (`.ivf`).
    case av1

    /// The CRF values the encoder takes: x265 0...51, SVT-AV1 1...63.
    public var crfRange: ClosedRange<Int> { self == .hevc ? 0...51 : 1...63 }
    /// The preset used unless another is asked for: x265 `medium`, SVT-AV1 `8`.
    public var defaultPreset: String { self == .hevc ? "medium" : "8" }
    /// The file extension of the elementary stream.
    public var fileExtension: String { self == .hevc ? "hevc" : "ivf" }
    /// libavcodec's name for the encoder.
    public var encoderName: String { self == .hevc ? "libx265" : "libsvtav1" }

    var muxerName: String { self == .hevc ? "hevc" : "ivf" }
}

/// Encodes RGB pictures as an inter-coded HEVC or AV1 stream at a given CRF and preset, the
/// anchors of rate-distortion comparisons.
///
/// Pictures are converted to YUV 4:2:0, BT.601 limited range (as `IntraEncoder` does) and coded
/// with a key frame at least every `keyInterval` frames. The file is an elementary stream (raw
/// HEVC, or AV1 in IVF), so its size is the coded video and little else: every byte of it counts
/// towards the rate. x265's informational SEI (its version and options string) is not written.
/// x265 and SVT-AV1 print errors only. Written under a temporary name and
/// renamed by `finish()`; removed on an error or without `finish()`.
public final class AnchorEncoder {
    public let path: String
    public let codec: AnchorCodec
    public let crf: Int
    public let preset: String
    public let width: Int
    public let height: Int
    public let frameRate: Rational

    private let output: TemporaryOutput
    private let context: UnsafeMutablePointer<AVFormatContext>
    private let encoder: CodecContext
    private let stream: UnsafeMutablePointer<AVStream>
    private let scaler: Scaler
    private let frame: OwnedFrame
    private let packet: OwnedPacket
    private var framesWritten: Int64 = 0
    private var isOpen = false
    private var isFinished = false

    /// Opens `path` for `width` x `height` pictures (both even) at `frameRate`. `preset` nil
    /// takes the codec's `defaultPreset`; `threads` 0 lets the encoder choose.
    public init(path: String, codec: AnchorCodec, crf: Int, preset: String? = nil, width: Int, height: Int,
                frameRate: Rational, keyInterval: Int = 250, threads: Int = 0) throws(MediaError) {
        let operation = "opening the \(codec.rawValue) anchor"
        guard width > 0, height > 0, width % 2 == 0, height % 2 == 0 else {
            throw MediaError(.invalidArgument, path: path, operation: operation,
                             detail: "size \(width)x\(height) must be positive and even")
        }
        guard codec.crfRange.contains(crf) else {
            throw MediaError(.invalidArgument, path: path, operation: operation,
                             detail: "crf \(crf) is outside \(codec.crfRange)")
        }
        guard frameRate.num > 0, frameRate.den > 0, keyInterval >= 1 else {
            throw MediaError(.invalidArgument, path: path, operation: operation,
                             detail: "frame rate \(frameRate) and key interval \(keyInterval) must be positive")
        }
        self.path = path
        self.codec = codec
        self.crf = crf
        self.preset = preset ?? codec.defaultPreset
        self.width = width
        self.height = height
        self.frameRate = frameRate
        // SVT-AV1 prints its banner and configuration unless told otherwise (caller's setting wins).
        if codec == .av1 { setenv("SVT_LOG", "1", 0) }
        output = try TemporaryOutput(for: path, operation: operation)
        var allocated: UnsafeMutablePointer<AVFormatContext>? = nil
        try check(avformat_alloc_output_context2(&allocated, nil, codec.muxerName, output.temporaryPath),
                  operation, path: path)
        context = allocated!
        do throws(MediaError) {
            encoder = try CodecContext(codec: try findEncoder(named: codec.encoderName))
            scaler = try Scaler(from: (width, height, AV_PIX_FMT_RGB24), to: (width, height, AV_PIX_FMT_YUV420P))
            frame = try OwnedFrame(width: width, height: height, format: AV_PIX_FMT_YUV420P)
            packet = try OwnedPacket()
            guard let added = avformat_new_stream(context, nil) else {
                throw MediaError(.ffmpeg, path: path, operation: operation, detail: "cannot add a stream")
            }
            stream = added
        } catch {
            avformat_free_context(context)
            throw error
        }
        do throws(MediaError) {
            try openEncoder(keyInterval: keyInterval, threads: threads, operation: operation)
            let code = avio_open(&context.pointee.pb, output.temporaryPath, AVIO_FLAG_WRITE)
            if code < 0 { throw MediaError.ffmpeg(code, "creating the file", path: path, kind: .io) }
            isOpen = true
            try check(avformat_write_header(context, nil), "writing the file header", path: path)
        } catch {
            abandon()
            throw error
        }
    }

    deinit {
        if !isFinished { abandon() }
    }

    /// Encodes one picture as the next frame; any failure abandons the output.
    public func write(_ image: RGBImage) throws(MediaError) {
        guard isOpen, !isFinished else {
            throw MediaError(.invalidArgument, path: path, operation: "writing a frame",
                             detail: isFinished ? "the file is already finished" : "the encoder failed earlier")
        }
        do throws(MediaError) {
            guard image.width == width, image.height == height else {
                throw MediaError(.invalidArgument, path: path, operation: "writing a frame",
                                 detail: "picture is \(image.width)x\(image.height), video is \(width)x\(height)")
            }
            try scaler.convert(packed: image.pixels, stride: image.stride, into: frame)
            frame.pointer.pointee.pts = framesWritten
            framesWritten += 1
            try check(avcodec_send_frame(encoder.pointer, frame.pointer), "encoding a frame", path: path)
            try drain()
        } catch {
            abandon()
            throw error
        }
    }

    /// Flushes the encoder, completes the file, renames it into place and returns its size in bytes.
    @discardableResult
    public func finish() throws(MediaError) -> Int {
        guard isOpen, !isFinished else {
            throw MediaError(.invalidArgument, path: path, operation: "finishing", detail: "the encoder is not open")
        }
        do throws(MediaError) {
            try check(avcodec_send_frame(encoder.pointer, nil), "finishing the video", path: path)
            try drain()
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
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
        guard let size else {
            throw MediaError(.io, path: path, operation: "finishing", detail: "cannot read the file's size")
        }
        return size
    }

    private func openEncoder(keyInterval: Int, threads: Int, operation: String) throws(MediaError) {
        let c = encoder.pointer
        c.pointee.width = Int32(width)
        c.pointee.height = Int32(height)
        c.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        c.pointee.time_base = AVRational(num: frameRate.den, den: frameRate.num)
        c.pointee.framerate = AVRational(num: frameRate.num, den: frameRate.den)
        c.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        c.pointee.gop_size = Int32(keyInterval)
        c.pointee.thread_count = Int32(threads)
        c.pointee.color_range = AVCOL_RANGE_MPEG
        c.pointee.colorspace = AVCOL_SPC_SMPTE170M
        c.pointee.color_primaries = AVCOL_PRI_SMPTE170M
        c.pointee.color_trc = AVCOL_TRC_SMPTE170M
        let options: [(String, String)]
        switch codec {
        case .hevc:
            // info=0: no SEI with x265's version and options (about 2 KB, not video).
            options = [("preset", preset), ("crf", "\(crf)"), ("x265-params", "log-level=error:info=0")]
        case .av1:
            options = [("preset", preset), ("crf", "\(crf)")]
        }
        try encoder.open(options: options, operation: operation, path: path)
        try check(avcodec_parameters_from_context(stream.pointee.codecpar, c), "setting up the video stream",
                  path: path)
        stream.pointee.time_base = c.pointee.time_base
        stream.pointee.avg_frame_rate = c.pointee.framerate
    }

    private func drain() throws(MediaError) {
        while true {
            let received = avcodec_receive_packet(encoder.pointer, packet.pointer)
            if received == AVCode.tryAgain || received == AVCode.endOfFile { return }
            try check(received, "encoding video", path: path)
            packet.pointer.pointee.stream_index = stream.pointee.index
            av_packet_rescale_ts(packet.pointer, encoder.pointer.pointee.time_base, stream.pointee.time_base)
            try check(av_interleaved_write_frame(context, packet.pointer), "writing video", path: path)
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
