import AGCBitstream
import AGCFPGA
import AGCKernels
import AGCMedia
import AGCModel
import Foundation

/// What `agc-decode` can be asked.
public struct DecoderOptions: Sendable {
    /// Frames to output, `first...last` (inclusive); nil: all.
    public var frames: ClosedRange<Int>?
    public var progress = true
    /// Check the shown pictures against the stream's picture hashes.
    public var verify = false

    public init() {}
}

/// What a decode did.
public struct DecodeSummary: Codable, Sendable {
    public var input: String
    public var output: String
    public var framesOut: Int
    public var keyFramesDecoded: Int
    public var decodeFPS: Double
    /// With `--verify`: the picture hash check.
    public var verification: VerificationReport?
    public var backend: String

    enum CodingKeys: String, CodingKey {
        case input, output, framesOut = "frames_out", keyFramesDecoded = "key_frames_decoded", decodeFPS = "decode_fps"
        case verification, backend
    }
}

/// Where a decoder gets the network that rebuilds a stream's frames.
public struct BackendChoice {
    let make: (SequenceHeader) throws -> ReconstructionBackend

    /// One backend for every stream: a stream made for another model is refused.
    public static func fixed(_ backend: ReconstructionBackend) -> BackendChoice {
        BackendChoice { _ in backend }
    }

    /// A backend of `kind` for whichever model of `catalog` the stream's header names, so that a
    /// stream keeps decoding bit for bit after the package ships a newer model.
    public static func byStreamModel(_ kind: BackendKind, catalog: ModelCatalog, threads: Int = KernelThreads.count,
                                     device: String? = nil,
                                     deviceTimeout: Double = DeviceRunner.defaultTimeout) -> BackendChoice {
        BackendChoice { header in
            guard let entry = catalog.entry(forStreamModel: header.modelHashHex) else {
                throw CodecError.modelMismatch("made for model \(header.modelIdentifier) (SHA-256 \(header.modelHashHex.prefix(12))...), "
                    + "which this decoder does not have; it has \(catalog.listing) (more with --models DIR)")
            }
            return try kind.make(entry, catalog: catalog, threads: threads, device: device, deviceTimeout: deviceTimeout)
        }
    }
}

/// The AGC decoder: key frames through libavcodec, every other frame rebuilt by the backend from
/// the key frame and the decoded keypoints.
public final class Decoder {
    public let choice: BackendChoice
    public let options: DecoderOptions
    /// The backend of the last stream opened (made once, kept while streams name its model).
    public private(set) var backend: ReconstructionBackend?

    public init(backend choice: BackendChoice, options: DecoderOptions) {
        self.choice = choice
        self.options = options
    }

    /// A decoder with one backend: streams made for another model are refused.
    public convenience init(backend: ReconstructionBackend, options: DecoderOptions) {
        self.init(backend: .fixed(backend), options: options)
    }

