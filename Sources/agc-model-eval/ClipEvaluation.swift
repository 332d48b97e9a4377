import AGCBitstream
import AGCCodec
import AGCFPGA
import AGCKernels
import AGCMedia
import AGCMetrics
import AGCModel
import Foundation

/// Mean quality of one way of rebuilding the frames between key frames.
struct Scores: Codable {
    var psnrY = 0.0
    var ssimY = 0.0
    var msssimY = 0.0

    enum CodingKeys: String, CodingKey {
        case psnrY = "psnr_y", ssimY = "ssim_y", msssimY = "msssim_y"
    }

    mutating func add(_ reference: Plane, _ test: Plane) {
        psnrY += Quality.cappedPSNR(reference, test)
        ssimY += Quality.ssim(reference, test)
        msssimY += Quality.msssim(reference, test)
    }

    func divided(by n: Int) -> Scores {
        let d = Double(max(n, 1))
        return Scores(psnrY: psnrY / d, ssimY: ssimY / d, msssimY: msssimY / d)
    }
}

/// The evaluation of one clip: the model and the two baselines over every non-key frame.
struct ClipResult: Codable {
    var clip: String
    var frames: Int
    var scoredFrames: Int
    var keyFrameInterval: Int
    var model: Scores
    var repeatedKeyFrame: Scores
    var globalAffine: Scores
    var secondsPerFrame: Double
    /// With `--int8`: the INT8 decoder on the emulator, its PSNR (RGB) against the float output,
    /// and its seconds per rebuilt frame (keypoints to picture).
    var int8: Scores?
    var int8VersusFloatPSNR: Double?
    var int8SecondsPerFrame: Double?
    /// With `--camera`: the frames whose camera was measured moving, and those where moving the
    /// key frame rebuilt better (and was kept) for the float and the INT8 network.
    var cameraMovingFrames: Int?
    var cameraKeptFloat: Int?
    var cameraKeptInt8: Int?

    enum CodingKeys: String, CodingKey {
        case clip, frames, model, scoredFrames = "scored_frames", keyFrameInterval = "key_frame_interval"
        case repeatedKeyFrame = "repeated_key_frame", globalAffine = "global_affine"
        case secondsPerFrame = "model_seconds_per_frame", int8
        case int8VersusFloatPSNR = "int8_vs_float_psnr_rgb", int8SecondsPerFrame = "int8_seconds_per_frame"
        case cameraMovingFrames = "camera_moving_frames", cameraKeptFloat = "camera_kept_float"
        case cameraKeptInt8 = "camera_kept_int8"
    }
}

