import CFFmpeg
import Foundation

/// Owns an opened input (`AVFormatContext`); closes it exactly once.
final class InputFile {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    let path: String

    /// Opens `path` and reads its stream information, with clear errors for a missing file
    /// and for a file that is not media.
    init(path: String) throws(MediaError) {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MediaError(.fileNotFound, path: path, operation: "opening the input", detail: "no such file")
        }
        if isDirectory.boolValue {
            throw MediaError(.notMediaFile, path: path, operation: "opening the input", detail: "is a directory")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw MediaError(.io, path: path, operation: "opening the input", detail: "permission denied")
        }
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        let code = avformat_open_input(&context, path, nil, nil)
        guard code >= 0, let opened = context else {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            let detail = size == 0 ? "the file is empty" : "not a media file FFmpeg can read ("
                + MediaError.message(for: code) + ")"
            throw MediaError(.notMediaFile, code: code, path: path, operation: "opening the input", detail: detail)
        }
        pointer = opened
        let info = avformat_find_stream_info(opened, nil)
        if info < 0 {
            var owned: UnsafeMutablePointer<AVFormatContext>? = opened
            avformat_close_input(&owned)
            throw MediaError.ffmpeg(info, "reading stream information", path: path, kind: .notMediaFile)
        }
    }

    deinit {
        var context: UnsafeMutablePointer<AVFormatContext>? = pointer
        avformat_close_input(&context)
    }

    var streams: [UnsafeMutablePointer<AVStream>] {
        (0..<Int(pointer.pointee.nb_streams)).compactMap { pointer.pointee.streams[$0] }
    }

    /// The first stream of `type`, skipping cover pictures; the default-disposition one if several.
    func firstStream(of type: AVMediaType) -> UnsafeMutablePointer<AVStream>? {
        let candidates = streams.filter {
            $0.pointee.codecpar!.pointee.codec_type == type
                && $0.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC == 0
        }
        return candidates.first { $0.pointee.disposition & AV_DISPOSITION_DEFAULT != 0 } ?? candidates.first
    }
}
