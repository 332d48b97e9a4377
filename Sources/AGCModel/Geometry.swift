import AGCKernels
import Foundation

/// A keypoint in normalised coordinates: x and y in [-1, 1], (-1, -1) the top-left corner.
public typealias Keypoint = SIMD2<Float>

/// Host-side geometry of the network: sampling grids and keypoint heatmaps.
public enum Geometry {
    /// Pixel-centre coordinate of index `i` of `n` in [-1, 1] (align_corners=False).
    @inline(__always)
    public static func centre(_ i: Int, _ n: Int) -> Float {
        Float(i * 2 + 1) / Float(n) - 1
    }

    /// The identity sampling grid of `size` x `size` plus a per-pixel displacement
    /// (`displacement` interleaved x, y, or nil for none).
    public static func grid(size: Int, displacement: [Float]? = nil) -> [Float] {
        var grid = [Float](repeating: 0, count: size * size * 2)
        for y in 0..<size {
            for x in 0..<size {
                let p = y * size + x
                grid[2 * p] = centre(x, size) + (displacement?[2 * p] ?? 0)
                grid[2 * p + 1] = centre(y, size) + (displacement?[2 * p + 1] ?? 0)
            }
        }
        return grid
    }

    /// The identity grid shifted by one constant offset.
    public static func shiftedGrid(size: Int, by shift: Keypoint) -> [Float] {
        var grid = [Float](repeating: 0, count: size * size * 2)
        for y in 0..<size {
            for x in 0..<size {
                let p = y * size + x
                grid[2 * p] = centre(x, size) + shift.x
                grid[2 * p + 1] = centre(y, size) + shift.y
            }
        }
        return grid
    }

    /// exp(-|z - kp|^2 / (2 variance)) on a `size` x `size` grid of pixel centres.
    public static func gaussian(_ kp: Keypoint, size: Int, variance: Float) -> [Float] {
        var out = [Float](repeating: 0, count: size * size)
        for y in 0..<size {
            let dy = centre(y, size) - kp.y
            for x in 0..<size {
                let dx = centre(x, size) - kp.x
                out[y * size + x] = expf(-0.5 * (dx * dx + dy * dy) / variance)
            }
        }
        return out
    }
}
