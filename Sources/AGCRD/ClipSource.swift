import AGCCodec
import AGCMedia
import AGCMetrics
import Foundation

/// One clip cropped once and scaled to the coded size: the frames every codec is given and
/// measured against.
public final class ClipSource {
    /// The clip's file.
    public let path: String
    /// A short name for reports (the file name without its extension).
    public let name: String
    /// The crop taken from the upright source picture.
    public let crop: CropRect
    public let frameRate: Rational
    public let frames: [RGBImage]
    /// The luma of each frame (BT.601, unrounded).
    public let lumas: [Plane]
    /// A lossless (FFV1, RGB) file of exactly `frames`, which the AGC encoder reads with `--crop full`.
    public let losslessPath: String

    /// Seconds of video: frames / frame rate.
    public var duration: Double { Double(frames.count) / frameRate.value }

    /// Reads `path`: chooses the crop (`mode` as `agc-encode --crop`), keeps at most `maxFrames`
    /// frames scaled to `size` x `size`, and writes them losslessly into `workFolder`. `name`
    /// defaults to the file name without its extension.
    public init(path: String, name: String? = nil, crop mode: CropMode, size: Int = 256, maxFrames: Int? = nil,
                workFolder: String) throws {
        self.path = path
        self.name = name ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let info = try probeVideo(path: path)
        switch mode {
        case .full: crop = CropChooser.centreSquare(width: info.width, height: info.height)
        case .auto:
            crop = try CropChooser.faceSquare(path: path, detector: try FaceDetector())
                ?? CropChooser.centreSquare(width: info.width, height: info.height)
        case .rect(let rect):
            guard rect.fits(width: info.width, height: info.height) else {
                throw RDError("\(path): --crop \(rect.x),\(rect.y),\(rect.width),\(rect.height) is outside the "
                    + "\(info.width)x\(info.height) picture")
            }
            crop = rect
        }
        frameRate = info.frameRate.value > 0 ? info.frameRate : Rational(num: 25, den: 1)
        let reader = try VideoReader(path: path)
        reader.setOutput(crop: crop, size: (width: size, height: size))
        var images: [RGBImage] = []
        while maxFrames.map({ images.count < $0 }) ?? true, let frame = try reader.nextFrame() {
            images.append(frame.image)
        }
        guard !images.isEmpty else { throw RDError("\(path): the video stream has no frames") }
        frames = images
        lumas = images.map { Plane.luma(rgb: $0.pixels, width: size, height: size) }
        losslessPath = (workFolder as NSString).appendingPathComponent("\(name)-source.mkv")
        let writer = try VideoWriter(path: losslessPath, format: .mkvFFV1, width: size, height: size,
                                     frameRate: frameRate)
        for image in images { try writer.write(image) }
        try writer.finish()
    }
}

/// An error of the comparison tool: one line, naming the file concerned.
public struct RDError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
