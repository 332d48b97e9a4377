import AGCMedia
import Foundation

/// Writes a run's results into a folder: `report.json`, `points.csv`, `frames.csv`,
/// `bdrate.csv`, `lowest.csv`, `summary.md`, RD and per-frame plots as SVG under `plots/`,
/// side-by-side frames as PNG under `frames/`, and `report.html` tying them together. Every file
/// is written under a temporary name and renamed when complete.
public struct ReportWriter {
    public let folder: String

    public init(folder: String) { self.folder = folder }

    /// Writes everything. `pictures[clip][file or "source"][frame]` are the kept decoded pictures.
    public func writeAll(_ report: RDReport, pictures: [String: [String: [Int: RGBImage]]]) throws {
        try makeFolder(path("plots"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try write(try encoder.encode(report) + Data("\n".utf8), to: "report.json")
        try write(Tables.pointsCSV(report), to: "points.csv")
        try write(Tables.framesCSV(report), to: "frames.csv")
        try write(Tables.comparisonsCSV(report), to: "bdrate.csv")
        try write(Tables.lowestCSV(report), to: "lowest.csv")
        try write(Tables.markdown(report), to: "summary.md")
        for clip in report.clips {
            for metric in Metric.allCases {
                try write(Plots.rd(clip, metric).render(), to: "plots/\(clip.clip)-\(metric.rawValue).svg")
            }
            for point in clip.points where point.curve.hasPrefix("agc") {
                try write(Plots.perFrame(clip, point).render(), to: "plots/\(clip.clip)-\(slug(point))-frames.svg")
            }
            if let kept = pictures[clip.clip] {
                let dir = "frames/\(clip.clip)"
                try makeFolder(path(dir))
                for (file, images) in kept {
                    let name = file == "source" ? "source" : slug(file)
                    for (frame, image) in images {
                        try PNGEncoder.write(image, to: path("\(dir)/\(frame)-\(name).png"))
                    }
                }
            }
        }
        try write(HTMLReport.render(report, havePictures: Set(pictures.keys)), to: "report.html")
    }

    func path(_ relative: String) -> String { (folder as NSString).appendingPathComponent(relative) }

    private func write(_ text: String, to relative: String) throws { try write(Data(text.utf8), to: relative) }

    private func write(_ data: Data, to relative: String) throws {
        let file = try AtomicFile(path: path(relative))
        try file.write(data)
        try file.commit()
    }
}

/// The file-name part of a point: its stream's name without folder or extension.
func slug(_ point: PointResult) -> String { slug(point.file) }

func slug(_ file: String) -> String {
    (((file as NSString).lastPathComponent) as NSString).deletingPathExtension
}

/// The point of `curve` nearest in log-rate to `kbps`.
func nearest(_ clip: ClipReport, curve: String, kbps: Double) -> PointResult? {
    clip.points(of: curve).min { abs(log($0.kbps / kbps)) < abs(log($1.kbps / kbps)) }
}