    /// Opens and checks a stream: readable, well formed, and made for a model this decoder has.
    public func open(_ input: String) throws -> BitstreamReader {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: input))
        } catch {
            throw CodecError.input("\(input): cannot read: \((error as NSError).localizedDescription)")
        }
        guard !data.isEmpty else { throw CodecError.input("\(input): the file is empty") }
        let reader: BitstreamReader
        do {
            reader = try BitstreamReader(data: data)
        } catch {
            throw CodecError.input("\(input): \(error)")
        }
        _ = try backend(for: reader.header, name: input)
        return reader
    }

    /// The backend for a stream's model: the current one when it accepts that model, else a new
    /// one from the choice, checked against the header's hash, frame size and keypoint count.
    func backend(for header: SequenceHeader, name input: String) throws -> ReconstructionBackend {
        if let backend, backend.acceptedModelSHA256.contains(header.modelHashHex) { return backend }
        let made: ReconstructionBackend
        do { made = try choice.make(header) } catch let CodecError.modelMismatch(message) {
            throw CodecError.modelMismatch("\(input): \(message)")
        }
        guard made.acceptedModelSHA256.contains(header.modelHashHex) else {
            throw CodecError.modelMismatch("\(input): made for model \(header.modelIdentifier) "
                + "(SHA-256 \(header.modelHashHex.prefix(12))...), this decoder has \(made.modelIdentifier)")
        }
        guard header.codedWidth == made.frameSize, header.codedHeight == made.frameSize,
              header.keypointCount == made.keypointCount else {
            throw CodecError.modelMismatch("\(input): coded \(header.codedWidth)x\(header.codedHeight) with "
                + "\(header.keypointCount) keypoints; the model codes \(made.frameSize) with \(made.keypointCount)")
        }
        backend = made
        return made
    }

    /// Decodes `input` into the file (or `-`) `output`.
    public func decode(input: String, output: String) throws -> DecodeSummary {
        let started = Date()
        if output != "-" { try OutputPreflight.check(output, against: [input]) }
        let reader = try open(input)
        let header = reader.header
        let size = header.codedWidth
        let frameRate = AGCMedia.Rational(num: Int32(header.frameRate.numerator), den: Int32(header.frameRate.denominator))
        let audioParameters = try audioParameters(reader, wantAll: options.frames == nil)
        let sink = try FrameSink(path: output, width: size, height: size, frameRate: frameRate, audio: audioParameters)
        let progress = ProgressLine(label: (input as NSString).lastPathComponent,
                                    totalFrames: options.frames?.count ?? reader.frameCount,
                                    enabled: options.progress && output != "-")
        var written = 0
        // The stream's rate, shown as its bytes spread evenly over its frames.
        let bytesPerFrame = Double(reader.bytes.count) / Double(max(reader.frameCount, 1))
        var verifier = try makeVerifier(reader, name: input)
        // Verifying a range decodes the whole hashed groups around it, and shows only the range.
        var range = options.frames
        if let wanted = options.frames, options.verify {
            let n = reader.header.pictureHashGroup
            range = (wanted.lowerBound / n * n)...max(wanted.upperBound, min((wanted.upperBound / n + 1) * n, reader.frameCount) - 1)
        }
        let keyFrames = try decodeFrames(reader, name: input, frames: range) { number, image in
            verifier?.shown(frame: number, image)
            guard options.frames?.contains(number) ?? true else { return }
            try sink.write(image)
            written += 1
            progress.update(frames: written, bytes: Int(bytesPerFrame * Double(written)), frameRate: frameRate.value)
        } audio: { packet in
            if audioParameters != nil && sink.acceptsAudio { try sink.writeAudio(packet) }
        } hashes: { verifier?.expect($0) }
        guard written > 0 else { throw CodecError.input("\(input): no frames decoded") }
        progress.finish()
        let verification = verifier.map { v -> VerificationReport in var v = v; return v.report() }
        if let verification, !verification.passed {
            // Keep nothing under the output name: the pictures are not the encoder's.
            throw CodecError.verificationFailed(verification.groupsChecked == 0
                ? "\(input): --verify found no complete group of frames with a picture hash to check"
                : "\(input): decoded pictures differ from the encoder's in frames \(verification.mismatches.joined(separator: ", ")) "
                  + "(\(verification.mismatches.count) of \(verification.groupsChecked) hashed groups; "
                  + "backend \(backend?.modelIdentifier ?? "none"))")
        }
        try sink.finish()
        return DecodeSummary(input: input, output: output, framesOut: written, keyFramesDecoded: keyFrames,
                             decodeFPS: Double(written) / Date().timeIntervalSince(started), verification: verification,
                             backend: backend?.modelIdentifier ?? "none")
    }

    /// The picture hash checker `--verify` asks for, or an error when the stream carries no hashes.
    func makeVerifier(_ reader: BitstreamReader, name input: String) throws -> PictureVerifier? {
        guard options.verify else { return nil }
        guard reader.header.pictureHashGroup > 0 else {
            throw CodecError.verificationFailed("\(input): --verify: the stream carries no picture hashes (encoded with --hash-group 0)")
        }
        return PictureVerifier(totalFrames: reader.frameCount, framesPerHash: reader.header.pictureHashGroup)
    }

    /// Decodes the wanted frames of an opened stream, handing each (number, picture) to `frame` in
    /// order and each carried audio packet to `audio`. Returns how many key frames were decoded.
    public func decodeFrames(_ reader: BitstreamReader, name input: String, frames range: ClosedRange<Int>? = nil,
                             frame: (Int, RGBImage) throws -> Void,
                             audio: (AGCMedia.AudioPacket) throws -> Void = { _ in },
                             hashes: (PictureHashes) -> Void = { _ in }) throws -> Int {
        let header = reader.header
        let backend = try backend(for: header, name: input)
        let quantizer = try header.quantizer
        let size = header.codedWidth
        let total = reader.frameCount
        let wanted = range ?? 0...max(total - 1, 0)
        guard wanted.lowerBound < max(total, 1) else {
            throw CodecError.badArgument("\(input): --frames starts at \(wanted.lowerBound) but the stream has \(total) frames")
        }
        // Start at the last random-access key frame at or before the first wanted frame.
        guard let start = reader.index.keyFrame(atOrBefore: wanted.lowerBound) else {
            // A rebuilt index ends at the first damaged unit: that damage is the reason.
            if let damage = reader.scanError { throw CodecError.input("\(input): \(damage)") }
            throw CodecError.input("\(input): no key frame at or before frame \(wanted.lowerBound)")
        }
        let keyDecoder = try KeyPictureDecoder(codec: header.keyFrameCodec == .av1 ? .av1 : .hevc)
        // A whole decode reads every unit (audio may precede the first key frame); a range seeks.
        var cursor = range == nil ? reader.units() : reader.units(from: start.offset)
        var keyImage: RGBImage?
        var pool = KeyPicturePool(capacity: FormatLimits.maxReferences)
        var predictor: [QuantizedKeypoint] = []
        var next = start.frame   // the next frame number the stream delivers
        var keyFrames = 0
        var cameraMaps: [Int: CameraMap] = [:]  // format 1.4: frames whose camera moves
        /// Shows the decoded frames of the run at `runStart` from `next` on, as far as wanted;
        /// false once past the wanted frames.
        func show(_ frames: [KeypointFrame], runAt runStart: Int) throws -> Bool {
            guard let key = keyImage else { throw CodecError.input("\(input): keypoints before any key frame") }
            for coded in frames {
                if next > wanted.upperBound { return false }
                defer { next += 1 }
                let camera = cameraMaps.removeValue(forKey: next) ?? .identity
                guard wanted.contains(next) else { continue }
                switch coded {
                case .repeatKeyFrame:
                    guard camera.isIdentity else {
                        throw CodecError.input("\(input): frame \(next) repeats the key picture but has a camera map")
                    }
                    try frame(next, key)
                case .generated(let points, let reference):
                    guard reference < pool.entries.count else {
                        throw CodecError.input("\(input): keypoint run at frame \(runStart): frame \(next) names the key "
                            + "picture \(reference) back, but there are only \(pool.entries.count) from the last random-access one on")
                    }
                    try pool.load(reference, movedBy: camera, into: backend)
                    try frame(next, try backend.rebuild(keypoints: quantizer.dequantize(points)))
                }
            }
            return true
        }
        decoding: while next <= wanted.upperBound {
            let unit: DecodedUnit?
            do { unit = try cursor.next() } catch {
                throw CodecError.input("\(input): \(error)" + Self.lostFrames(reader, fromUnitAt: cursor.position, frame: next))
            }
            guard let unit else { break }
            switch unit.element {
            case .keyFrame(let key):
                guard key.frameNumber == next else {
                    throw CodecError.input("\(input): key frame \(key.frameNumber) where frame \(next) was expected")
                }
                let image: RGBImage
                let keypoints: [QuantizedKeypoint]
                var following: [KeypointFrame] = []
                do {
                    image = try keyDecoder.decode(Data(key.packet), width: size, height: size, randomAccess: key.isRandomAccess)
                    if let run = key.run {
                        // Unit 0x86: the run opens with the picture's keypoints, predicted from the frames before it.
                        guard predictor.count == header.keypointCount else {
                            throw BitstreamError.invalidArgument("a key picture with its run before any random-access key frame")
                        }
                        let decoded = try run.decodeAfterKeyPicture(quantizer: quantizer, predictor: predictor)
                        keypoints = decoded.keypoints
                        following = decoded.frames
                        predictor = decoded.predictor
                    } else {
                        guard let field = key.optionalFields.first(where: { $0.tag == KeyFrameKeypoints.tag }) else {
                            throw BitstreamError.invalidArgument("it carries no keypoints")
                        }
                        keypoints = try KeyFrameKeypoints.decode(field.value, count: header.keypointCount, quantizer: quantizer)
                        predictor = keypoints
                    }
                } catch {
                    throw CodecError.input("\(input): key frame \(key.frameNumber): \(error)"
                        + Self.lostFrames(reader, fromUnitAt: unit.info.offset, frame: key.frameNumber))
                }
                try pool.add(frame: key.frameNumber, image: image, keypoints: quantizer.dequantize(keypoints),
                             randomAccess: key.isRandomAccess, backend: backend)
                keyImage = image
                keyFrames += 1
                if wanted.contains(next) { try frame(next, image) }
                next += 1
                guard try show(following, runAt: key.frameNumber + 1) else { break decoding }
            case .keypointRun(let run):
                guard run.firstFrame == next else {
                    throw CodecError.input("\(input): keypoint run starts at frame \(run.firstFrame), expected \(next)")
                }
                let decoded: (frames: [KeypointFrame], predictor: [QuantizedKeypoint])
                do { decoded = try run.decode(quantizer: quantizer, predictor: predictor) } catch {
                    throw CodecError.input("\(input): keypoint run at frame \(run.firstFrame): \(error)")
                }
                predictor = decoded.predictor
                guard try show(decoded.frames, runAt: run.firstFrame) else { break decoding }
            case .cameraMotion(let camera):
                guard camera.firstFrame >= next else {
                    throw CodecError.input("\(input): camera motion of frame \(camera.firstFrame) after frame \(next - 1) was shown")
                }
                do {
                    for (i, map) in try camera.decode().enumerated() where !map.isIdentity {
                        cameraMaps[camera.firstFrame + i] = map
                    }
                } catch {
                    throw CodecError.input("\(input): \(error)" + Self.lostFrames(reader, fromUnitAt: unit.info.offset, frame: next))
                }
            case .audioPackets(let packets):
                for p in packets {
                    try audio(AGCMedia.AudioPacket(data: Data(p.data), pts: p.pts, dts: p.pts, duration: p.duration))
                }
            case .pictureHashes(let unit):
                hashes(unit)
            case .endOfStream:
                break decoding
            default:
                continue
            }
        }
        if range != nil && options.verify {
            // The hashes of the last frames shown follow them, before the next key frame.
            while let unit = try? cursor.next() {
                if case .pictureHashes(let unit) = unit.element { hashes(unit) }
                if case .keyFrame = unit.element { break }
            }
        }
        if range == nil {
            guard next >= total else { throw CodecError.input("\(input): the stream ends at frame \(next) of \(total)") }
            // Read on to the end-of-stream unit: trailing audio, and damage after the last frame.
            do {
                while let unit = try cursor.next() {
                    switch unit.element {
                    case .audioPackets(let packets):
                        for p in packets {
                            try audio(AGCMedia.AudioPacket(data: Data(p.data), pts: p.pts, dts: p.pts, duration: p.duration))
                        }
                    case .pictureHashes(let unit):
                        hashes(unit)
                    default:
                        continue
                    }
                }
            } catch let error as BitstreamError {
                throw CodecError.input("\(input): \(error)")
            }
        }
        return keyFrames
    }

    /// What a damaged unit at `offset` (reached while frame `frame` was next) costs: the frames up
    /// to the next random-access key frame, which cannot be shown, and where decoding can start
    /// again. Empty when the damage is past the last random-access key frame's reach.
    static func lostFrames(_ reader: BitstreamReader, fromUnitAt offset: Int, frame: Int) -> String {
        guard let next = reader.index.keyFrames.first(where: { $0.offset > offset && $0.frame > frame }) else {
            return frame < reader.frameCount ? "; frames \(frame)-\(reader.frameCount - 1) cannot be shown" : ""
        }
        return "; frames \(frame)-\(next.frame - 1) cannot be shown; decoding can start again at the random-access "
            + "key frame \(next.frame) (agc-decode --frames \(next.frame):)"
    }

    /// The carried audio stream's parameters, when the whole stream is decoded (a frame range
    /// drops the audio).
    private func audioParameters(_ reader: BitstreamReader, wantAll: Bool) throws -> AudioStreamParameters? {
        guard wantAll, reader.header.hasAudio else { return nil }
        var cursor = reader.units()
        while let unit = try? cursor.next() {
            if case .audioConfig(let c) = unit.element {
                return AudioStreamParameters.carried(
                    codecName: c.codecName, extradata: Data(c.extradata), sampleRate: c.sampleRate, channels: c.channels,
                    timeBase: AGCMedia.Rational(num: Int32(c.timeBase.numerator), den: Int32(c.timeBase.denominator)))
            }
            if case .keyFrame = unit.element { break }
        }
        return nil
    }
}
