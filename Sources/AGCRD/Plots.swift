/// The report's plots.
enum Plots {
    static func color(_ curve: String, in clip: ClipReport) -> String {
        let index = clip.curves.firstIndex(of: curve) ?? 0
        return SVGPlot.palette[index % SVGPlot.palette.count]
    }

    /// Rate-distortion curves of every codec on one metric, rate on a log axis.
    static func rd(_ clip: ClipReport, _ metric: Metric) -> SVGPlot {
        let series = clip.curves.map { curve in
            SVGPlot.Series(name: curve, color: color(curve, in: clip),
                           points: clip.points(of: curve).map { (x: $0.kbps, y: metric.value($0.mean)) })
        }
        return SVGPlot(title: "\(clip.clip): \(metric.title)", xLabel: "kb/s (every byte of the file)",
                       yLabel: metric.title, logX: true, series: series)
    }

    /// MS-SSIM-Y per frame of one AGC point and of each anchor's point nearest in rate.
    static func perFrame(_ clip: ClipReport, _ point: PointResult) -> SVGPlot {
        var shown = [point]
        for curve in clip.curves where !curve.hasPrefix("agc") {
            if let other = nearest(clip, curve: curve, kbps: point.kbps) { shown.append(other) }
        }
        let series = shown.map { p in
            SVGPlot.Series(name: String(format: "%@ %.1f kb/s", p.curve, p.kbps), color: color(p.curve, in: clip),
                           points: p.perFrame.enumerated().map { (x: Double($0.offset), y: $0.element.msssimY) },
                           markers: false)
        }
        return SVGPlot(title: "\(clip.clip): MS-SSIM-Y per frame, \(point.label)", xLabel: "frame",
                       yLabel: "MS-SSIM-Y", logX: false, series: series)
    }
}
