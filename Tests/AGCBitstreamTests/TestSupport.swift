import AGCBitstream
import Foundation

/// SplitMix64: a small seeded generator so every test run sees the same "random" data.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal sample (Box-Muller).
    mutating func gaussian() -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// Builders for the synthetic streams the tests write and read.
enum Synthetic {
    static let keypointCount = 10
    static let stepDenominator: UInt32 = 256

    static func header(frameCount: Int = 90, hasAudio: Bool = true) -> SequenceHeader {
        SequenceHeader(codedWidth: 256, codedHeight: 256, frameRate: Rational(30000, 1001), frameCount: frameCount,
                       sourceWidth: 1920, sourceHeight: 1080, rotation: 90,
                       crop: CropRect(x: 100, y: 600, width: 900, height: 900),
                       modelIdentifier: "agc-test-model", modelHash: (0..<32).map { UInt8($0 * 7) },
                       keypointCount: keypointCount, keypointStepDenominator: stepDenominator,
                       keyFrameCodec: .hevc, hasAudio: hasAudio,
                       metadata: [MetadataEntry(key: "encoder", value: "AGCBitstreamTests")])
    }

    /// Quantized keypoints that wander by small random steps; `repeatEvery` frames are repeat frames.
    static func frames(count: Int, start: [QuantizedKeypoint], sigma: Double, repeatEvery: Int = 0,
                       rng: inout SeededGenerator) -> [KeypointFrame] {
        var current = start
        let limit = Int32(2 * stepDenominator)
        var result = [KeypointFrame]()
        for index in 0..<count {
            if repeatEvery > 0 && index % repeatEvery == repeatEvery - 1 {
                result.append(.repeatKeyFrame)
                continue
            }
            current = current.map { point in
                func step(_ value: Int32) -> Int32 {
                    let moved = Double(value) + (rng.gaussian() * sigma).rounded()
                    return Int32(max(-Double(limit), min(Double(limit), moved)))
                }
                return QuantizedKeypoint(x: step(point.x), y: step(point.y))
            }
            result.append(.generated(current))
        }
        return result
    }

    static func keypoints(rng: inout SeededGenerator) -> [QuantizedKeypoint] {
        (0..<keypointCount).map { _ in
            QuantizedKeypoint(x: Int32.random(in: -200...200, using: &rng),
                              y: Int32.random(in: -200...200, using: &rng))
        }
    }

    /// A small complete stream: 3 key frames with keypoint runs after each, audio, hashes and an
    /// unknown ancillary unit. Returns the bytes and what was written.
    static func stream(packetSize: Int = 40) throws -> (bytes: [UInt8], keyFrames: [KeyFrame], runs: [KeypointRun]) {
        var rng = SeededGenerator(seed: 42)
        let writer = try BitstreamWriter(header: header())
        try writer.write(AudioConfig(codecName: "aac", sampleRate: 48000, channels: 2, timeBase: Rational(1, 48000),
                                     extradata: [0x11, 0x90]))
        var keyFrames = [KeyFrame](), runs = [KeypointRun]()
        for keyIndex in 0..<3 {
            let first = keyIndex * 30
            let keyFrame = KeyFrame(frameNumber: first,
                                    packet: (0..<packetSize).map { _ in UInt8.random(in: 0...255, using: &rng) })
            try writer.write(keyFrame)
            let predictor = keypoints(rng: &rng)
            let frames = Synthetic.frames(count: 29, start: predictor, sigma: 1.0, repeatEvery: 7, rng: &rng)
            let run = try KeypointRun(firstFrame: first + 1, frames: frames, predictor: predictor)
            try writer.write(run)
            try writer.write((0..<3).map { AudioPacket(pts: Int64(keyIndex * 3 + $0) * 1024, duration: 1024,
                                                      data: [UInt8](repeating: UInt8($0), count: 5)) })
            keyFrames.append(keyFrame)
            runs.append(run)
        }
        try writer.write(PictureHashes(firstFrame: 0, hashes: (0..<4).map { [UInt8](repeating: UInt8($0), count: 8) }))
        try writer.writeUnit(rawType: 0x40, payload: [1, 2, 3])
        try writer.finish()
        return ([UInt8](writer.data), keyFrames, runs)
    }
}
