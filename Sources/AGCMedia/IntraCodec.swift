import CFFmpeg

/// The codecs that key pictures can use (`KeyPictureEncoder`, `KeyPictureDecoder`).
public enum IntraCodec: String, CaseIterable, Sendable {
    /// HEVC through libx265: IDRs with their own VPS/SPS/PPS, and low-delay P pictures.
    case hevc
    /// AV1 through libaom (real-time mode, no lag): key frames with their sequence header, and
    /// low-delay predicted frames; decoded with libdav1d.
    case av1

    /// The quantizer range the encoder accepts: 0...51 for HEVC, 1...63 for AV1 (libaom's scale).
    public var qpRange: ClosedRange<Int> { self == .hevc ? 0...51 : 1...63 }

    var encoderName: String { self == .hevc ? "libx265" : "libaom-av1" }
    var codecID: AVCodecID { self == .hevc ? AV_CODEC_ID_HEVC : AV_CODEC_ID_AV1 }
}

/// What libx265 optimises its HEVC key pictures for (its `--tune`): `none` keeps x265's
/// psycho-visual rate-distortion (psy-rd 2, psy-rdoq), `psnr` and `ssim` turn it off (constant
/// QP leaves x265's adaptive quantization off either way, so the two code the same pictures).
public enum KeyPictureTune: String, CaseIterable, Sendable {
    case none, psnr, ssim
}

/// libx265's presets, fastest first: how hard it searches for each key picture.
public enum KeyPicturePreset {
    public static let names = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower",
                               "veryslow", "placebo"]
}
