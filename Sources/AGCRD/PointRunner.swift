import AGCCodec
import AGCMedia
import Foundation

/// Codes a clip at one operating point, decodes it, and measures every frame.
public struct PointRunner {
    /// The output folder; coded files go under `streams/` in it.
    public let outputFolder: String
    /// Frames whose decoded pictures are kept for the side-by-side views.
    public let snapshotFrames: Set<Int>
    /// Makes the AGC reconstruction backend (one per AGC point, as backends hold state).
    public let makeBackend: () throws -> ReconstructionBackend

    public init(outputFolder: String, snapshotFrames: Set<Int>,
                makeBackend: @escaping () throws -> ReconstructionBackend = { try BackendKind.emulator.make() }) {
        self.outputFolder = outputFolder
        self.snapshotFrames = snapshotFrames
        self.makeBackend = makeBackend
    }

    /// The point's result and its kept pictures (by frame number).
    public func run(_ point: OperatingPoint, on clip: ClipSource) throws -> (PointResult, [Int: RGBImage]) {
        let started = Date()
        let relative = "streams/\(clip.name)/\(point.slug).\(fileExtension(point))"
        let path = (outputFolder as NSString).appendingPathComponent(relative)
        try makeFolder((path as NSString).deletingLastPathComponent)
        var quality = [FrameQuality?](repeating: nil, count: clip.frames.count)
        var kept: [Int: RGBImage] = [:]
        var keyFrames: Int?
        let measure = { (index: Int, image: RGBImage) in
            guard index < clip.frames.count else { return }
            quality[index] = FrameQuality.measure(source: clip.frames[index], sourceLuma: clip.lumas[index],
                                                  decoded: image)
            if snapshotFrames.contains(index) { kept[index] = image }
        }
        switch point {
        case let .agc(settings):
            var options = EncoderOptions()
            options.crop = .full
            settings.apply(to: &options)
            options.progress = false
            options.audio = .none
            let encoder = try Encoder(options: options, backend: try makeBackend())
            let summary = try encoder.encode(input: clip.losslessPath, output: path, reconstructed: measure)
            keyFrames = summary.keyFrames.count
        case let .anchor(codec, crf, preset):
            let size = clip.frames[0].width
            let encoder = try AnchorEncoder(path: path, codec: codec, crf: crf, preset: preset, width: size,
                                            height: size, frameRate: clip.frameRate)
            for image in clip.frames { try encoder.write(image) }
            try encoder.finish()
            let reader = try VideoReader(path: path)
            var index = 0
            while let frame = try reader.nextFrame() {
                guard frame.image.width == size, frame.image.height == size else {
                    throw RDError("\(path): decoded \(frame.image.width)x\(frame.image.height), coded \(size)x\(size)")
                }
                measure(index, frame.image)
                index += 1
            }
        }
        let measured = quality.compactMap { $0 }
        guard measured.count == clip.frames.count else {
            throw RDError("\(path): \(measured.count) frames decoded of \(clip.frames.count)")
        }
        let bytes = try fileSize(path)
        let result = PointResult(curve: point.curve, label: point.description, file: relative,
                                 frames: measured.count, bytes: bytes,
                                 kbps: Double(bytes) * 8 / 1000 / clip.duration, keyFrames: keyFrames,
                                 mean: FrameQuality.mean(measured), perFrame: measured,
                                 seconds: Date().timeIntervalSince(started))
        return (result, kept)
    }

    private func fileExtension(_ point: OperatingPoint) -> String {
        if case let .anchor(codec, _, _) = point { return codec.fileExtension }
        return "agc"
    }
}

/// The size of a file in bytes, or an error naming it.
func fileSize(_ path: String) throws -> Int {
    guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber else {
        throw RDError("\(path): cannot read the file's size")
    }
    return size.intValue
}
