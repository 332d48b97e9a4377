import AGCBitstream
import AGCMedia
import CCameraMotion

/// The encoder's measurement of the camera's motion between a key picture and a later frame
/// (OpenCV's ECC alignment over the background band, `CCameraMotion`), quantized as the stream
/// carries it. The identity where the camera stands still, moves less than
/// `minimumDisplacement`, or the alignment is not trusted.
public enum CameraEstimator {
    /// Moves whose largest displacement of the picture's corners is below this (pixels at the
    /// coded size) count as a still camera: ECC finds such sub-pixel moves on most frames of a
    /// still camera (lp-d18: 138 of 212), and sending them cost more than they gained
    /// (docs/model.md, session 12).
    public static let minimumDisplacement = 1.0

    /// The map from `frame`'s coordinates to `key`'s (both square, the same size, at least 128).
    public static func map(key: RGBImage, frame: RGBImage) -> CameraMap {
        precondition(key.width == frame.width && key.height == frame.height && key.width == key.height, "two square pictures")
        var theta = [Double](repeating: 0, count: 6)
        let moved = key.pixels.withUnsafeBufferPointer { k in
            frame.pixels.withUnsafeBufferPointer { f in
                theta.withUnsafeMutableBufferPointer { agc_camera_estimate(k.baseAddress, f.baseAddress, Int32(key.width), $0.baseAddress) }
            }
        }
        guard moved == 1, let map = CameraMap(theta: theta),
              largestDisplacement(map, size: key.width) >= minimumDisplacement else { return .identity }
        return map
    }

    /// How far `map` moves the farthest of the picture's four corners, in pixels at `size`.
    static func largestDisplacement(_ map: CameraMap, size: Int) -> Double {
        let a = (0..<4).map { Double(map.linear[$0]) / Double(CameraMap.linearSteps) }
        let t = (0..<2).map { Double(map.shift[$0]) / Double(CameraMap.shiftSteps) }
        let corners: [(Double, Double)] = [(-1, -1), (1, -1), (-1, 1), (1, 1)]
        return corners.map { x, y in
            max(abs(a[0] * x + a[1] * y + t[0]), abs(a[2] * x + a[3] * y + t[1])) * Double(size) / 2
        }.max()!
    }
}
