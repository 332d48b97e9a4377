import AGCBitstream
import AGCFPGA
import AGCKernels
import AGCMedia
import AGCModel

/// The key picture as the camera shows it at a later frame (format 1.4): the decoder's host-side
/// arithmetic for a camera map, in integers so that every decoder gives the same bytes.
///
/// The picture is sampled by the grid-sample engine's arithmetic (`QuantizedGridSample`: Q16.16
/// positions, 8-bit fractions, round half up) at A (x, y) + t, the positions clamped inside the
/// picture (the border repeated, as training's `camera.prewarp`), and the key picture's
/// keypoints are mapped into the moved picture: z' = A^-1 (z - t).
public enum CameraWarp {
    /// The Q16.16 sampling positions (x, y per pixel, row-major) of a `size` x `size` picture
    /// moved by `map`: exact in integers, clamped to [0, size - 1].
    public static func positions(_ map: CameraMap, size: Int) -> [Int32] {
        let (n11, n12, n21, n22) = linearPart(map)
        let s = Int64(size)
        // pixel * 2^16 = 16 (n_i1 (2x + 1 - s) + n_i2 (2y + 1 - s)) + 32 m_i s + 2^15 (s - 1)
        let baseX = 32 * Int64(map.shift[0]) * s + 32768 * (s - 1), baseY = 32 * Int64(map.shift[1]) * s + 32768 * (s - 1)
        let limit = (s - 1) << 16
        var out = [Int32](repeating: 0, count: 2 * size * size)
        for y in 0..<size {
            let gy = 2 * Int64(y) + 1 - s
            for x in 0..<size {
                let gx = 2 * Int64(x) + 1 - s
                let px = 16 * (n11 * gx + n12 * gy) + baseX
                let py = 16 * (n21 * gx + n22 * gy) + baseY
                let p = 2 * (y * size + x)
                out[p] = Int32(min(max(px, 0), limit))
                out[p + 1] = Int32(min(max(py, 0), limit))
            }
        }
        return out
    }

    /// `image` (square) moved by `map`; the identity returns it unchanged.
    public static func moved(_ image: RGBImage, by map: CameraMap) -> RGBImage {
        guard !map.isIdentity else { return image }
        precondition(image.width == image.height, "the coded picture is square")
        let size = image.width
        let planes = QTensor(channels: 3, height: size, width: size, zeroPoints: [0, 0, 0], data: PlanarRGB.planes(image.pixels))
        let out = QuantizedGridSample.callAsFunction(planes, positions: positions(map, size: size), height: size, width: size)
        return RGBImage(width: size, height: size, pixels: PlanarRGB.packed(out.data))
    }

    /// Keypoints of the key picture mapped into the moved picture, z' = A^-1 (z - t), computed
    /// in Q16 integers and rounded half away from zero.
    public static func mapped(_ keypoints: [Keypoint], by map: CameraMap) -> [Keypoint] {
        guard !map.isIdentity else { return keypoints }
        let (n11, n12, n21, n22) = linearPart(map)
        let determinant = n11 * n22 - n12 * n21  // in steps of 1/2048^2, positive within the format's range
        let scale = Int64(65536 / CameraMap.shiftSteps)
        func q16(_ v: Float) -> Int64 { Int64((Double(v) * 65536).rounded(.toNearestOrAwayFromZero)) }
        func divide(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? (2 * a + b) / (2 * b) : -((-2 * a + b) / (2 * b)) }
        return keypoints.map { z in
            let dx = q16(z.x) - Int64(map.shift[0]) * scale, dy = q16(z.y) - Int64(map.shift[1]) * scale
            let x = divide((n22 * dx - n12 * dy) * Int64(CameraMap.linearSteps), determinant)
            let y = divide((n11 * dy - n21 * dx) * Int64(CameraMap.linearSteps), determinant)
            return Keypoint(Float(x) / 65536, Float(y) / 65536)
        }
    }

    /// A in steps of 1/2048: n11, n12, n21, n22 (the coded A - I plus the identity).
    private static func linearPart(_ map: CameraMap) -> (Int64, Int64, Int64, Int64) {
        (Int64(CameraMap.linearSteps + map.linear[0]), Int64(map.linear[1]),
         Int64(map.linear[2]), Int64(CameraMap.linearSteps + map.linear[3]))
    }
}
