import CFFmpeg
import Foundation

/// What a muxer needs to carry an audio stream unchanged (no decoding), in plain values that
/// can be stored in a bitstream and given back to `VideoWriter`.
public struct AudioStreamParameters: Equatable, Sendable {
    /// FFmpeg's short codec name, e.g. "aac" (portable across FFmpeg versions, unlike the numeric id).
    public var codecName: String
    /// Codec-specific setup, e.g. AAC's AudioSpecificConfig.
    public var extradata: Data
    public var sampleRate: Int
    public var channels: Int
    /// The time base of packet timestamps and durations.
    public var timeBase: Rational
    /// Samples per packet (0 when variable or unknown).
    public var frameSize: Int
    /// Encoder delay in samples (AAC priming), 0 when unknown.
    public var initialPadding: Int
    /// Nominal bit rate in bits per second (0 when unknown).
    public var bitRate: Int

    public init(codecName: String, extradata: Data, sampleRate: Int, channels: Int, timeBase: Rational,
                frameSize: Int = 0, initialPadding: Int = 0, bitRate: Int = 0) {
        self.codecName = codecName
        self.extradata = extradata
        self.sampleRate = sampleRate
        self.channels = channels
        self.timeBase = timeBase
        self.frameSize = frameSize
        self.initialPadding = initialPadding
        self.bitRate = bitRate
    }

    /// The parameters of a stream carried without its container (an AGC stream keeps the
    /// codec, rate, channels, time base and setup bytes), with what the setup bytes imply:
    /// Opus's pre-skip (bytes 10-11 of its `OpusHead`) is the encoder delay Matroska records.
    public static func carried(codecName: String, extradata: Data, sampleRate: Int, channels: Int,
                               timeBase: Rational) -> AudioStreamParameters {
        var padding = 0
        let head = [UInt8](extradata.prefix(12))
        if codecName == "opus", head.count == 12, head.prefix(8) == Array("OpusHead".utf8)[...] {
            padding = Int(head[10]) | Int(head[11]) << 8
        }
        return AudioStreamParameters(codecName: codecName, extradata: extradata, sampleRate: sampleRate,
                                     channels: channels, timeBase: timeBase, initialPadding: padding)
    }

    /// FFmpeg's codec id for `codecName`, or nil when this FFmpeg does not know it.
    var codecID: AVCodecID? {
        guard let descriptor = avcodec_descriptor_get_by_name(codecName) else { return nil }
        return descriptor.pointee.id
    }

    /// Fills `parameters` (of a new output stream) from these values.
    func apply(to parameters: UnsafeMutablePointer<AVCodecParameters>) throws(MediaError) {
        guard let id = codecID else {
            throw MediaError(.codecUnavailable, operation: "adding the audio stream",
                             detail: "FFmpeg does not know the codec \(codecName)")
        }
        parameters.pointee.codec_type = AVMEDIA_TYPE_AUDIO
        parameters.pointee.codec_id = id
        parameters.pointee.codec_tag = 0
        parameters.pointee.sample_rate = Int32(sampleRate)
        cffmpeg_set_default_channels(parameters, Int32(channels))
        parameters.pointee.frame_size = Int32(frameSize)
        parameters.pointee.initial_padding = Int32(initialPadding)
        parameters.pointee.bit_rate = Int64(bitRate)
        if !extradata.isEmpty {
            let padding = Int(AV_INPUT_BUFFER_PADDING_SIZE)
            guard let buffer = av_mallocz(extradata.count + padding)?.assumingMemoryBound(to: UInt8.self) else {
                throw MediaError(.ffmpeg, operation: "adding the audio stream", detail: "out of memory")
            }
            extradata.copyBytes(to: buffer, count: extradata.count)
            parameters.pointee.extradata = buffer
            parameters.pointee.extradata_size = Int32(extradata.count)
        }
    }
}

/// One compressed audio packet, timestamps in the stream's time base.
public struct AudioPacket: Equatable, Sendable {
    public var data: Data
    public var pts: Int64
    public var dts: Int64
    public var duration: Int64

    public init(data: Data, pts: Int64, dts: Int64, duration: Int64) {
        self.data = data
        self.pts = pts
        self.dts = dts
        self.duration = duration
    }
}
