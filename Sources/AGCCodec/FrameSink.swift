import AGCMedia
import Foundation

/// Where decoded frames go, chosen by the output name: `.mp4` (H.264, audio remuxed), `.mkv`
/// (FFV1, lossless), `.y4m`, or `-` for Y4M on standard output.
public final class FrameSink {
    private enum Target {
        case video(VideoWriter)
        case y4m(Y4MWriter)
    }

    private let target: Target

    public init(path: String, width: Int, height: Int, frameRate: AGCMedia.Rational,
                audio: AudioStreamParameters?) throws {
        let ext = (path as NSString).pathExtension.lowercased()
        switch (path, ext) {
        case ("-", _):
            target = .y4m(try Y4MWriter(fileHandle: .standardOutput, width: width, height: height, frameRate: frameRate))
        case (_, "y4m"):
            target = .y4m(try Y4MWriter(path: path, width: width, height: height, frameRate: frameRate))
        case (_, "mp4"):
            target = .video(try VideoWriter(path: path, format: .mp4H264, width: width, height: height,
                                            frameRate: frameRate, audio: audio))
        case (_, "mkv"):
            target = .video(try VideoWriter(path: path, format: .mkvFFV1, width: width, height: height,
                                            frameRate: frameRate, audio: audio))
        default:
            throw CodecError.badArgument("\(path): unknown output type .\(ext) (use .mp4, .mkv, .y4m or - for stdout)")
        }
    }

    /// Whether audio packets can be written (the container carries them).
    public var acceptsAudio: Bool {
        if case .video = target { return true }
        return false
    }

    public func write(_ image: RGBImage) throws {
        switch target {
        case .video(let w): try w.write(image)
        case .y4m(let w): try w.write(image)
        }
    }

    public func writeAudio(_ packet: AGCMedia.AudioPacket) throws {
        if case .video(let w) = target { try w.writeAudio(packet) }
    }

    /// Completes the output and gives it its final name.
    public func finish() throws {
        switch target {
        case .video(let w): try w.finish()
        case .y4m(let w): try w.finish()
        }
    }
}
