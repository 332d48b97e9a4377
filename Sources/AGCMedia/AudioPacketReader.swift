import CFFmpeg
import Foundation

/// Reads the first audio stream of a file as compressed packets, for remuxing (no decoding).
/// Timestamps are the stream's own, in `parameters.timeBase`, so they keep their offset from
/// the video that shared the file.
public final class AudioPacketReader {
    public let path: String
    public let parameters: AudioStreamParameters

    private let input: InputFile
    private let stream: UnsafeMutablePointer<AVStream>
    private let packet: OwnedPacket
    private var nextDTS: Int64 = 0

    /// Opens `path`; throws `.noAudioStream` when it has none.
    public init(path: String) throws(MediaError) {
        self.path = path
        input = try InputFile(path: path)
        guard let stream = input.firstStream(of: AVMEDIA_TYPE_AUDIO) else {
            throw MediaError(.noAudioStream, path: path, operation: "finding the audio",
                             detail: "the file has no audio stream")
        }
        self.stream = stream
        let p = stream.pointee.codecpar!.pointee
        let extradata = p.extradata.map { Data(bytes: $0, count: Int(p.extradata_size)) } ?? Data()
        parameters = AudioStreamParameters(
            codecName: String(cString: avcodec_get_name(p.codec_id)), extradata: extradata,
            sampleRate: Int(p.sample_rate), channels: Int(cffmpeg_channels(stream.pointee.codecpar)),
            timeBase: Rational(num: stream.pointee.time_base.num, den: stream.pointee.time_base.den),
            frameSize: Int(p.frame_size), initialPadding: Int(p.initial_padding), bitRate: Int(p.bit_rate))
        packet = try OwnedPacket()
        for other in input.streams where other != stream { other.pointee.discard = AVDISCARD_ALL }
    }

    /// Whether a file has an audio stream (false also for files that cannot be read).
    public static func hasAudio(path: String) -> Bool {
        (try? AudioPacketReader(path: path)) != nil
    }

    /// The next packet, or nil at the end.
    public func nextPacket() throws(MediaError) -> AudioPacket? {
        while true {
            let read = av_read_frame(input.pointer, packet.pointer)
            if read == AVCode.endOfFile { return nil }
            try check(read, "reading audio", path: path)
            defer { packet.unref() }
            guard packet.pointer.pointee.stream_index == stream.pointee.index else { continue }
            let p = packet.pointer.pointee
            let dts = p.dts != AVCode.noPTS ? p.dts : (p.pts != AVCode.noPTS ? p.pts : nextDTS)
            let pts = p.pts != AVCode.noPTS ? p.pts : dts
            nextDTS = dts + max(p.duration, 0)
            return AudioPacket(data: packet.data, pts: pts, dts: dts, duration: p.duration)
        }
    }
}
