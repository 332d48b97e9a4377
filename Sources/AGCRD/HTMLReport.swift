import Foundation

/// The HTML page: per clip, the tables, the RD curves, per-frame quality and side-by-side frames.
enum HTMLReport {
    static func render(_ report: RDReport, havePictures: Set<String>) -> String {
        var s = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>AGC rate-distortion report</title>
        <style>body{font-family:sans-serif;margin:24px;max-width:1300px}table{border-collapse:collapse;margin:8px 0}
        td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:right}th{background:#f4f4f4}
        img{margin:2px}figure{display:inline-block;margin:4px;text-align:center}figcaption{font-size:12px}</style>
        </head><body>
        <h1>AGC rate-distortion report</h1>
        <p>Every codec codes the same cropped 256x256 frames at the clip's frame rate; quality is the per-frame
        mean against them (PSNR-Y, PSNR-RGB, SSIM-Y as FFmpeg's <code>ssim</code> filter, MS-SSIM-Y); kb/s count
        every byte of each file. Data: <a href="report.json">report.json</a>, <a href="points.csv">points.csv</a>,
        <a href="frames.csv">frames.csv</a>, <a href="bdrate.csv">bdrate.csv</a>, <a href="lowest.csv">lowest.csv</a>,
        <a href="summary.md">summary.md</a>.</p>

        """
        for clip in report.clips {
            s += "<h2>\(escape(clip.clip))</h2>\n<p>\(escape(clip.path)): \(clip.frames) frames at "
                + String(format: "%.3f", clip.frameRate)
                + " fps, crop \(clip.crop.map(String.init).joined(separator: ","))"
                + " scaled to \(clip.size)x\(clip.size).</p>\n"
            s += pointsTable(clip)
            s += comparisonTable(clip)
            s += "<h3>Rate-distortion curves</h3>\n"
            for metric in Metric.allCases {
                s += "<img src=\"plots/\(clip.clip)-\(metric.rawValue).svg\" alt=\"\(metric.title)\">\n"
            }
            s += "<h3>Per-frame quality</h3>\n"
            for point in clip.points where point.curve.hasPrefix("agc") {
                s += "<img src=\"plots/\(clip.clip)-\(slug(point))-frames.svg\" alt=\"per frame\">\n"
            }
            if havePictures.contains(clip.clip) { s += sideBySide(clip) }
        }
        return s + "</body></html>\n"
    }

    static func pointsTable(_ clip: ClipReport) -> String {
        var s = "<table><tr><th>curve</th><th>settings</th><th>kb/s</th><th>key frames</th>"
            + Metric.allCases.map { "<th>\($0.title)</th>" }.joined() + "</tr>\n"
        for curve in clip.curves {
            for p in clip.points(of: curve) {
                s += "<tr><td>\(curve)</td><td>\(escape(p.label))</td><td>" + String(format: "%.2f", p.kbps)
                    + "</td><td>\(p.keyFrames.map(String.init) ?? "")</td>"
                    + Metric.allCases.map { m in
                        let format = m == .psnrY || m == .psnrRGB ? "%.2f" : "%.4f"
                        return "<td>" + String(format: format, m.value(p.mean)) + "</td>"
                    }.joined() + "</tr>\n"
            }
        }
        let target = clip.lowestRates.first?.target ?? 0.9
        s += "</table>\n<p>Lowest kb/s at MS-SSIM-Y &ge; " + String(format: "%.2f", target)
            + ": " + clip.lowestRates.map { l in
                "\(l.curve) " + (l.measuredKbps.map { String(format: "%.2f measured", $0) } ?? "not reached")
                    + (l.interpolatedKbps.map { String(format: " (%.2f interpolated)", $0) } ?? "")
            }.joined(separator: "; ") + ".</p>\n"
        return s
    }

    static func comparisonTable(_ clip: ClipReport) -> String {
        guard !clip.comparisons.isEmpty else { return "" }
        var s = "<table><tr><th>AGC</th><th>anchor</th>" + Metric.allCases.map { "<th>\($0.title)</th>" }.joined()
            + "</tr>\n"
        var seen: [String] = []
        for c in clip.comparisons where !seen.contains(c.test + "|" + c.anchor) {
            seen.append(c.test + "|" + c.anchor)
            s += "<tr><td>\(c.test)</td><td>\(c.anchor)</td>" + Metric.allCases.map { m in
                "<td>" + escape(Tables.cell(clip.comparisons.first {
                    $0.test == c.test && $0.anchor == c.anchor && $0.metric == m })) + "</td>"
            }.joined() + "</tr>\n"
        }
        return s + "</table>\n<p>BD-rate (PCHIP, overlapping quality range); where the quality ranges do not "
            + "overlap, the mean quality difference at equal rate.</p>\n"
    }

    static func sideBySide(_ clip: ClipReport) -> String {
        var s = "<h3>Side by side (source, AGC, anchors at the nearest rate)</h3>\n"
        for point in clip.points where point.curve.hasPrefix("agc") {
            s += "<h4>\(point.curve) \(escape(point.label)): " + String(format: "%.2f kb/s", point.kbps) + "</h4>\n"
            var shown = [point]
            for curve in clip.curves where !curve.hasPrefix("agc") {
                if let other = nearest(clip, curve: curve, kbps: point.kbps) { shown.append(other) }
            }
            for frame in clip.snapshotFrames {
                s += "<div>\n<figure><img src=\"frames/\(clip.clip)/\(frame)-source.png\" width=\"256\">"
                    + "<figcaption>source, frame \(frame)</figcaption></figure>\n"
                for p in shown {
                    let q = frame < p.perFrame.count ? p.perFrame[frame].msssimY : .nan
                    s += "<figure><img src=\"frames/\(clip.clip)/\(frame)-\(slug(p)).png\" width=\"256\">"
                        + "<figcaption>\(p.curve) " + String(format: "%.2f kb/s, MS-SSIM-Y %.3f", p.kbps, q)
                        + "</figcaption></figure>\n"
                }
                s += "</div>\n"
            }
        }
        return s
    }
}
