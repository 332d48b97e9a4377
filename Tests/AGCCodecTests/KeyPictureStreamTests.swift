import AGCBitstream
import AGCMedia
import XCTest
@testable import AGCCodec

/// Key pictures as one low-delay sequence (format 1.1): random-access and predicted pictures,
/// seeking to a random-access point, damage to a predicted picture, and format 1.0 streams
/// (made by the released encoder before 1.1) decoding exactly as they did.
final class KeyPictureStreamTests: BadInputTestCase {
    static let fixtures = (root as NSString).appendingPathComponent("Tests/AGCCodecTests/Fixtures")

    /// Every frame of `stream` as the library decodes it, with `options`.
    func decodedFrames(_ stream: String, frames: ClosedRange<Int>? = nil) throws -> [Int: RGBImage] {
        var options = DecoderOptions()
        options.progress = false
        let decoder = Decoder(backend: try BackendKind.emulator.make(), options: options)
        let reader = try decoder.open(stream)
        var shown: [Int: RGBImage] = [:]
        _ = try decoder.decodeFrames(reader, name: stream, frames: frames) { shown[$0] = $1 }
        return shown
    }

    /// One SHA-256 (8 bytes, hex) over the pictures in frame order, as the stream's hashes are made.
    func digest(_ frames: [Int: RGBImage]) -> String {
        var hasher = PictureHasher(framesPerHash: frames.count)
        for number in frames.keys.sorted() { hasher.add(frame: number, frames[number]!) }
        hasher.finishGroup()
        return hasher.takeUnits().flatMap(\.hashes).flatMap { $0 }.map { String(format: "%02x", $0) }.joined()
    }

    /// SHA-256 of a file, by coreutils' sha256sum.
    func sha256(_ file: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [file]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }

    /// `samples/talking-head.mp4` encoded at commit 22fc467 (format 1.0, every key frame intra:
    /// HEVC at QP 32, AV1 at QP 40, --crop full, no audio): today's decoder must show the same
    /// pictures. The Y4M digests are those of that release's `agc-decode -o X.y4m`, and the
    /// stream's own picture hashes (made by that release's closed loop) must pass `--verify`.
    func testFormat10StreamsDecodeAsTheyDid() throws {
        try checkFixtures(version: FormatVersion(major: 1, minor: 0), predicted: false,
                          digests: ["hevc": "168b49dd501eb63757382f597c891e0d64c68f43c7db104d75d1f6323fb3b56b",
                                    "av1": "755d72982d119f864d80bc73aaeec48159477988eb19af5e2d77617f05c7e1cc"])
    }

    /// The same for format 1.1 streams made at commit 511f083 (predicted key pictures, a
    /// random-access one at least every second: `agc-encode --crop full --no-audio --idr-interval 1
    /// --min-quality msssim:0.96`, --crf 34 otherwise; 6 key pictures, random-access at 0, 28, 65).
    func testFormat11StreamsDecodeAsTheyDid() throws {
        try checkFixtures(version: FormatVersion(major: 1, minor: 1), predicted: true,
                          digests: ["hevc": "9bfac413a40681a1ab443e86b4d33bf9cdb0c0cee87a16c7c9fa69bdf736a340",
                                    "av1": "cc8ebd8e487301fc6f30210f03f30be16ccf2a20838ae965a3c11546b56e174a"])
    }

    /// The same for format 1.2 streams made at commit a39cfbc (the 1.1 fixtures' options plus
    /// `--references 2`: keypoint runs 0x85 that name their key picture; 8 key pictures,
    /// random-access at 0, 28, 65), before format 1.3 predicted the key pictures' keypoints.
    func testFormat12StreamsDecodeAsTheyDid() throws {
        try checkFixtures(version: FormatVersion(major: 1, minor: 2), predicted: true,
                          digests: ["hevc": "638445749e9069208bd06d9c6a4476277320f98e62169f6730422f173f27d325",
                                    "av1": "7733134edb433c1f8c6bc2d8b3d81854f96f47f45b4bff761bea7b1631b9673c"])
    }

