import Foundation

/// A progress line on stderr in the manner of x265 (`[12.5%] 40/320 frames, 31.2 fps, 6.1 kb/s,
/// eta 0:00:09`), redrawn at most every 250 ms; silent when disabled.
public final class ProgressLine {
    private let label: String
    private let totalFrames: Int?
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drew = false

    public init(label: String, totalFrames: Int?, enabled: Bool) {
        self.label = label
        self.totalFrames = totalFrames.flatMap { $0 > 0 ? $0 : nil }
        self.enabled = enabled
    }

    /// Reports `frames` done and `bytes` written so far at `frameRate` frames per second of video.
    public func update(frames: Int, bytes: Int, frameRate: Double, force: Bool = false) {
        guard enabled else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.25 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 1e-6)
        let fps = Double(frames) / elapsed
        let seconds = Double(frames) / max(frameRate, 1e-6)
        let kbps = seconds > 0 ? Double(bytes) * 8 / 1000 / seconds : 0
        var line = "\(label): "
        if let total = totalFrames {
            let left = max(total - frames, 0)
            let eta = fps > 0 ? Double(left) / fps : 0
            line += String(format: "[%.1f%%] %d/%d frames, %.1f fps, %.2f kb/s, eta %@",
                           100 * Double(frames) / Double(total), frames, total, fps, kbps, Self.clock(eta))
        } else {
            line += String(format: "%d frames, %.1f fps, %.2f kb/s", frames, fps, kbps)
        }
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
        drew = true
    }

    /// Seconds as h:mm:ss.
    public static func clock(_ seconds: Double) -> String {
        let s = Int(max(seconds, 0).rounded())
        return String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
    }

    /// Ends the line (a newline after the last redraw).
    public func finish() {
        if enabled && drew { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
