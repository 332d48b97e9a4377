import AGCBitstream
import AGCMedia
import CCameraMotion

/// The encoder's measurement of the camera's motion between a key picture and a later frame
/// (OpenCV's ECC alignment over the background band, `CCameraMotion`), quantized as the stream
/// carries it. The identity where the camera stands still or the alignment is not trusted.
public enum CameraEstimator {
    /// The map from `frame`'s coordinates to `key`'s (both square, the same size, at least 128).
    public static func map(key: RGBImage, frame: RGBImage) -> CameraMap {
        precondition(key.width == frame.width && key.height == frame.height && key.width == key.height, "two square pictures")
        var theta = [Double](repeating: 0, count: 6)
        let moved = key.pixels.withUnsafeBufferPointer { k in
            frame.pixels.withUnsafeBufferPointer { f in
                theta.withUnsafeMutableBufferPointer { agc_camera_estimate(k.baseAddress, f.baseAddress, Int32(key.width), $0.baseAddress) }
            }
        }
        guard moved == 1 else { return .identity }
        return CameraMap(theta: theta) ?? .identity
    }
}