    /// The same for format 1.3 streams made at commit 15af0ae (the release's encoder, unchanged
    /// since fe67594) by the shipped model agc-fomm-k10-256-5197b48eb505-int8-7c1244e1: the
    /// sample with a 330 Hz tone in AAC (Opus in 0x09 units), `agc-encode --crop full
    /// --idr-interval 1 --min-quality msssim:0.96`, --crf 34 and --references 1 otherwise:
    /// predicted key pictures with their runs (0x86). A stream the model catalogue must keep
    /// decoding whatever model ships next.
    func testFormat13StreamsDecodeAsTheyDid() throws {
        try checkFixtures(version: FormatVersion(major: 1, minor: 3), predicted: true,
                          digests: ["hevc": "33fbdcc57f1ee7beb2cc5b057bf417b06c4eec97df086b8c705abced0407c543",
                                    "av1": "7733134edb433c1f8c6bc2d8b3d81854f96f47f45b4bff761bea7b1631b9673c"])
    }

    /// The same for format 1.4 streams made at commit 200c7c9 by the model
    /// agc-fomm-k10-256-cd57db3d61d9-int8-bce27a73 from a clip whose camera pans (the sample seen
    /// through a 400x400 window sliding 1.5 px right and 1 px down a frame, with a 330 Hz tone:
    /// `ffmpeg -i samples/talking-head.mp4 -f lavfi -i sine=f=330:d=3 -vf crop=400:400:1.5*n:n
    /// -frames:v 75 -c:v libx264 -qp 6 -c:a aac -shortest pan.mp4`, then `agc-encode pan.mp4
    /// --crop full --idr-interval 1 --min-quality msssim:0.96 [--keyframe-codec av1]`): camera
    /// motion units (0x87) before keypoint runs and predicted key pictures with their runs.
    func testFormat14StreamsWithTheCameraDecodeAsTheyDid() throws {
        try checkFixtures(version: FormatVersion(major: 1, minor: 4), predicted: true,
                          digests: ["hevc": "924dee3ee9fadd8c085ee22611815b09b5faf2a4c54110afa74a719cca753b4a",
                                    "av1": "073dae15fae0df56f9409a734b2450b448e79edab7f3236e2337868d5be13999"])
        for codec in ["hevc", "av1"] {
            let stream = (Self.fixtures as NSString).appendingPathComponent("format-1.4-\(codec).agc")
            var cursor = try BitstreamReader(data: try Data(contentsOf: URL(fileURLWithPath: stream))).units()
            var moving = 0
            while let unit = try cursor.next() {
                if case .cameraMotion(let run) = unit.element { moving += try run.decode().filter { !$0.isIdentity }.count }
            }
            XCTAssertGreaterThan(moving, 5, "\(codec): frames rebuilt with the camera's motion")
        }
    }

    /// Decodes `format-V-CODEC.agc` for each codec of `digests` with --verify and compares the
    /// Y4M's SHA-256.
    private func checkFixtures(version: FormatVersion, predicted: Bool, digests: [String: String]) throws {
        for (codec, digestWanted) in digests.sorted(by: { $0.key < $1.key }) {
            let stream = (Self.fixtures as NSString).appendingPathComponent("format-\(version)-\(codec).agc")
            let reader = try BitstreamReader(data: try Data(contentsOf: URL(fileURLWithPath: stream)))
            XCTAssertEqual(reader.version, version)
            XCTAssertEqual(reader.index.predictedKeyFrames.isEmpty, !predicted)
            var options = DecoderOptions()
            options.progress = false
            options.verify = true
            let out = path("\(codec)-\(version).y4m")
            // Through the catalogue, as agc-decode: the fixture's model hash chooses the model.
            let summary = try Decoder(backend: .byStreamModel(.emulator, catalog: try .shipped()), options: options)
                .decode(input: stream, output: out)
            XCTAssertEqual(summary.framesOut, 75)
            XCTAssertEqual(summary.verification?.passed, true, "\(codec) \(version): the stream's own picture hashes")
            XCTAssertEqual(try sha256(out), digestWanted, "\(codec): the pictures of the \(version) stream")
        }
    }

