import Foundation

/// A small line plot written as SVG text, with no dependencies.
public struct SVGPlot {
    /// One line of points, drawn with markers.
    public struct Series {
        public var name: String
        public var color: String
        public var points: [(x: Double, y: Double)]
        public var markers: Bool

        public init(name: String, color: String, points: [(x: Double, y: Double)], markers: Bool = true) {
            self.name = name
            self.color = color
            self.points = points
            self.markers = markers
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// A logarithmic x axis (rates).
    public var logX: Bool
    public var series: [Series]
    public var width = 560.0
    public var height = 380.0

    public init(title: String, xLabel: String, yLabel: String, logX: Bool, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logX = logX
        self.series = series
    }

    /// The colours used for curves, in order.
    public static let palette = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

    /// The SVG document.
    public func render() -> String {
        let left = 64.0, right = 150.0, top = 34.0, bottom = 48.0
        let plotW = width - left - right, plotH = height - top - bottom
        let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite && (!logX || $0.x > 0) }
        let tx = { (x: Double) in self.logX ? log10(x) : x }
        var x0 = all.map { tx($0.x) }.min() ?? 0, x1 = all.map { tx($0.x) }.max() ?? 1
        var y0 = all.map(\.y).min() ?? 0, y1 = all.map(\.y).max() ?? 1
        if x1 - x0 < 1e-9 { x0 -= 0.5; x1 += 0.5 }
        if y1 - y0 < 1e-9 { y0 -= 0.5; y1 += 0.5 }
        let padX = (x1 - x0) * 0.04, padY = (y1 - y0) * 0.06
        x0 -= padX; x1 += padX; y0 -= padY; y1 += padY
        let px = { (x: Double) in left + (tx(x) - x0) / (x1 - x0) * plotW }
        let py = { (y: Double) in top + (1 - (y - y0) / (y1 - y0)) * plotH }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" "
            + "viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(left))\" y=\"20\" font-size=\"13\" font-weight=\"bold\">\(escape(title))</text>\n"
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" "
            + "fill=\"none\" stroke=\"#888\"/>\n"
        for t in ticks(y0, y1) {
            let y = py(t)
            s += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"#eee\"/>\n"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(label(t))</text>\n"
        }
        for t in xTicks(x0, x1) {
            let x = left + (t.position - x0) / (x1 - x0) * plotW
            s += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(top))\" y2=\"\(f(top + plotH))\" stroke=\"#eee\"/>\n"
            s += "<text x=\"\(f(x))\" y=\"\(f(top + plotH + 16))\" text-anchor=\"middle\">\(t.text)</text>\n"
        }
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 8))\" text-anchor=\"middle\">"
            + "\(escape(xLabel))</text>\n"
        s += "<text transform=\"translate(14,\(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">"
            + "\(escape(yLabel))</text>\n"
        for (i, line) in series.enumerated() {
            let pts = line.points.filter { $0.x.isFinite && $0.y.isFinite && (!logX || $0.x > 0) }
            if pts.count > 1 {
                s += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.6\" points=\""
                    + pts.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ") + "\"/>\n"
            }
            if line.markers {
                for p in pts {
                    s += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3\" fill=\"\(line.color)\"/>\n"
                }
            }
            let ly = top + 10 + Double(i) * 16
            s += "<rect x=\"\(f(left + plotW + 10))\" y=\"\(f(ly - 8))\" width=\"12\" height=\"8\" "
                + "fill=\"\(line.color)\"/>\n"
            s += "<text x=\"\(f(left + plotW + 26))\" y=\"\(f(ly))\">\(escape(line.name))</text>\n"
        }
        return s + "</svg>\n"
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

    private func label(_ v: Double) -> String {
        if abs(v) < 1e-9 { return "0" }
        if abs(v) >= 1, v == v.rounded() { return String(format: "%.0f", v) }
        if abs(v) >= 10 { return String(format: "%.0f", v) }
        return String(format: abs(v) >= 1 ? "%.1f" : "%.3f", v)
    }

    /// About five round values between `a` and `b`.
    private func ticks(_ a: Double, _ b: Double) -> [Double] {
        let raw = (b - a) / 5, magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var out: [Double] = []
        var t = ceil(a / step) * step
        while t <= b + step * 1e-9 { out.append(t); t += step }
        return out
    }

    /// Ticks on the (possibly logarithmic) x axis: positions in axis units and their labels.
    private func xTicks(_ a: Double, _ b: Double) -> [(position: Double, text: String)] {
        guard logX else { return ticks(a, b).map { ($0, label($0)) } }
        var out: [(Double, String)] = []
        let mantissas: [Double] = b - a < 1.2 ? [1, 1.5, 2, 3, 4, 5, 6, 8] : [1, 2, 5]
        for decade in Int(floor(a))...Int(ceil(b)) {
            for m in mantissas {
                let v = m * pow(10, Double(decade))
                if log10(v) >= a && log10(v) <= b { out.append((log10(v), label(v))) }
            }
        }
        return out
    }
}

/// Text made safe for XML and HTML.
func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
