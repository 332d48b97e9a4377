import AGCMetrics
import Foundation

/// The quality a rebuilt frame must reach before the encoder starts a new key frame.
public enum QualityThreshold: Equatable, Sendable, CustomStringConvertible {
    case msssim(Double)
    case psnr(Double)

    /// Parses `msssim:0.93`, `psnr:32` (a bare number in 0...1 is MS-SSIM-Y, above 1 PSNR-Y).
    public init?(argument: String) {
        let parts = argument.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
        if parts.count == 2, let v = Double(parts[1]) {
            switch parts[0] {
            case "msssim", "ms-ssim": guard (0...1).contains(v) else { return nil }; self = .msssim(v)
            case "psnr": guard v > 0 else { return nil }; self = .psnr(v)
            default: return nil
            }
        } else if parts.count == 1, let v = Double(parts[0]), v > 0 {
            self = v <= 1 ? .msssim(v) : .psnr(v)
        } else {
            return nil
        }
    }

    /// This threshold's metric between two luma planes.
    public func measure(_ reference: Plane, _ test: Plane) -> Double {
        switch self {
        case .msssim: return Quality.msssim(reference, test)
        case .psnr: return Quality.cappedPSNR(reference, test)
        }
    }

    /// A score of this metric as a distortion (lower is better): 1 - MS-SSIM, or the mean
    /// squared error (of 8-bit samples, over 255^2) behind a PSNR.
    public func distortion(_ quality: Double) -> Double {
        switch self {
        case .msssim: return 1 - quality
        case .psnr: return pow(10, -quality / 10)
        }
    }

    public var minimum: Double {
        switch self {
        case let .msssim(v), let .psnr(v): return v
        }
    }

    public var description: String {
        switch self {
        case let .msssim(v): return "msssim:\(v)"
        case let .psnr(v): return "psnr:\(v)"
        }
    }
}