    /// The sample with a key picture at least every 3 frames and a random-access one every second
    /// (with `references` > 1: key pictures where MS-SSIM-Y falls below 0.97).
    func predictedStream(codec: IntraCodec = .hevc, references: Int = 1) throws -> (stream: String, summary: EncodeSummary) {
        var options = EncoderOptions()
        options.references = references
        options.progress = false
        options.crop = .full
        options.keyFrameCodec = codec
        options.keyFrameQP = codec == .hevc ? 32 : 40
        // With several references: fewer, farther apart key pictures, so that rebuilt frames have a choice.
        options.maxKeyInterval = references > 1 ? 250 : 3
        if references > 1 { options.minQuality = .msssim(0.97) }
        options.idrInterval = 1
        let stream = path("predicted-\(codec)-\(references).agc")
        let summary = try Encoder(options: options, backend: BackendKind.emulator.make()).encode(input: Self.sample, output: stream)
        return (stream, summary)
    }

    func testPredictedKeyPicturesRoundTripAndSeek() throws {
        for codec in IntraCodec.allCases {
            let (stream, summary) = try predictedStream(codec: codec)
            XCTAssertEqual(summary.randomAccessFrames.first, 0)
            XCTAssertGreaterThanOrEqual(summary.randomAccessFrames.count, 3, "\(codec): \(summary.randomAccessFrames)")
            XCTAssertGreaterThan(summary.keyFrames.count, summary.randomAccessFrames.count + 10, "\(codec): predicted pictures")
            for (a, b) in zip(summary.randomAccessFrames, summary.randomAccessFrames.dropFirst()) {
                XCTAssertGreaterThanOrEqual(b - a, 25, "\(codec): a random-access picture at most once a second")
            }
            let reader = try BitstreamReader(data: try Data(contentsOf: URL(fileURLWithPath: stream)))
            XCTAssertEqual(reader.version, FormatVersion.current)
            XCTAssertEqual(reader.index.keyFrames.map(\.frame), summary.randomAccessFrames)
            XCTAssertEqual(reader.index.keyPictureFrames, summary.keyFrames)

            // The whole stream: the encoder's pictures, bit for bit (its hashes).
            var options = DecoderOptions()
            options.progress = false
            options.verify = true
            XCTAssertEqual(try Decoder(backend: try BackendKind.emulator.make(), options: options)
                .decode(input: stream, output: path("all.y4m")).verification?.passed, true, "\(codec)")

            // A range seeks to the random-access picture before it and shows the same pictures.
            let all = try decodedFrames(stream)
            let second = summary.randomAccessFrames[1]
            let range = (second + 4)...(second + 12)
            let part = try decodedFrames(stream, frames: range)
            XCTAssertEqual(Set(part.keys), Set(range))
            for f in range { XCTAssertEqual(part[f], all[f], "\(codec) frame \(f)") }

            // The inspection tells the picture types apart.
            let inspected = try Inspection.inspect(path: stream)
            XCTAssertEqual(inspected.randomAccessPoints, summary.randomAccessFrames)
            XCTAssertEqual(Set(inspected.frames.map(\.type)), ["key", "predicted key", "keypoints"])
            // Format 1.3: every predicted key picture carries its run.
            let predictedTypes = Set(try reader.readAll().compactMap { unit -> UInt8? in
                if case .keyFrame(let key) = unit.element, !key.isRandomAccess { return unit.info.type } else { return nil }
            })
            XCTAssertEqual(predictedTypes, [UnitType.predictedKeyFrameWithRun.rawValue], "\(codec)")
        }
    }

