import AGCBitstream
import AGCMedia
import AGCMetrics
import AGCModel
import Foundation

/// The AGC encoder: crops and scales the input, codes key frames with an intra codec and every
/// other frame as quantized keypoints, and decides in a closed loop (it runs the decoder's
/// backend on exactly what it sends) where key frames go and which frames simply repeat the key
/// frame.
public final class Encoder {
    public let options: EncoderOptions
    public let backend: ReconstructionBackend

    public init(options: EncoderOptions, backend: ReconstructionBackend) throws {
        guard options.size == backend.frameSize else {
            throw CodecError.badArgument("--size \(options.size): the model codes \(backend.frameSize)x\(backend.frameSize) only")
        }
        guard EncoderOptions.referenceRange.contains(options.references) else {
            throw CodecError.badArgument("--references \(options.references): expected \(EncoderOptions.referenceRange)")
        }
        self.options = options
        self.backend = backend
    }

    /// Encodes `input` into `output` (written under a temporary name, renamed when complete).
    /// `reconstructed`, if given, receives every frame as the decoder will show it.
    public func encode(input: String, output: String,
                       reconstructed: ((Int, RGBImage) -> Void)? = nil) throws -> EncodeSummary {
        let started = Date()
        try OutputPreflight.check(output, against: [input])
        try Self.refuseAGCStream(input)
        let reader = try VideoReader(path: input)
        let info = reader.info
        var warnings: [String] = []
        let (crop, cropSource) = try chooseCrop(input: input, info: info) {
            warnings.append($0)
            options.warn($0)
        }
        let size = options.size
        reader.setOutput(crop: crop, size: (width: size, height: size))
        let quantizer = try KeypointQuantizer(stepDenominator: options.keypointStepDenominator)
        let audio = try options.audio.source(for: input)
        var header = SequenceHeader(
            codedWidth: size, codedHeight: size,
            frameRate: AGCBitstream.Rational(Int(info.frameRate.num), Int(max(info.frameRate.den, 1))),
            frameCount: max(info.frameCountEstimate, 0), sourceWidth: info.codedWidth, sourceHeight: info.codedHeight,
            rotation: info.rotation, crop: AGCBitstream.CropRect(x: crop.x, y: crop.y, width: crop.width, height: crop.height),
            modelIdentifier: backend.modelIdentifier, modelHash: hexBytes(backend.modelSHA256),
            keypointCount: backend.keypointCount, keypointStepDenominator: options.keypointStepDenominator,
            keyFrameCodec: options.keyFrameCodec == .hevc ? .hevc : .av1, hasAudio: audio != nil)
        header.pictureHashGroup = options.pictureHashGroup
        let file = try AtomicFile(path: output)
        let writer = try BitstreamWriter(header: header, sink: { try file.write($0) })
        var hasher = options.pictureHashGroup > 0 ? PictureHasher(framesPerHash: options.pictureHashGroup) : nil
        func writeHashes() throws {
            for unit in hasher?.takeUnits() ?? [] { _ = try writer.write(unit) }
        }
        let audioCarrier = try audio.map { try AudioCarrier(reader: $0, writer: writer) }

        let fps = info.frameRate.value > 0 ? info.frameRate.value : 25
        let keyLayer = try KeyPictureLayer(options: options, frameRate: fps)
        var decision = FrameDecision(threshold: options.minQuality, rule: options.decision)
        let threshold = options.minQuality
        let progress = ProgressLine(label: (input as NSString).lastPathComponent,
                                    totalFrames: info.frameCountEstimate, enabled: options.progress)

        var stats: [FrameStats] = []
        var keyFrames: [Int] = []
        var randomAccessFrames: [Int] = []
        var keyImage = RGBImage(width: size, height: size)
        var keyPlane = Plane(width: size, height: size, values: [])
        var pool = KeyPicturePool(capacity: options.references)
        let codesReferences = options.references > 1
        var run = RunBuilder(predictor: [], codesReferences: codesReferences)
        var keyBytes = 0, keypointBytes = 0
        var generatedBits = 48.0  // about what a rebuilt frame's keypoints cost: the last one's bits
        var index = 0
        while let frame = try reader.nextFrame() {
            defer { index += 1 }
            let image = frame.image
            let plane = Plane.luma(rgb: image.pixels, width: size, height: size)
            var choice: (kind: FrameStats.Kind, quantized: [QuantizedKeypoint], rebuild: Rebuild?, shown: Plane, image: RGBImage)?
            if let last = keyFrames.last, index - last < options.maxKeyInterval {
                let quantized = quantizer.quantize(try backend.keypoints(of: image))
                let best = try bestRebuild(of: frame.image, luma: plane, keypoints: quantizer.dequantize(quantized), pool: &pool)
                switch decision.choose(generated: best.quality, repeated: decision.threshold.measure(plane, keyPlane),
                                       keypointBits: generatedBits) {
                case .generated: choice = (.generated, quantized, best, best.plane, best.image)
                case .repeat: choice = (.repeat, [], nil, keyPlane, keyImage)
                case .keyPicture: choice = nil
                }
            }
            if let (kind, quantized, rebuild, shown, shownImage) = choice {
                reconstructed?(index, shownImage)
                hasher?.add(frame: index, shownImage)
                let before = run.encoder.approximateSize + run.camera.approximateSize
                if let rebuild {
                    try run.add(.generated(quantized, reference: rebuild.reference), camera: rebuild.camera)
                } else {
                    try run.add(.repeatKeyFrame, camera: .identity)
                }
                let bits = 8 * (run.encoder.approximateSize + run.camera.approximateSize - before)
                if kind == .generated { generatedBits = Double(bits) }
                stats.append(FrameStats(frame: index, kind: kind, bits: bits,
                                        psnrY: Quality.cappedPSNR(plane, shown), msssimY: Quality.msssim(plane, shown),
                                        camera: !(rebuild?.camera.isIdentity ?? true)))
                if run.frames >= options.maxRunLength {
                    keypointBytes += try run.flush(to: writer, nextFirstFrame: index + 1)
                }
            } else {
                let predictor = run.encoder.predictor
                keypointBytes += try run.flush(to: writer, nextFirstFrame: index + 1)
                try writeHashes()
                let coded = try keyLayer.code(image, frame: index)
                keyImage = coded.picture
                keyPlane = Plane.luma(rgb: keyImage.pixels, width: size, height: size)
                let keyQuantized = quantizer.quantize(try backend.keypoints(of: keyImage))
                try pool.add(frame: index, image: keyImage, keypoints: quantizer.dequantize(keyQuantized),
                             randomAccess: coded.isRandomAccess, backend: backend)
                // Format 1.3: a predicted picture's keypoints open the run its unit will carry.
                let next = try RunBuilder.start(after: coded, frame: index, keypoints: keyQuantized, predictor: predictor,
                                                codesReferences: codesReferences, writer: writer)
                run = next.run
                keyBytes += next.keyBytes
                let keypointBits = next.keypointBits
                decision.keyPictureCoded(bits: 8 * coded.packet.count + keypointBits,
                                         quality: threshold.measure(plane, keyPlane),
                                         randomAccess: coded.isRandomAccess)
                keyFrames.append(index)
                if coded.isRandomAccess { randomAccessFrames.append(index) }
                reconstructed?(index, keyImage)
                hasher?.add(frame: index, keyImage)
                stats.append(FrameStats(frame: index, kind: coded.isRandomAccess ? .key : .predictedKey,
                                        bits: 8 * coded.packet.count + keypointBits,
                                        psnrY: Quality.cappedPSNR(plane, keyPlane), msssimY: Quality.msssim(plane, keyPlane)))
            }
            if (index + 1) % max(1, Int(fps.rounded())) == 0 {
                // Audio goes in about once a second: one unit's framing per second, not per frame.
                try audioCarrier?.write(until: Double(index + 1) / fps)
            }
            progress.update(frames: index + 1, bytes: writer.bytesWritten, frameRate: fps)
        }
        guard index > 0 else { throw CodecError.input("\(input): the video stream has no frames") }
        keypointBytes += try run.flush(to: writer, nextFirstFrame: index)
        hasher?.finishGroup()
        try writeHashes()
        try audioCarrier?.write(until: .infinity)
        try writer.finish(frameCount: index)
        progress.update(frames: index, bytes: writer.bytesWritten, frameRate: fps, force: true)
        progress.finish()
        try file.commit()

        let audioBytes = audioCarrier?.payloadBytes ?? 0
        let seconds = Double(index) / fps
        let total = writer.bytesWritten
        let kbps = { (bytes: Int) in Double(bytes) * 8 / 1000 / seconds }
        return EncodeSummary(
            input: input, output: output, frames: index, frameRate: fps, crop: [crop.x, crop.y, crop.width, crop.height],
            cropSource: cropSource, audio: audio == nil ? "none" : options.audio.description, warnings: warnings,
            keyFrames: keyFrames, randomAccessFrames: randomAccessFrames, bytes: total, kbps: kbps(total), kbpsKeyFrames: kbps(keyBytes),
            kbpsKeypoints: kbps(keypointBytes), kbpsAudio: kbps(audioBytes),
            kbpsOverhead: kbps(total - keyBytes - keypointBytes - audioBytes),
            meanPSNRY: stats.map(\.psnrY).reduce(0, +) / Double(stats.count),
            meanMSSSIMY: stats.map(\.msssimY).reduce(0, +) / Double(stats.count),
            encodeFPS: Double(index) / Date().timeIntervalSince(started), perFrame: stats)
    }

