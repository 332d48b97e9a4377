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
/// Pictures are converted to YUV 4:2:0, BT.601 limited range (as `KeyPictureEncoder` does) and coded
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

    /// The writing itself: a `VideoWriter` with the anchor's encoder and elementary-stream muxer.
    private let writer: VideoWriter

    /// Opens the anchor's file; errors name the file (bad size, CRF or rate, encoder unavailable).
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
        var options = [("preset", self.preset), ("crf", "\(crf)")]
        // info=0: no SEI with x265's version and options (about 2 KB, not video).
        if codec == .hevc { options.append(("x265-params", "log-level=error:info=0")) }
        let encoding = VideoEncoding(muxer: codec.muxerName, encoderName: codec.encoderName,
                                     pixelFormat: AV_PIX_FMT_YUV420P, options: options) { c in
            c.pointee.gop_size = Int32(keyInterval)
            c.pointee.thread_count = Int32(threads)
            VideoEncoding.bt601(c)
        }
        writer = try VideoWriter(path: path, encoding: encoding, width: width, height: height,
                                 frameRate: frameRate, audio: nil, operation: operation)
    }

    /// Encodes one picture of the anchor's size.
    public func write(_ image: RGBImage) throws(MediaError) {
        try writer.write(image)
    }

    /// Flushes the encoder, completes the file, renames it into place and returns its size in bytes.
    @discardableResult
    public func finish() throws(MediaError) -> Int {
        try writer.finish()
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
        guard let size else {
            throw MediaError(.io, path: path, operation: "finishing", detail: "cannot read the file's size")
        }
        return size
    }
}