    /// Rebuilt frames animated from one of the last key pictures (`--references 3`, format 1.2):
    /// the decoder shows the encoder's pictures (hashes) whole and from a seek, the runs (units
    /// 0x85, and inside 0x86 units) name references other than the latest, and a stream whose run names a key
    /// picture that is not there (more than follow the random-access one) is refused.
    func testReferencesRoundTripAndSeek() throws {
        let (stream, summary) = try predictedStream(references: 3)
        let reader = try BitstreamReader(data: try Data(contentsOf: URL(fileURLWithPath: stream)))
        var references: [Int: Int] = [:]
        for unit in try reader.readAll() {
            // Runs of their own (0x85) and runs inside predicted key pictures' units (0x86, which
            // open with the picture's keypoints: one frame more).
            let run: KeypointRun, frames: Int
            switch unit.element {
            case .keypointRun(let r):
                XCTAssertEqual(unit.info.type, UnitType.referencedKeypointRun.rawValue)
                (run, frames) = (r, r.frameCount)
            case .keyFrame(let key) where key.run != nil:
                (run, frames) = (key.run!, key.run!.frameCount + 1)
            default:
                continue
            }
            XCTAssertTrue(run.codesReferences)
            let quantizer = try KeypointQuantizer(stepDenominator: reader.header.keypointStepDenominator)
            var decoder = KeypointRunDecoder(payload: run.codedData, quantizer: quantizer,
                                             predictor: [QuantizedKeypoint](repeating: .init(x: 0, y: 0),
                                                                            count: reader.header.keypointCount),
                                             codesReferences: true)
            for frame in try decoder.decodeFrames(frames) {
                if case .generated(_, let r) = frame { references[r, default: 0] += 1 }
            }
        }
        XCTAssertGreaterThan(references.filter { $0.key > 0 }.values.reduce(0, +), 0, "\(references)")
        XCTAssertTrue(references.keys.allSatisfy { $0 < 3 })

        var options = DecoderOptions()
        options.progress = false
        options.verify = true
        XCTAssertEqual(try Decoder(backend: try BackendKind.emulator.make(), options: options)
            .decode(input: stream, output: path("all.y4m")).verification?.passed, true)
        let all = try decodedFrames(stream)
        let second = summary.randomAccessFrames[1]
        let range = (second + 2)...(second + 14)
        let part = try decodedFrames(stream, frames: range)
        for f in range { XCTAssertEqual(part[f], all[f], "frame \(f)") }

        // The first run with a rebuilt frame re-coded to name one key picture more than there
        // are since the random-access one. Its predictor is found as the decoder finds it (the
        // random-access key pictures' keypoints, and the runs of 0x86 units, which open with
        // their key picture's keypoints).
        let quantizer = try KeypointQuantizer(stepDenominator: reader.header.keypointStepDenominator)
        var predictor: [QuantizedKeypoint] = []
        var keysSinceRandomAccess = 0
        var target: (firstFrame: Int, predictor: [QuantizedKeypoint], reference: Int, keyPicture: [QuantizedKeypoint]?)?
        for unit in try reader.readAll() where target == nil {
            switch unit.element {
            case .keyFrame(let key):
                keysSinceRandomAccess = key.isRandomAccess ? 1 : keysSinceRandomAccess + 1
                if let run = key.run {
                    let decoded = try run.decodeAfterKeyPicture(quantizer: quantizer, predictor: predictor)
                    if decoded.frames.contains(where: { $0 != .repeatKeyFrame }) {
                        target = (run.firstFrame, predictor, keysSinceRandomAccess, decoded.keypoints)
                    }
                    predictor = decoded.predictor
                } else {
                    predictor = try KeyFrameKeypoints.decode(key.optionalFields.first { $0.tag == KeyFrameKeypoints.tag }!.value,
                                                             count: reader.header.keypointCount, quantizer: quantizer)
                }
            case .keypointRun(let run):
                let decoded = try run.decode(quantizer: quantizer, predictor: predictor)
                if decoded.frames.contains(where: { $0 != .repeatKeyFrame }) {
                    target = (run.firstFrame, predictor, keysSinceRandomAccess, nil)
                }
                predictor = decoded.predictor
            default:
                continue
            }
        }
        let (firstFrame, runPredictor, reference, keyPicture) = try XCTUnwrap(target, "a run with a rebuilt frame")
        XCTAssertLessThan(reference, FormatLimits.maxReferences, "a reference the run can code")
        var changed: Int?
        func recoded(_ run: KeypointRun) throws -> KeypointRun {
            let frames = try (keyPicture == nil ? run.decode(quantizer: quantizer, predictor: runPredictor).frames
                : run.decodeAfterKeyPicture(quantizer: quantizer, predictor: runPredictor).frames).map { frame -> KeypointFrame in
                if case .generated(let points, _) = frame { return .generated(points, reference: reference) }
                return frame
            }
            changed = frames.firstIndex { $0 != .repeatKeyFrame }.map { run.firstFrame + $0 }
            var encoder = KeypointRunEncoder(predictor: runPredictor, codesReferences: true)
            if let keyPicture { try encoder.encode(.generated(keyPicture)) }
            for frame in frames { try encoder.encode(frame) }
            return KeypointRun(firstFrame: run.firstFrame, frameCount: frames.count, codedData: encoder.finish(), codesReferences: true)
        }
        try rewrite(stream, to: path("bad-reference.agc"), header: { _ in }, keyFrame: { key in
            if let run = key.run, run.firstFrame == firstFrame { key.run = try? recoded(run) }
        }, run: { run in
            if run.firstFrame == firstFrame { run = try recoded(run) }
        })
        let frame = try XCTUnwrap(changed)
        XCTAssertThrowsError(try decode(path("bad-reference.agc"), path("r.y4m"))) { error in
            XCTAssertTrue("\(error)".contains("frame \(frame) names the key picture \(reference) back, but there are only "
                + "\(reference) from the last random-access one on"), "\(error)")
        }
    }