    /// A generated frame as the decoder will rebuild it: from which key picture, moved by which
    /// camera map, and how it scores.
    struct Rebuild {
        var reference: Int
        var camera: CameraMap
        var image: RGBImage
        var plane: Plane
        var quality: Double
    }

    /// A camera map is sent only where it lowers the rebuilt frame's distortion (the threshold's
    /// metric) by at least this fraction: smaller gains do not pay for the map's bits (on lp-d18,
    /// a still camera, sending every gain cost a third of the lowest rate; docs/model.md,
    /// session 12).
    static let cameraMinimumGain = 0.05

    /// The frame rebuilt from each key picture of `pool` with `keypoints`, with the key picture
    /// where it stands and (with `options.camera`) moved by the camera's motion measured against
    /// the source frame `source`, scored against the source luma `luma` by the threshold's
    /// metric: the best one (on a tie the latest key picture); the moved key picture only where
    /// it gains `cameraMinimumGain` over the same key picture standing still.
    private func bestRebuild(of source: RGBImage, luma: Plane, keypoints: [Keypoint], pool: inout KeyPicturePool) throws -> Rebuild {
        var best: Rebuild?
        func rebuild(_ reference: Int, _ map: CameraMap) throws -> Rebuild {
            try pool.load(reference, movedBy: map, into: backend)
            let image = try backend.rebuild(keypoints: keypoints)
            let plane = Plane.luma(rgb: image.pixels, width: options.size, height: options.size)
            return Rebuild(reference: reference, camera: map, image: image, plane: plane,
                           quality: options.minQuality.measure(luma, plane))
        }
        for reference in pool.referencesLoadedFirst {
            var candidate = try rebuild(reference, .identity)
            if options.camera {
                let map = CameraEstimator.map(key: pool.image(reference), frame: source)
                if !map.isIdentity {
                    let moved = try rebuild(reference, map)
                    let threshold = options.minQuality
                    if threshold.distortion(moved.quality) <= (1 - Self.cameraMinimumGain) * threshold.distortion(candidate.quality) {
                        candidate = moved
                    }
                }
            }
            if let b = best, candidate.quality < b.quality || (candidate.quality == b.quality && reference > b.reference) { continue }
            best = candidate
        }
        return best!
    }

