/// One image plane of floats on the 0...255 scale, row-major.
public struct Plane: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "plane values do not match its size")
        self.width = width
        self.height = height
        self.values = values
    }

    /// The luma of packed RGB24 pixels: BT.601 studio range (16...235), as FFmpeg converts RGB to
    /// YUV, without rounding.
    public static func luma(rgb: [UInt8], width: Int, height: Int) -> Plane {
        precondition(rgb.count == 3 * width * height, "RGB buffer does not match its size")
        var values = [Float](repeating: 0, count: width * height)
        for p in values.indices {
            let r = Float(rgb[3 * p]), g = Float(rgb[3 * p + 1]), b = Float(rgb[3 * p + 2])
            values[p] = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
        }
        return Plane(width: width, height: height, values: values)
    }

    /// 2x2 average downsampling (odd last row or column dropped).
    public func halved() -> Plane {
        let w = width / 2, h = height / 2
        var out = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let i = 2 * y * width + 2 * x
                out[y * w + x] = (values[i] + values[i + 1] + values[i + width] + values[i + width + 1]) / 4
            }
        }
        return Plane(width: w, height: h, values: out)
    }
}

extension Plane {
    /// The values rounded to 8-bit samples (clamped to 0...255), as an 8-bit YUV frame holds them.
    public var bytes: [UInt8] {
        values.map { UInt8(max(0, min(255, $0.rounded()))) }
    }
}
