/// The camera's motion at one rebuilt frame, as a stream carries it (format 1.4): an affine map
/// from the frame's coordinates to its key picture's, in [-1, 1] coordinates
/// (align_corners=False): x_key = A x + t. The decoder moves the key picture by it before the
/// network animates it (docs/bitstream.md, section 6.7).
///
/// Quantized: A - I in steps of 1/2048, t in steps of 1/1024 of the half-frame (finer steps
/// gain nothing measurable, docs/model.md). The identity is a camera standing still.
public struct CameraMap: Hashable, Sendable {
    /// A - I in steps of 1/`linearSteps`: a11 - 1, a12, a21, a22 - 1.
    public var linear: SIMD4<Int32>
    /// t in steps of 1/`shiftSteps` of the half-frame.
    public var shift: SIMD2<Int32>

    /// Steps per unit of the 2x2 part.
    public static let linearSteps: Int32 = 2048
    /// Steps per half-frame of the shift.
    public static let shiftSteps: Int32 = 1024
    /// |A - I| at most 0.3125 per entry, so that A stays invertible (det >= 0.375).
    public static let maxLinear: Int32 = 640
    /// |t| at most one half-frame.
    public static let maxShift: Int32 = 1024

    public static let identity = CameraMap(linear: .zero, shift: .zero)

    public init(linear: SIMD4<Int32>, shift: SIMD2<Int32>) {
        self.linear = linear
        self.shift = shift
    }

    /// The map nearest to `theta` (row-major 2x3: a11 a12 t1, a21 a22 t2), or nil when it is
    /// outside the format's range.
    public init?(theta: [Double]) {
        precondition(theta.count == 6, "theta has 6 entries")
        func steps(_ v: Double, _ n: Int32) -> Int32? {
            guard v.isFinite, abs(v) < 4 else { return nil }
            return Int32((v * Double(n)).rounded(.toNearestOrAwayFromZero))
        }
        guard let a11 = steps(theta[0] - 1, Self.linearSteps), let a12 = steps(theta[1], Self.linearSteps),
              let a21 = steps(theta[3], Self.linearSteps), let a22 = steps(theta[4] - 1, Self.linearSteps),
              let t1 = steps(theta[2], Self.shiftSteps), let t2 = steps(theta[5], Self.shiftSteps) else { return nil }
        self.init(linear: SIMD4(a11, a12, a21, a22), shift: SIMD2(t1, t2))
        guard isWithinLimits else { return nil }
    }

    public var isIdentity: Bool { self == .identity }

    /// Whether every entry is within the format's range.
    public var isWithinLimits: Bool {
        (0..<4).allSatisfy { abs(linear[$0]) <= Self.maxLinear } && (0..<2).allSatisfy { abs(shift[$0]) <= Self.maxShift }
    }

    /// The six entries in coding order: a11 - 1, a12, a21, a22 - 1, t1, t2 (in steps).
    var entries: [Int32] { [linear[0], linear[1], linear[2], linear[3], shift[0], shift[1]] }

    init(entries e: [Int32]) {
        self.init(linear: SIMD4(e[0], e[1], e[2], e[3]), shift: SIMD2(e[4], e[5]))
    }
}
