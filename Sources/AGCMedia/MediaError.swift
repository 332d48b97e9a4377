import CFFmpeg
import Foundation

/// An error from reading, decoding, encoding or writing media: what was done, to which file,
/// and FFmpeg's own message (from `av_strerror`) where FFmpeg reported it.
public struct MediaError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The broad class of failure, for callers that react differently to each.
    public enum Kind: Sendable, Equatable {
        case fileNotFound, notMediaFile, noVideoStream, noAudioStream
        case codecUnavailable, invalidArgument, ffmpeg, io
    }

    public let kind: Kind
    /// The FFmpeg error code (negative), or 0 when the error did not come from FFmpeg.
    public let code: Int32
    /// The file concerned, if any.
    public let path: String?
    /// What was being done, e.g. "opening the input".
    public let operation: String
    /// The reason, e.g. FFmpeg's message for `code`.
    public let detail: String

    public init(_ kind: Kind, code: Int32 = 0, path: String? = nil, operation: String, detail: String) {
        self.kind = kind
        self.code = code
        self.path = path
        self.operation = operation
        self.detail = detail
    }

    /// One line: `file: operation: detail`.
    public var description: String {
        (path.map { "\($0): " } ?? "") + "\(operation): \(detail)"
    }

    /// An error for FFmpeg return code `code`, with the message FFmpeg gives for it.
    public static func ffmpeg(_ code: Int32, _ operation: String, path: String? = nil,
                              kind: Kind = .ffmpeg) -> MediaError {
        MediaError(kind, code: code, path: path, operation: operation, detail: message(for: code))
    }

    /// FFmpeg's text for an error code (`av_strerror`).
    public static func message(for code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        _ = cffmpeg_strerror(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// FFmpeg return codes that are control flow rather than failure.
enum AVCode {
    static var tryAgain: Int32 { cffmpeg_averror_eagain() }
    static var endOfFile: Int32 { cffmpeg_averror_eof() }
    static var invalidData: Int32 { cffmpeg_averror_invaliddata() }
    static var noPTS: Int64 { cffmpeg_nopts_value() }
}

/// Throws a `MediaError` when `code` is negative; returns it otherwise.
@discardableResult
func check(_ code: Int32, _ operation: String, path: String? = nil) throws(MediaError) -> Int32 {
    if code < 0 { throw MediaError.ffmpeg(code, operation, path: path) }
    return code
}

extension MediaError {
    /// The reason a Foundation file operation failed, as the system words it ("File too large",
    /// "No space left on device"): Foundation's own message for a failed write names no cause.
    static func reason(_ error: Error) -> String {
        let error = error as NSError
        let posix = error.domain == NSPOSIXErrorDomain ? error : error.userInfo[NSUnderlyingErrorKey] as? NSError
        guard let posix, posix.domain == NSPOSIXErrorDomain else { return error.localizedDescription }
        return String(cString: strerror(Int32(posix.code)))
    }
}
