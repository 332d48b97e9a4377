import AGCCodec
import AGCKernels
import AGCMedia
import AGCTools
import ArgumentParser
import Foundation

/// `agc-encode INPUT -o OUTPUT.agc`: a talking-head video to an AGC stream.
@main
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agc-encode",
        abstract: "Encodes a talking-head video into an AGC stream (key frames + keypoints).",
        discussion: """
        Reads anything FFmpeg demuxes with a video stream (rotation honoured; variable frame rate \
        is coded as constant rate at the stream's average rate). Writes OUTPUT under a temporary \
        name and renames it when complete.
        """)

    @Argument(help: "The input video, or for a batch: videos and folders of them (searched recursively).")
    var inputs: [String] = []

    @Option(name: .shortAndLong, help: "The output .agc file (one input).")
    var output: String?

    @OptionGroup(title: "Batch")
    var batch: BatchOptions

    @Option(help: "Face region: auto (find the face), full (centre square) or X,Y,W,H.")
    var crop = "auto"

    @Option(help: "Coded square size (the model's input size).")
    var size = 256

    @Option(name: .customLong("keyframe-codec"), help: "Intra codec for key frames: hevc or av1.")
    var keyFrameCodec = "hevc"

    @Option(help: "One quality setting, like x265's (18-50, lower is better): sets the key-picture QP, keypoint step and --min-quality along the best measured combinations; the expert options below override its parts.")
    var crf = QualityLadder.defaultCRF

    @Option(name: .customLong("keyframe-qp"), help: "Expert: quantizer of the random-access key pictures (hevc 0-51, av1 1-63).")
    var keyFrameQP: Int?

    @Option(name: .customLong("predicted-qp-offset"), help: "Expert: predicted key pictures are coded at --keyframe-qp + this (0-12, hevc; default from --crf; at most QP 51).")
    var predictedQPOffset: Int?

    @Option(name: .customLong("keyframe-preset"), help: "Expert: libx265's preset for the key pictures (hevc; default \(EncoderOptions().keyFramePreset)).")
    var keyFramePreset: String?

    @Option(name: .customLong("keyframe-tune"), help: "Expert: what libx265 tunes the key pictures for: none (its psycho-visual optimisation), psnr or ssim (hevc; default \(EncoderOptions().keyFrameTune.rawValue)).")
    var keyFrameTune: String?

    @Option(name: .customLong("idr-interval"), help: "Seconds between random-access key pictures at most (the others are predicted); 0: all random-access.")
    var idrInterval = 2.0

    @Option(name: .customLong("keypoint-step"), help: "Expert: keypoint quantization step is 1/N of the half-frame.")
    var keypointStep: UInt32?

    @Option(name: .customLong("min-quality"), help: "Expert: a new key picture below this, e.g. msssim:0.93 or psnr:32.")
    var minQuality: String?

    @Option(help: "Expert: how a new key picture is chosen: threshold (below --min-quality), reachable (below --min-quality and clearly below the last key picture's own score) or rd (lowest distortion + lambda x bits, lambda from --min-quality).")
    var decision = EncoderOptions().decision.rawValue

    @Option(help: "Key pictures a rebuilt frame may be animated from: the latest and up to N-1 before it since the last random-access one, the best for each frame (1-4; 1: the latest only).")
    var references = EncoderOptions().references

    @Flag(name: .customLong("no-camera"), help: "Send no camera motion (format 1.4): every rebuilt frame animates the key picture where it stands.")
    var noCamera = false

    @Option(name: .customLong("max-keyint"), help: "A key frame at least every N frames.")
    var maxKeyInterval = 250

    @Option(help: "Reconstruction backend of the closed loop: emulator (the normative INT8 decoder, default), fpga (with --device) or float.")
    var backend = "emulator"

    @Option(help: "With --backend fpga: the accelerator's UIO device or a simulated device's folder.")
    var device: String?

    @Option(name: .customLong("hash-group"), help: "Frames per decoded-picture hash (8 bytes each; 0: none).")
    var hashGroup = 25

    @Option(help: "The input's audio: opus[:KBPS] (mono Opus, default \(AudioMode.defaultOpusRate) kb/s), copy (as it is) or none.")
    var audio = "opus"

    @Flag(name: .customLong("no-audio"), help: "The same as --audio none.")
    var noAudio = false

    @OptionGroup(title: "Existing output")
    var overwrite: OverwriteOptions

    @Flag(name: .customLong("no-progress"), help: "No progress line on stderr.")
    var noProgress = false

    @Option(name: .customLong("stats-json"), help: "Write per-frame bits, key frames and quality as JSON.")
    var statsJSON: String?

    func run() throws {
        MediaLog.setLevel(.errors)
        keepLargeAllocationsInTheHeap()  // per-frame tensors reuse their pages
        var options = EncoderOptions()
        guard let crop = CropMode(argument: crop) else { throw ValidationError("--crop \(crop): expected auto, full or X,Y,W,H") }
        guard let codec = IntraCodec(rawValue: keyFrameCodec) else {
            throw ValidationError("--keyframe-codec \(keyFrameCodec): expected hevc or av1")
        }
        guard QualityLadder.range.contains(crf) else { throw ValidationError("--crf \(crf): expected \(QualityLadder.range)") }
        options.keyFrameCodec = codec
        QualityLadder.apply(crf: crf, to: &options)
        if let keyFrameQP {
            guard codec.qpRange.contains(keyFrameQP) else {
                throw ValidationError("--keyframe-qp \(keyFrameQP): \(codec.rawValue) takes \(codec.qpRange)")
            }
            options.keyFrameQP = keyFrameQP
        }
        if let minQuality {
            guard let quality = QualityThreshold(argument: minQuality) else {
                throw ValidationError("--min-quality \(minQuality): expected msssim:0.93 or psnr:32")
            }
            options.minQuality = quality
        }
        if let keypointStep { options.keypointStepDenominator = keypointStep }
        guard let rule = DecisionRule(rawValue: decision) else {
            throw ValidationError("--decision \(decision): expected threshold, reachable or rd")
        }
        options.decision = rule
        options.references = references
        options.camera = !noCamera
        guard codec == .hevc || (keyFramePreset == nil && keyFrameTune == nil) else {
            throw ValidationError("--keyframe-preset and --keyframe-tune need --keyframe-codec hevc (libaom runs in its real-time mode)")
        }
        if let keyFramePreset {
            guard KeyPicturePreset.names.contains(keyFramePreset) else {
                throw ValidationError("--keyframe-preset \(keyFramePreset): expected one of \(KeyPicturePreset.names.joined(separator: ", "))")
            }
            options.keyFramePreset = keyFramePreset
        }
        if let keyFrameTune {
            guard let tune = KeyPictureTune(rawValue: keyFrameTune) else {
                throw ValidationError("--keyframe-tune \(keyFrameTune): expected none, psnr or ssim")
            }
            options.keyFrameTune = tune
        }
        if let predictedQPOffset {
            guard EncoderOptions.predictedQPOffsetRange.contains(predictedQPOffset) else {
                throw ValidationError("--predicted-qp-offset \(predictedQPOffset): expected \(EncoderOptions.predictedQPOffsetRange)")
            }
            guard codec == .hevc || predictedQPOffset == 0 else {
                throw ValidationError("--predicted-qp-offset needs --keyframe-codec hevc (AV1 key pictures use one quantizer)")
            }
            }
        guard idrInterval >= 0, idrInterval.isFinite else { throw ValidationError("--idr-interval must be 0 or more seconds") }
        guard maxKeyInterval >= 1 else { throw ValidationError("--max-keyint must be at least 1") }
        guard (0...65536).contains(hashGroup) else { throw ValidationError("--hash-group takes 0...65536 frames") }
        guard let kind = BackendKind(rawValue: backend) else {
            throw ValidationError("--backend \(backend): expected float, emulator or fpga")
        }
        guard let audioMode = AudioMode(argument: noAudio ? "none" : audio) else {
            throw ValidationError("--audio \(audio): expected opus, opus:KBPS (6-510), copy or none")
        }
        if noAudio && audio != "opus" && audio != "none" {
            throw ValidationError("--no-audio and --audio \(audio) contradict each other")
        }
        options.crop = crop
        options.size = size
        options.idrInterval = idrInterval
        options.maxKeyInterval = maxKeyInterval
        options.progress = !noProgress
        options.audio = audioMode
        options.warn = { FileHandle.standardError.write(Data("agc-encode: warning: \($0)\n".utf8)) }
        options.pictureHashGroup = hashGroup
        AtomicFile.removeUnfinishedOutputsOnInterrupt()
        if batch.isBatch(inputs: inputs, output: output) {
            guard output == nil else { throw ValidationError("-o names one output: use --output-dir for several inputs") }
            try overwrite.refuseInBatch()
            let items = try batch.items(inputs: inputs, extensions: BatchInputs.videoExtensions, outputExtension: "agc")
            options.progress = !noProgress && batch.jobs == 1
            MediaLog.setLevel(.quiet)  // each file's error is in the summary, once
            options.warn = { _ in }  // each file's warnings are in the summary
            try checkSideOutputs([batch.summaryJSON], against: items.map(\.input))
            let device = device
            try batch.run(tool: "agc-encode", items: items, progress: !noProgress, isComplete: { OutputCheck.isCompleteStream($0.output) }) {
                item, threads in
                let summary = try Encoder(options: options, backend: try kind.make(threads: threads, device: device))
                    .encode(input: item.input, output: item.output)
                return BatchWorkResult(frames: summary.frames, kbps: summary.kbps, warnings: summary.warnings)
            }
            return
        }
        guard let input = inputs.first, let output else { throw ValidationError("expected INPUT -o OUTPUT.agc") }
        do {
            try OutputPreflight.check(output, against: [input])
            try checkSideOutputs([statsJSON], against: [input, output])
            guard try overwrite.shouldWrite(output) else { return }
            let encoder = try Encoder(options: options, backend: try kind.make(device: device))
            let summary = try encoder.encode(input: input, output: output)
            if let statsJSON { try AtomicFile.writeJSON(summary, to: statsJSON) }
            if !noProgress {
                FileHandle.standardError.write(Data(String(
                    format: "%@: %d frames, %d key frames, %.2f kb/s (key frames %.2f, keypoints %.2f, audio %.2f, overhead %.2f), "
                        + "PSNR-Y %.2f dB, MS-SSIM-Y %.4f, %.1f fps\n",
                    output, summary.frames, summary.keyFrames.count, summary.kbps, summary.kbpsKeyFrames,
                    summary.kbpsKeypoints, summary.kbpsAudio, summary.kbpsOverhead, summary.meanPSNRY, summary.meanMSSSIMY,
                    summary.encodeFPS).utf8))
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("agc-encode: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
