import AGCCodec
import AGCMedia
import AGCRD
import ArgumentParser
import Foundation

/// `agc-rd CLIP... -o FOLDER`: AGC's rate-distortion curves against HEVC and AV1 anchors.
@main
struct RDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agc-rd",
        abstract: "Compares AGC with HEVC (x265) and AV1 (SVT-AV1) anchors on rate and quality.",
        discussion: """
        Each clip is cropped once (as agc-encode --crop would) and scaled to 256x256; AGC and the \
        anchors code exactly those frames at the clip's frame rate. Writes report.json, CSV files, \
        summary.md, SVG plots, PNG frames and report.html into the output folder.
        """)

    @Argument(help: "The clips.")
    var clips: [String]

    @Option(name: .shortAndLong, help: "The output folder.")
    var output = "out/rd"

    @Option(help: "Face region: auto (find the face), full (centre square) or X,Y,W,H.")
    var crop = "auto"

    @Option(help: "Use only the first N frames of each clip.")
    var frames: Int?

    @Option(help: "Codecs to run: any of agc, hevc, av1, comma-separated.")
    var codecs = "agc,hevc,av1"

    @Option(name: .customLong("agc-points"),
            help: ArgumentHelp("AGC points QP/STEP/QUALITY, comma-separated, each run with every key-frame "
                + "codec (default: agc-encode --crf 50, 46, ..., 22)."))
    var agcPoints: String?

    @Option(name: .customLong("keyframe-codec"), help: "AGC key-frame codec(s): hevc, av1 or hevc,av1.")
    var keyFrameCodec = "hevc"

    @Option(name: .customLong("idr-interval"),
            help: "AGC: seconds between random-access key pictures, one ladder per value (0: every key picture intra, curve agc-CODEC-intra).")
    var idrInterval = "\(EncoderOptions().idrInterval)"

    @Option(name: .customLong("predicted-qp-offset"),
            help: "AGC: QP offset(s) of predicted key pictures, one ladder per value (curve agc-CODEC-p+N; default: agc-encode's for the codec).")
    var predictedQPOffset: String?

    @Option(help: "AGC: decision rule(s), any of threshold, reachable and rd, one ladder per value (curve agc-CODEC-RULE where not the default).")
    var decision = EncoderOptions().decision.rawValue

    @Option(help: "AGC: key pictures a rebuilt frame may be animated from (agc-encode --references), one ladder per value (curve agc-CODEC-refN).")
    var references = "\(EncoderOptions().references)"

    @Option(name: .customLong("keyframe-preset"),
            help: "AGC: libx265 preset(s) for the key pictures (agc-encode --keyframe-preset), one ladder per value (curve agc-hevc-PRESET; default \(EncoderOptions().keyFramePreset)).")
    var keyFramePreset: String?

    @Option(name: .customLong("keyframe-tune"),
            help: "AGC: libx265 tune(s) for the key pictures, none, psnr and/or ssim, one ladder per value (curve agc-hevc-TUNE; default \(EncoderOptions().keyFrameTune.rawValue)).")
    var keyFrameTune: String?

    @Option(name: .customLong("hevc-crf"), help: "x265 CRF ladder, comma-separated.")
    var hevcCRF = Ladders.hevcCRFs.map(String.init).joined(separator: ",")

    @Option(name: .customLong("av1-crf"), help: "SVT-AV1 CRF ladder, comma-separated.")
    var av1CRF = Ladders.av1CRFs.map(String.init).joined(separator: ",")

    @Option(name: .customLong("hevc-preset"), help: "x265 preset.")
    var hevcPreset = AnchorCodec.hevc.defaultPreset

    @Option(name: .customLong("av1-preset"), help: "SVT-AV1 preset.")
    var av1Preset = AnchorCodec.av1.defaultPreset

    @Option(help: "Operating points coded at once.")
    var jobs = 1

    @Option(help: "MS-SSIM-Y target of the lowest-rate figures.")
    var target = 0.90

    @Flag(name: .customLong("no-progress"), help: "No progress lines on stderr.")
    var noProgress = false

    func run() throws {
        MediaLog.setLevel(.errors)
        var options = ComparisonOptions()
        guard let mode = CropMode(argument: crop) else {
            throw ValidationError("--crop \(crop): expected auto, full or X,Y,W,H")
        }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if let frames, frames < 1 { throw ValidationError("--frames must be at least 1") }
        let wanted = Set(codecs.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        guard !wanted.isEmpty, wanted.isSubset(of: ["agc", "hevc", "av1"]) else {
            throw ValidationError("--codecs \(codecs): expected agc, hevc, av1 (comma-separated)")
        }
        var points: [OperatingPoint] = []
        if wanted.contains("agc") {
            for name in keyFrameCodec.split(separator: ",") {
                guard let codec = IntraCodec(rawValue: String(name)) else {
                    throw ValidationError("--keyframe-codec \(keyFrameCodec): expected hevc, av1 or hevc,av1")
                }
                for variant in try variants(codec) {
                    if let agcPoints {
                        for text in agcPoints.split(separator: ",") {
                            guard let point = Ladders.parseAGC(String(text), variant: variant) else {
                                throw ValidationError("--agc-points \(text): expected QP/STEP/QUALITY, "
                                    + "e.g. 32/128/msssim:0.93")
                            }
                            points.append(point)
                        }
                    } else {
                        points += Ladders.agc(variant)
                    }
                }
            }
        }
        if wanted.contains("hevc") {
            points += Ladders.anchor(.hevc, crfs: try crfs(hevcCRF, .hevc), preset: hevcPreset)
        }
        if wanted.contains("av1") {
            points += Ladders.anchor(.av1, crfs: try crfs(av1CRF, .av1), preset: av1Preset)
        }
        options.clips = clips
        options.crop = mode
        options.maxFrames = frames
        options.points = points
        options.jobs = jobs
        options.outputFolder = output
        options.target = target
        options.progress = !noProgress
        do {
            try Comparison(options: options).run()
        } catch {
            FileHandle.standardError.write(Data("agc-rd: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// One AGC ladder per combination of `--idr-interval`, `--predicted-qp-offset`, `--decision`,
    /// `--references`, `--keyframe-preset` and `--keyframe-tune`.
    private func variants(_ codec: IntraCodec) throws -> [AGCSettings] {
        let offsets = predictedQPOffset.map { $0.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) } }
            ?? [AGCSettings.defaults(codec).predictedQPOffset]
        guard !offsets.isEmpty, offsets.allSatisfy({ EncoderOptions.predictedQPOffsetRange.contains($0 ?? -1) }) else {
            throw ValidationError("--predicted-qp-offset \(predictedQPOffset ?? ""): expected \(EncoderOptions.predictedQPOffsetRange), comma-separated")
        }
        let rules = decision.split(separator: ",").map { DecisionRule(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
        guard !rules.isEmpty, rules.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--decision \(decision): expected any of threshold, reachable and rd, comma-separated")
        }
        let pools = references.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !pools.isEmpty, pools.allSatisfy({ EncoderOptions.referenceRange.contains($0 ?? 0) }) else {
            throw ValidationError("--references \(references): expected \(EncoderOptions.referenceRange), comma-separated")
        }
        guard codec == .hevc || (keyFramePreset == nil && keyFrameTune == nil) else {
            throw ValidationError("--keyframe-preset and --keyframe-tune need HEVC key pictures")
        }
        let presets = (keyFramePreset ?? EncoderOptions().keyFramePreset).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !presets.isEmpty, presets.allSatisfy(KeyPicturePreset.names.contains) else {
            throw ValidationError("--keyframe-preset \(keyFramePreset ?? ""): expected x265 presets (\(KeyPicturePreset.names.joined(separator: ", "))), comma-separated")
        }
        let tunes = (keyFrameTune ?? EncoderOptions().keyFrameTune.rawValue).split(separator: ",")
            .map { KeyPictureTune(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
        guard !tunes.isEmpty, tunes.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--keyframe-tune \(keyFrameTune ?? ""): expected none, psnr and/or ssim, comma-separated")
        }
        // Every combination, the first option outermost.
        var result = [AGCSettings.defaults(codec)]
        func vary<Value>(_ values: [Value], _ set: (inout AGCSettings, Value) -> Void) {
            result = result.flatMap { base in values.map { value in var settings = base; set(&settings, value); return settings } }
        }
        vary(try idrIntervals()) { $0.idrInterval = $1 }
        vary(offsets.map { $0! }) { $0.predictedQPOffset = $1 }
        vary(rules.map { $0! }) { $0.decision = $1 }
        vary(pools.map { $0! }) { $0.references = $1 }
        vary(presets) { $0.keyFramePreset = $1 }
        vary(tunes.map { $0! }) { $0.keyFrameTune = $1 }
        return result
    }

    /// `--idr-interval`: one AGC ladder per value.
    private func idrIntervals() throws -> [Double] {
        let values = idrInterval.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? -1) >= 0 }) else {
            throw ValidationError("--idr-interval \(idrInterval): expected seconds >= 0, comma-separated (0: intra only)")
        }
        return values.map { $0! }
    }

    private func crfs(_ text: String, _ codec: AnchorCodec) throws -> [Int] {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0.map(codec.crfRange.contains) ?? false }) else {
            throw ValidationError("--\(codec.rawValue)-crf \(text): expected CRFs in \(codec.crfRange), "
                + "comma-separated")
        }
        return values.map { $0! }
    }
}
