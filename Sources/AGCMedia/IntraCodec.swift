import CFFmpeg

/// The still-picture codecs that key frames can use.
public enum IntraCodec: String, CaseIterable, Sendable {
    /// HEVC through libx265, every picture an IDR with its own VPS/SPS/PPS.
    case hevc
    /// AV1 through SVT-AV1 (libsvtav1), every picture a key frame with its sequence header;
    /// decoded with libdav1d.
    case av1

    /// The quantizer range the encoder accepts: 0...51 for HEVC, 1...63 for AV1 (SVT-AV1's scale).
    public var qpRange: ClosedRange<Int> { self == .hevc ? 0...51 : 1...63 }

    var encoderName: String { self == .hevc ? "libx265" : "libsvtav1" }
    var codecID: AVCodecID { self == .hevc ? AV_CODEC_ID_HEVC : AV_CODEC_ID_AV1 }
}
