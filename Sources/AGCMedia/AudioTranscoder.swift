import CFFmpeg
import Foundation

/// Compressed audio packets for a stream, with the parameters a muxer needs to carry them:
/// the input's own packets (`AudioPacketReader`) or a transcode (`AudioTranscoder`).
public protocol AudioPacketSource: AnyObject {
    var parameters: AudioStreamParameters { get }
    /// The next packet in presentation order, or nil at the end.
    func nextPacket() throws(MediaError) -> AudioPacket?
}

extension AudioPacketReader: AudioPacketSource {}

/// Re-encodes the first audio stream of a file to Opus (libopus) for speech: decoded by
/// libavcodec, down-mixed and resampled by libswresample to 48 kHz mono, encoded at a given bit
/// rate. Timestamps stay on the input's timeline (in 1/48000 s), so the audio keeps its offset
/// from the video; the first packet starts the encoder's pre-skip earlier, as Opus requires.
public final class AudioTranscoder: AudioPacketSource {
    /// Opus's own sample rate, and the time base of the packets.
    public static let sampleRate = 48_000
    public let path: String
    public private(set) var parameters: AudioStreamParameters

    private let input: InputFile
    private let stream: UnsafeMutablePointer<AVStream>
    private let decoder: CodecContext
    private let encoder: CodecContext
    private var resampler: OpaquePointer?
    private let packet: OwnedPacket
    private let decoded: OwnedFrame
    /// Resampled samples not yet given to the encoder.
    private var pending: [Float] = []
    /// The timestamp (1/48000 s) of `pending.first`; nil until the first decoded frame.
    private var pendingPTS: Int64?
    private var inputFinished = false
    private var encoderFlushed = false

    /// Opens `path`'s first audio stream and an Opus encoder at `kilobitsPerSecond` (6-510).
    /// `application` is libopus's tuning: "voip" (speech), "audio" or "lowdelay".
    public init(path: String, kilobitsPerSecond: Int, application: String = "audio") throws(MediaError) {
        self.path = path
        guard (6...510).contains(kilobitsPerSecond) else {
            throw MediaError(.invalidArgument, path: path, operation: "setting up the Opus encoder",
                             detail: "\(kilobitsPerSecond) kb/s is outside Opus's 6-510 kb/s")
        }
        input = try InputFile(path: path)
        guard let stream = input.firstStream(of: AVMEDIA_TYPE_AUDIO) else {
            throw MediaError(.noAudioStream, path: path, operation: "finding the audio",
                             detail: "the file has no audio stream")
        }
        self.stream = stream
        for other in input.streams where other != stream { other.pointee.discard = AVDISCARD_ALL }
        packet = try OwnedPacket()
        decoded = try OwnedFrame()

        let codecID = stream.pointee.codecpar.pointee.codec_id
        guard let decoderCodec = avcodec_find_decoder(codecID) else {
            throw MediaError(.codecUnavailable, path: path, operation: "decoding the audio",
                             detail: "this FFmpeg has no decoder for \(String(cString: avcodec_get_name(codecID)))")
        }
        decoder = try CodecContext(codec: decoderCodec)
        try check(avcodec_parameters_to_context(decoder.pointer, stream.pointee.codecpar), "decoding the audio", path: path)
        decoder.pointer.pointee.pkt_timebase = stream.pointee.time_base
        try decoder.open(operation: "decoding the audio", path: path)

        encoder = try CodecContext(codec: try findEncoder(named: "libopus"))
        let c = encoder.pointer
        c.pointee.sample_rate = Int32(Self.sampleRate)
        c.pointee.sample_fmt = AV_SAMPLE_FMT_FLT
        cffmpeg_context_set_default_channels(c, 1)
        c.pointee.bit_rate = Int64(kilobitsPerSecond) * 1000
        c.pointee.time_base = AVRational(num: 1, den: Int32(Self.sampleRate))
        c.pointee.compression_level = 10
        try encoder.open(options: [("application", application), ("vbr", "on"), ("frame_duration", "20")],
                         operation: "setting up the Opus encoder", path: path)
        let extradata = c.pointee.extradata.map { Data(bytes: $0, count: Int(c.pointee.extradata_size)) } ?? Data()
        parameters = AudioStreamParameters(
            codecName: "opus", extradata: extradata, sampleRate: Self.sampleRate, channels: 1,
            timeBase: Rational(num: 1, den: Int32(Self.sampleRate)), frameSize: Int(c.pointee.frame_size),
            initialPadding: Int(c.pointee.initial_padding), bitRate: Int(c.pointee.bit_rate))
    }

    deinit { swr_free(&resampler) }