/// Runs the network over a clip: a key frame every `keySeconds`, every other frame rebuilt from
/// the key frame and its own keypoints, scored against the frame (centre square, scaled).
///
/// With an INT8 decoder, both networks get the keypoints in the integer decoder's units (what a
/// stream at step 1/256 carries), so that the comparison is of the networks alone.
///
/// With `camera`, a frame whose camera moves is also rebuilt from the key frame moved by the
/// camera's map (`CameraEstimator`, `CameraWarp`: what a 1.4 stream carries and its decoder
/// does), and each network keeps the better of its two rebuilds (PSNR-Y), as an encoder would.
func evaluateClip(path: String, network: AGCNetwork, int8: IntegerDecoder?, keySeconds: Double, camera: Bool,
                  progress: Bool) throws -> ClipResult {
    let reader = try VideoReader(path: path)
    let info = reader.info
    let side = min(info.width, info.height)
    let size = network.config.size
    reader.setOutput(crop: CropRect(x: (info.width - side) / 2, y: (info.height - side) / 2, width: side, height: side),
                     size: (width: size, height: size))
    let fps = Double(info.frameRate.num) / Double(max(info.frameRate.den, 1))
    let interval = max(1, Int((keySeconds * fps).rounded()))
    var model = Scores(), repeated = Scores(), affine = Scores()
    var key = Tensor(channels: 3, height: size, width: size)
    var keyPlane = Plane(width: size, height: size, values: [Float](repeating: 0, count: size * size))
    var kpKey: [Keypoint] = []
    var keyImage = RGBImage(width: size, height: size)
    var moving = 0, keptFloat = 0, keptInt8 = 0
    var frames = 0, scored = 0
    var modelSeconds = 0.0
    var int8Scores = Scores(), int8Seconds = 0.0, int8Error = 0.0
    func snapped(_ kp: [Keypoint]) -> [Keypoint] {
        int8 == nil ? kp : kp.map { Keypoint(QuantizedModel.keypointUnits($0)) / Float(Compiler.keypointUnits) }
    }
    let name = URL(fileURLWithPath: path).lastPathComponent
    while let frame = try reader.nextFrame() {
        defer { frames += 1 }
        let pixels = frame.image.pixels
        let tensor = FrameConversion.tensor(rgb: pixels, width: size, height: size)
        let plane = Plane.luma(rgb: pixels, width: size, height: size)
        if frames % interval == 0 {
            keyImage = frame.image
            key = tensor
            keyPlane = plane
            kpKey = snapped(network.keypointDetector(key))
            try int8?.setKeyFrame(planes: PlanarRGB.planes(pixels), keypoints: kpKey.map { QuantizedModel.keypointUnits($0) })
            continue
        }
        let start = Date()
        let kp = snapped(network.keypointDetector(tensor))
        var rebuilt = network.animate(source: key, kpSource: kpKey, kpDriving: kp)
        modelSeconds += Date().timeIntervalSince(start)
        let map = camera ? CameraEstimator.map(key: keyImage, frame: frame.image) : .identity
        let moved = map.isIdentity ? nil : (image: CameraWarp.moved(keyImage, by: map), keypoints: CameraWarp.mapped(kpKey, by: map))
        if let moved {
            moving += 1
            let alternative = network.animate(source: FrameConversion.tensor(rgb: moved.image.pixels, width: size, height: size),
                                              kpSource: moved.keypoints, kpDriving: kp)
            if lumaPSNR(plane, FrameConversion.rgb(alternative), size) > lumaPSNR(plane, FrameConversion.rgb(rebuilt), size) {
                rebuilt = alternative
                keptFloat += 1
            }
        }
        if let int8 {
            let t0 = Date()
            let units = kp.map { QuantizedModel.keypointUnits($0) }
            var out = PlanarRGB.packed(try int8.rebuild(keypoints: units))
            int8Seconds += Date().timeIntervalSince(t0)
            if let moved {
                try int8.setKeyFrame(planes: PlanarRGB.planes(moved.image.pixels),
                                     keypoints: moved.keypoints.map { QuantizedModel.keypointUnits($0) })
                let alternative = PlanarRGB.packed(try int8.rebuild(keypoints: units))
                try int8.setKeyFrame(planes: PlanarRGB.planes(keyImage.pixels), keypoints: kpKey.map { QuantizedModel.keypointUnits($0) })
                if lumaPSNR(plane, alternative, size) > lumaPSNR(plane, out, size) {
                    out = alternative
                    keptInt8 += 1
                }
            }
            int8Scores.add(plane, Plane.luma(rgb: out, width: size, height: size))
            int8Error += min(Quality.psnrRGB(FrameConversion.rgb(rebuilt), out), 99)  // identical: 99 dB
        }
        let warped = AffineBaseline.warp(key, driving: kp, source: kpKey)
        model.add(plane, Plane.luma(rgb: FrameConversion.rgb(rebuilt), width: size, height: size))
        repeated.add(plane, keyPlane)
        affine.add(plane, Plane.luma(rgb: FrameConversion.rgb(warped), width: size, height: size))
        scored += 1
        if progress && scored % 10 == 0 {
            FileHandle.standardError.write(Data(String(format: "\r%@: %d frames, %.1f fps   ", name, frames + 1,
                                                      Double(scored) / max(modelSeconds, 1e-9)).utf8))
        }
    }
    if progress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    return ClipResult(clip: name, frames: frames, scoredFrames: scored, keyFrameInterval: interval,
                      model: model.divided(by: scored), repeatedKeyFrame: repeated.divided(by: scored),
                      globalAffine: affine.divided(by: scored), secondsPerFrame: modelSeconds / Double(max(scored, 1)),
                      int8: int8 == nil ? nil : int8Scores.divided(by: scored),
                      int8VersusFloatPSNR: int8 == nil ? nil : int8Error / Double(max(scored, 1)),
                      int8SecondsPerFrame: int8 == nil ? nil : int8Seconds / Double(max(scored, 1)),
                      cameraMovingFrames: camera ? moving : nil, cameraKeptFloat: camera ? keptFloat : nil,
                      cameraKeptInt8: camera && int8 != nil ? keptInt8 : nil)
}

/// PSNR-Y of packed RGB `rgb` (size x size) against the source luma `plane`.
private func lumaPSNR(_ plane: Plane, _ rgb: [UInt8], _ size: Int) -> Double {
    Quality.cappedPSNR(plane, Plane.luma(rgb: rgb, width: size, height: size))
}
