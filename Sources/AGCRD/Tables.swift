import Foundation

/// The report's CSV files and the markdown summary.
public enum Tables {
    static func n(_ v: Double?, _ digits: Int = 4) -> String {
        guard let v, v.isFinite else { return "" }
        return String(format: "%.\(digits)f", v)
    }

    static func csv(_ field: String) -> String {
        field.contains(",") || field.contains("\"") ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            : field
    }

    /// One row per clip and operating point.
    public static func pointsCSV(_ report: RDReport) -> String {
        var s = "clip,curve,label,file,frames,bytes,kbps,key_frames,psnr_y,psnr_rgb,ssim_y,msssim_y,seconds\n"
        for clip in report.clips {
            for p in clip.points {
                s += [clip.clip, p.curve, p.label, p.file, "\(p.frames)", "\(p.bytes)", n(p.kbps, 3),
                      p.keyFrames.map(String.init) ?? "", n(p.mean.psnrY), n(p.mean.psnrRGB), n(p.mean.ssimY, 6),
                      n(p.mean.msssimY, 6), n(p.seconds, 2)].map(csv).joined(separator: ",") + "\n"
            }
        }
        return s
    }

    /// One row per clip, operating point and frame.
    public static func framesCSV(_ report: RDReport) -> String {
        var s = "clip,curve,label,frame,psnr_y,psnr_rgb,ssim_y,msssim_y\n"
        for clip in report.clips {
            for p in clip.points {
                for (i, q) in p.perFrame.enumerated() {
                    s += [clip.clip, p.curve, p.label, "\(i)", n(q.psnrY), n(q.psnrRGB), n(q.ssimY, 6),
                          n(q.msssimY, 6)].map(csv).joined(separator: ",") + "\n"
                }
            }
        }
        return s
    }

    /// BD-rate and BD-quality of every AGC curve against every anchor on every metric.
    public static func comparisonsCSV(_ report: RDReport) -> String {
        var s = "clip,test,anchor,metric,bd_rate_percent,bd_quality,quality_low,quality_high,kbps_low,kbps_high\n"
        for clip in report.clips {
            for c in clip.comparisons {
                s += [clip.clip, c.test, c.anchor, c.metric.rawValue, n(c.bdRate, 2), n(c.bdQuality, 5),
                      n(c.qualityOverlap?[0]), n(c.qualityOverlap?[1]), n(c.rateOverlap?[0], 3),
                      n(c.rateOverlap?[1], 3)].joined(separator: ",") + "\n"
            }
        }
        return s
    }

    /// The lowest rate of every curve at the MS-SSIM-Y target.
    public static func lowestCSV(_ report: RDReport) -> String {
        var s = "clip,curve,metric,target,measured_kbps,interpolated_kbps,lowest_kbps\n"
        for clip in report.clips {
            for l in clip.lowestRates {
                s += [clip.clip, l.curve, l.metric.rawValue, n(l.target, 2), n(l.measuredKbps, 2),
                      n(l.interpolatedKbps, 2), n(l.lowestKbps, 2)].joined(separator: ",") + "\n"
            }
        }
        return s
    }

    /// A comparison cell: the BD-rate, or the quality difference at equal rate where the quality
    /// ranges do not overlap, or "-" where neither range overlaps.
    static func cell(_ c: CurveComparison?) -> String {
        guard let c else { return "-" }
        if let rate = c.bdRate { return String(format: "%+.1f%%", rate) }
        if let q = c.bdQuality {
            let digits = c.metric == .psnrY || c.metric == .psnrRGB ? 2 : 4
            return String(format: "no overlap, %+.\(digits)f at equal rate", q)
        }
        return "no overlap"
    }

    /// The README tables: curves, lowest rates at the target, BD-rates.
    public static func markdown(_ report: RDReport) -> String {
        let target = String(format: "%.2f", report.target)
        var s = "Rates count every byte of each file; quality is the per-frame mean against the cropped 256x256 "
            + "source.\n\n"
        s += "Curves (kb/s : MS-SSIM-Y, low to high rate):\n\n| clip | frames | curve | points |\n|---|---|---|---|\n"
        for clip in report.clips {
            for curve in clip.curves {
                let pts = clip.points(of: curve).map { String(format: "%.1f : %.3f", $0.kbps, $0.mean.msssimY) }
                s += "| \(clip.clip) | \(clip.frames) | \(curve) | \(pts.joined(separator: ", ")) |\n"
            }
        }
        let curves = report.clips.first?.curves ?? []
        s += "\nLowest kb/s with MS-SSIM-Y >= \(target) (lowest measured point meeting it; interpolated in "
            + "brackets; \"-\" when no point reaches it) and the lowest kb/s each curve reaches at all:\n\n"
        s += "| clip | " + curves.map { "\($0) @\(target)" }.joined(separator: " | ") + " | "
            + curves.map { "\($0) lowest" }.joined(separator: " | ") + " |\n"
        s += "|---|" + String(repeating: "---|", count: 2 * curves.count) + "\n"
        for clip in report.clips {
            let rates = curves.map { c in clip.lowestRates.first { $0.curve == c } }
            s += "| \(clip.clip) | " + rates.map { l -> String in
                guard let m = l?.measuredKbps else { return "-" }
                return String(format: "%.1f (%.1f)", m, l?.interpolatedKbps ?? m)
            }.joined(separator: " | ") + " | "
                + rates.map { n($0?.lowestKbps, 1) }.joined(separator: " | ") + " |\n"
        }
        s += "\nBD-rate of AGC against each anchor (PCHIP over the overlapping quality range; negative: AGC "
            + "needs less rate):\n\n| clip | AGC | anchor | " + Metric.allCases.map(\.title).joined(separator: " | ")
            + " |\n|---|---|---|" + String(repeating: "---|", count: Metric.allCases.count) + "\n"
        for clip in report.clips {
            let pairs = clip.comparisons.reduce(into: [(String, String)]()) { acc, c in
                if !acc.contains(where: { $0 == (c.test, c.anchor) }) { acc.append((c.test, c.anchor)) }
            }
            for (test, anchor) in pairs {
                s += "| \(clip.clip) | \(test) | \(anchor) | " + Metric.allCases.map { m in
                    cell(clip.comparisons.first { $0.test == test && $0.anchor == anchor && $0.metric == m })
                }.joined(separator: " | ") + " |\n"
            }
        }
        return s
    }
}