    public func nextPacket() throws(MediaError) -> AudioPacket? {
        let out = packet.pointer
        while true {
            let received = avcodec_receive_packet(encoder.pointer, out)
            if received == AVCode.endOfFile { return nil }
            if received != AVCode.tryAgain {
                try check(received, "encoding the audio", path: path)
                defer { packet.unref() }
                let p = out.pointee
                return AudioPacket(data: packet.data, pts: p.pts, dts: p.dts, duration: p.duration)
            }
            try feedEncoder()
        }
    }

    // MARK: - Feeding

    /// Gives the encoder one frame (a whole Opus frame, or the last samples), or the flush.
    private func feedEncoder() throws(MediaError) {
        let frameSize = Int(encoder.pointer.pointee.frame_size)
        while pending.count < frameSize && !inputFinished { try decodeNextPacket() }
        if pending.isEmpty {
            guard !encoderFlushed else {
                throw MediaError(.ffmpeg, path: path, operation: "encoding the audio", detail: "the encoder wants more after its end")
            }
            encoderFlushed = true
            try check(avcodec_send_frame(encoder.pointer, nil), "finishing the audio", path: path)
            return
        }
        let count = min(frameSize, pending.count)
        let frame = try OwnedFrame()
        let f = frame.pointer
        f.pointee.nb_samples = Int32(count)
        f.pointee.format = AV_SAMPLE_FMT_FLT.rawValue
        f.pointee.sample_rate = Int32(Self.sampleRate)
        try check(cffmpeg_frame_copy_layout(f, encoder.pointer), "encoding the audio", path: path)
        try check(av_frame_get_buffer(f, 0), "allocating an audio frame", path: path)
        pending.withUnsafeBufferPointer { samples in
            cffmpeg_frame_data(f, 0).withMemoryRebound(to: Float.self, capacity: count) {
                $0.update(from: samples.baseAddress!, count: count)
            }
        }
        let pts = pendingPTS ?? 0
        f.pointee.pts = pts
        pending.removeFirst(count)
        pendingPTS = pts + Int64(count)
        try check(avcodec_send_frame(encoder.pointer, f), "encoding the audio", path: path)
    }

    /// Reads and decodes the next audio packet into `pending`; at the end, drains the decoder
    /// and the resampler.
    private func decodeNextPacket() throws(MediaError) {
        while true {
            let read = av_read_frame(input.pointer, packet.pointer)
            if read == AVCode.endOfFile {
                try check(avcodec_send_packet(decoder.pointer, nil), "draining the audio decoder", path: path)
                try receiveDecodedFrames()
                try resample(nil)
                inputFinished = true
                return
            }
            try check(read, "reading audio", path: path)
            defer { packet.unref() }
            guard packet.pointer.pointee.stream_index == stream.pointee.index else { continue }
            try check(avcodec_send_packet(decoder.pointer, packet.pointer), "decoding the audio", path: path)
            try receiveDecodedFrames()
            return
        }
    }

    private func receiveDecodedFrames() throws(MediaError) {
        while true {
            let received = avcodec_receive_frame(decoder.pointer, decoded.pointer)
            if received == AVCode.tryAgain || received == AVCode.endOfFile { return }
            try check(received, "decoding the audio", path: path)
            defer { decoded.unref() }
            try resample(decoded.pointer)
        }
    }

    /// Appends `frame`'s samples (nil: what the resampler still holds) as 48 kHz mono.
    private func resample(_ frame: UnsafeMutablePointer<AVFrame>?) throws(MediaError) {
        if resampler == nil {
            guard let frame else { return }  // no audio was decoded at all
            resampler = cffmpeg_swr_for_decoder(decoder.pointer, 1, AV_SAMPLE_FMT_FLT, Int32(Self.sampleRate))
            guard resampler != nil else {
                throw MediaError(.ffmpeg, path: path, operation: "resampling the audio",
                                 detail: "cannot convert \(frame.pointee.sample_rate) Hz audio to 48 kHz mono")
            }
        }
        if pendingPTS == nil, let frame {
            let timestamp = frame.pointee.best_effort_timestamp
            pendingPTS = timestamp == AVCode.noPTS ? 0
                : av_rescale_q(timestamp, stream.pointee.time_base, AVRational(num: 1, den: Int32(Self.sampleRate)))
        }
        let capacity = Int(swr_get_out_samples(resampler, frame.map { $0.pointee.nb_samples } ?? 0))
        guard capacity > 0 else { return }
        var samples = [Float](repeating: 0, count: capacity)
        let written = samples.withUnsafeMutableBytes { raw in
            cffmpeg_swr_convert_frame(resampler, frame, raw.bindMemory(to: UInt8.self).baseAddress!, Int32(capacity))
        }
        try check(written, "resampling the audio", path: path)
        pending += samples.prefix(Int(written))
    }
}