    /// The clip's crop and where it came from (`EncodeSummary.cropSource`); `warn` hears when
    /// `--crop auto` finds no face.
    private func chooseCrop(input: String, info: VideoStreamInfo,
                            warn: (String) -> Void) throws -> (AGCMedia.CropRect, String) {
        switch options.crop {
        case .full:
            return (CropChooser.centreSquare(width: info.width, height: info.height), "centre")
        case .auto:
            if let face = try CropChooser.faceSquare(path: input, detector: try FaceDetector()) { return (face, "face") }
            let centre = CropChooser.centreSquare(width: info.width, height: info.height)
            warn("\(input): --crop auto found no face in the first 10 s: using the centre square "
                + "\(centre.x),\(centre.y),\(centre.width),\(centre.height)")
            return (centre, "centre (no face found)")
        case .rect(let rect):
            guard rect.fits(width: info.width, height: info.height) else {
                throw CodecError.badArgument("\(input): --crop \(rect.x),\(rect.y),\(rect.width),\(rect.height) "
                    + "is outside the \(info.width)x\(info.height) picture")
            }
            return (rect, "given")
        }
    }

    /// Refuses an AGC stream as input: FFmpeg would probe it as raw video and "encode" garbage.
    static func refuseAGCStream(_ input: String) throws {
        guard let handle = FileHandle(forReadingAtPath: input) else { return }  // the reader says why
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: FormatVersion.magic.count)) ?? Data()
        if [UInt8](head) == FormatVersion.magic {
            throw CodecError.input("\(input): is an AGC stream: use agc-decode")
        }
    }
}

func hexBytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var chars = Array(hex.utf8)
    if chars.count % 2 == 1 { chars.insert(UInt8(ascii: "0"), at: 0) }
    for i in stride(from: 0, to: chars.count, by: 2) {
        out.append(UInt8(String(decoding: chars[i..<(i + 2)], as: UTF8.self), radix: 16) ?? 0)
    }
    return out
}
