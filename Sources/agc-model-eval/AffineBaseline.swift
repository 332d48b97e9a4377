import AGCKernels
import AGCModel

/// Baseline (b) of the model evaluation: the key frame warped by the single affine motion that
/// best fits (least squares) the keypoint motion from the frame to the key frame.
enum AffineBaseline {
    /// The 2x3 matrix A minimising sum |A (kd, 1) - ks|^2, row-major; nil when degenerate.
    static func fit(driving: [Keypoint], source: [Keypoint]) -> [Float]? {
        // Normal equations M a = b with M = sum p p^T, p = (x, y, 1), solved for each output row.
        var m = [[Double]](repeating: [0, 0, 0], count: 3)
        var bx = [0.0, 0.0, 0.0], by = [0.0, 0.0, 0.0]
        for (d, s) in zip(driving, source) {
            let p = [Double(d.x), Double(d.y), 1]
            for i in 0..<3 {
                for j in 0..<3 { m[i][j] += p[i] * p[j] }
                bx[i] += p[i] * Double(s.x)
                by[i] += p[i] * Double(s.y)
            }
        }
        guard let rowX = solve3(m, bx), let rowY = solve3(m, by) else { return nil }
        return (rowX + rowY).map { Float($0) }
    }

    /// The key frame sampled through the affine map (identity when the fit is degenerate).
    static func warp(_ key: Tensor, driving: [Keypoint], source: [Keypoint]) -> Tensor {
        guard let a = fit(driving: driving, source: source) else { return key }
        let s = key.width
        var grid = [Float](repeating: 0, count: s * s * 2)
        for y in 0..<s {
            let gy = Geometry.centre(y, s)
            for x in 0..<s {
                let gx = Geometry.centre(x, s)
                grid[2 * (y * s + x)] = a[0] * gx + a[1] * gy + a[2]
                grid[2 * (y * s + x) + 1] = a[3] * gx + a[4] * gy + a[5]
            }
        }
        return GridSample.sample(key, grid: grid, height: s, width: s)
    }

    /// Cramer's rule for a 3x3 system; nil when (nearly) singular.
    static func solve3(_ m: [[Double]], _ b: [Double]) -> [Double]? {
        func det(_ a: [[Double]]) -> Double {
            a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
        }
        let d = det(m)
        guard abs(d) > 1e-9 else { return nil }
        return (0..<3).map { col in
            var mc = m
            for row in 0..<3 { mc[row][col] = b[row] }
            return det(mc) / d
        }
    }
}
