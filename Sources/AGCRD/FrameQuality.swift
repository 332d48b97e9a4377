import AGCMedia
import AGCMetrics

/// The quality of one decoded frame against its source frame.
public struct FrameQuality: Codable, Equatable, Sendable {
    /// PSNR of BT.601 luma (unrounded, as `Plane.luma`), capped at 100 dB.
    public var psnrY: Double
    /// PSNR over all R, G and B samples, capped at 100 dB.
    public var psnrRGB: Double
    /// SSIM of 8-bit luma as FFmpeg's `ssim` filter computes it.
    public var ssimY: Double
    /// MS-SSIM of luma (Wang, Simoncelli and Bovik).
    public var msssimY: Double

    public init(psnrY: Double, psnrRGB: Double, ssimY: Double, msssimY: Double) {
        self.psnrY = psnrY
        self.psnrRGB = psnrRGB
        self.ssimY = ssimY
        self.msssimY = msssimY
    }

    enum CodingKeys: String, CodingKey {
        case psnrY = "psnr_y", psnrRGB = "psnr_rgb", ssimY = "ssim_y", msssimY = "msssim_y"
    }

    /// Measures `decoded` against `source` (same size).
    public static func measure(source: RGBImage, sourceLuma: Plane, decoded: RGBImage) -> FrameQuality {
        let luma = Plane.luma(rgb: decoded.pixels, width: decoded.width, height: decoded.height)
        return FrameQuality(psnrY: Quality.cappedPSNR(sourceLuma, luma),
                            psnrRGB: min(Quality.psnrRGB(source.pixels, decoded.pixels), 100),
                            ssimY: FFmpegSSIM.ssim(sourceLuma, luma), msssimY: Quality.msssim(sourceLuma, luma))
    }

    /// The per-frame mean of each metric.
    public static func mean(_ frames: [FrameQuality]) -> FrameQuality {
        let n = Double(max(frames.count, 1))
        return FrameQuality(psnrY: frames.map(\.psnrY).reduce(0, +) / n,
                            psnrRGB: frames.map(\.psnrRGB).reduce(0, +) / n,
                            ssimY: frames.map(\.ssimY).reduce(0, +) / n,
                            msssimY: frames.map(\.msssimY).reduce(0, +) / n)
    }
}

/// The metrics a curve can be drawn on.
public enum Metric: String, CaseIterable, Codable, Sendable {
    case psnrY = "psnr_y", psnrRGB = "psnr_rgb", ssimY = "ssim_y", msssimY = "msssim_y"

    /// The name shown in reports.
    public var title: String {
        switch self {
        case .psnrY: return "PSNR-Y (dB)"
        case .psnrRGB: return "PSNR-RGB (dB)"
        case .ssimY: return "SSIM-Y (FFmpeg)"
        case .msssimY: return "MS-SSIM-Y"
        }
    }

    /// This metric of a frame (or of a mean).
    public func value(_ q: FrameQuality) -> Double {
        switch self {
        case .psnrY: return q.psnrY
        case .psnrRGB: return q.psnrRGB
        case .ssimY: return q.ssimY
        case .msssimY: return q.msssimY
        }
    }
}
