import AGCBitstream
import AGCMedia
import Foundation

/// Whether an existing output is complete and valid, so that a rerun of a batch can skip it.
public enum OutputCheck {
    /// An `.agc` stream is complete when it parses from header to end-of-stream with every CRC
    /// right, its trailer points to its index, and its index holds the header's frames.
    public static func isCompleteStream(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path),
              let reader = try? BitstreamReader(data: data), reader.indexSource == .trailer,
              let units = try? reader.readAll(), case .endOfStream? = units.last?.element
        else { return false }
        return reader.header.frameCount == 0 || reader.index.frameCount == reader.header.frameCount
    }

    /// A decoded video is complete when FFmpeg opens it and it holds `frames` frames (counted
    /// by decoding: a container's own count can be missing or wrong).
    public static func isCompleteVideo(_ path: String, frames: Int) -> Bool {
        guard FileManager.default.fileExists(atPath: path), let reader = try? VideoReader(path: path) else { return false }
        var count = 0
        while (try? reader.nextFrame()) != nil { count += 1 }
        return count == frames
    }
}