    /// A predicted key picture whose packet is garbage under a correct CRC: the decoder stops with
    /// a message naming the frame, the frames that cannot be shown and where decoding can start
    /// again; a range from that random-access point decodes.
    func testDamagedPredictedKeyPictureSaysWhatIsLost() throws {
        let (stream, summary) = try predictedStream()
        let damaged = try XCTUnwrap(summary.keyFrames.first { !summary.randomAccessFrames.contains($0) && $0 > 1 })
        let next = try XCTUnwrap(summary.randomAccessFrames.first { $0 > damaged })
        try rewrite(stream, to: path("bad.agc"), header: { _ in }) { key in
            if key.frameNumber == damaged { key.packet = [UInt8](repeating: 0x5A, count: key.packet.count) }
        }
        XCTAssertThrowsError(try decode(path("bad.agc"), path("o.y4m"))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("\(self.path("bad.agc")): key frame \(damaged):"), text)
            XCTAssertTrue(text.contains("frames \(damaged)-\(next - 1) cannot be shown; decoding can start again at the "
                + "random-access key frame \(next) (agc-decode --frames \(next):)"), text)
        }
        XCTAssertFalse(files().contains("o.y4m"))
        let tail = try decodedFrames(path("bad.agc"), frames: next...(next + 5))
        XCTAssertEqual(tail.count, 6)

        // The same for garbage in the run a predicted key picture's unit carries (format 1.3).
        try rewrite(stream, to: path("bad-run.agc"), header: { _ in }) { key in
            if key.frameNumber == damaged { key.run?.codedData = [0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00] }
        }
        XCTAssertThrowsError(try decode(path("bad-run.agc"), path("o.y4m"))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("\(self.path("bad-run.agc")): key frame \(damaged):"), text)
            XCTAssertTrue(text.contains("frames \(damaged)-\(next - 1) cannot be shown"), text)
        }
        XCTAssertFalse(files().contains("o.y4m"))
    }
}
