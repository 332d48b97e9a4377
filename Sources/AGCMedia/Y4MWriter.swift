import CFFmpeg
import Foundation

/// Writes RGB pictures as a YUV4MPEG2 (Y4M) stream, to a file or to a pipe such as standard output.
///
/// Y4M has no RGB, so pictures become 8-bit YUV, BT.601 limited range (tagged
/// `XCOLORRANGE=LIMITED`). `.c420` (header `C420jpeg`, what FFmpeg writes for yuv420p) is what
/// every tool reads (x265, aomenc, vvenc, ffmpeg); `.c444` keeps full chroma for tools that
/// accept it. Neither is exactly lossless from RGB: the colour conversion rounds.
public final class Y4MWriter {
    /// Chroma sampling of the stream.
    public enum Chroma: Sendable {
        case c420, c444
    }

    public let width: Int
    public let height: Int
    public let frameRate: Rational
    public let chroma: Chroma

    private let handle: FileHandle
    private let output: TemporaryOutput?
    private let scaler: Scaler
    private let frame: OwnedFrame
    private let name: String
    private var headerWritten = false
    private var isFinished = false

    /// Writes to `path` (through a temporary name, renamed by `finish()`).
    public convenience init(path: String, width: Int, height: Int, frameRate: Rational,
                            chroma: Chroma = .c420) throws(MediaError) {
        let output = try TemporaryOutput(for: path, operation: "opening the output")
        guard FileManager.default.createFile(atPath: output.temporaryPath, contents: nil),
              let handle = FileHandle(forWritingAtPath: output.temporaryPath) else {
            throw MediaError(.io, path: path, operation: "opening the output", detail: "cannot create the file")
        }
        try self.init(handle: handle, output: output, name: path, width: width, height: height,
                      frameRate: frameRate, chroma: chroma)
    }

    /// Writes to an open handle, e.g. `FileHandle.standardOutput`; `finish()` leaves it open.
    public convenience init(fileHandle: FileHandle, width: Int, height: Int, frameRate: Rational,
                            chroma: Chroma = .c420) throws(MediaError) {
        try self.init(handle: fileHandle, output: nil, name: "standard output", width: width, height: height,
                      frameRate: frameRate, chroma: chroma)
    }

    private init(handle: FileHandle, output: TemporaryOutput?, name: String, width: Int, height: Int,
                 frameRate: Rational, chroma: Chroma) throws(MediaError) {
        let valid = width > 0 && height > 0 && frameRate.num > 0 && frameRate.den > 0
            && (chroma == .c444 || (width % 2 == 0 && height % 2 == 0))
        guard valid else {
            output?.discard()
            throw MediaError(.invalidArgument, path: name, operation: "opening the Y4M output",
                             detail: "size \(width)x\(height) at \(frameRate) fps (4:2:0 needs even sizes)")
        }
        self.handle = handle
        self.output = output
        self.name = name
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.chroma = chroma
        let format = chroma == .c420 ? AV_PIX_FMT_YUV420P : AV_PIX_FMT_YUV444P
        do throws(MediaError) {
            scaler = try Scaler(from: (width, height, AV_PIX_FMT_RGB24), to: (width, height, format))
            frame = try OwnedFrame(width: width, height: height, format: format)
        } catch {
            output?.discard()
            throw error
        }
    }

    deinit {
        guard let output, !isFinished else { return }
        try? handle.close()
        output.discard()
    }

    /// The stream header line.
    public var header: String {
        let tag = chroma == .c420 ? "C420jpeg XYSCSS=420JPEG" : "C444 XYSCSS=444"
        return "YUV4MPEG2 W\(width) H\(height) F\(frameRate.num):\(frameRate.den) Ip A1:1 \(tag) XCOLORRANGE=LIMITED\n"
    }

    /// Converts and writes one picture.
    public func write(_ image: RGBImage) throws(MediaError) {
        guard !isFinished else {
            throw MediaError(.invalidArgument, path: name, operation: "writing Y4M", detail: "already finished")
        }
        guard image.width == width, image.height == height else {
            throw MediaError(.invalidArgument, path: name, operation: "writing Y4M",
                             detail: "picture is \(image.width)x\(image.height), stream is \(width)x\(height)")
        }
        try scaler.convert(packed: image.pixels, stride: image.stride, into: frame)
        let chromaWidth = chroma == .c420 ? width / 2 : width, chromaHeight = chroma == .c420 ? height / 2 : height
        var bytes = Data(capacity: 6 + width * height + 2 * chromaWidth * chromaHeight)
        if !headerWritten { bytes.append(contentsOf: Array(header.utf8)) }
        bytes.append(contentsOf: Array("FRAME\n".utf8))
        for plane in 0..<3 {
            let base = cffmpeg_frame_data(frame.pointer, Int32(plane))!
            let stride = Int(cffmpeg_frame_linesize(frame.pointer, Int32(plane)))
            let (w, h) = plane == 0 ? (width, height) : (chromaWidth, chromaHeight)
            for row in 0..<h { bytes.append(base + row * stride, count: w) }
        }
        try put(bytes)
        headerWritten = true
    }

    /// Completes the stream: renames a file output into place, or synchronises nothing for a handle.
    public func finish() throws(MediaError) {
        guard !isFinished else { return }
        if !headerWritten { try put(Data(header.utf8)) }
        isFinished = true
        guard let output else { return }
        do {
            try handle.close()
        } catch {
            output.discard()
            throw MediaError(.io, path: name, operation: "closing the Y4M file", detail: MediaError.reason(error))
        }
        try output.commit()
    }

    private func put(_ bytes: Data) throws(MediaError) {
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            isFinished = true
            if let output {
                try? handle.close()
                output.discard()
            }
            throw MediaError(.io, path: name, operation: "writing Y4M", detail: MediaError.reason(error))
        }
    }
}
