/// An 8-bit activation map: `channels` planes of `height` x `width` unsigned bytes (CHW). Each
/// channel has a zero point, the byte that stands for real zero (a concatenation keeps each
/// part's own); the real scales live with the model, not here.
public struct QTensor: Sendable, Equatable {
    public var channels: Int
    public var height: Int
    public var width: Int
    public var zeroPoints: [Int32]
    public var data: [UInt8]

    public init(channels: Int, height: Int, width: Int, zeroPoints: [Int32], data: [UInt8]) {
        precondition(data.count == channels * height * width, "tensor data does not match its shape")
        precondition(zeroPoints.count == channels, "one zero point per channel")
        self.channels = channels
        self.height = height
        self.width = width
        self.zeroPoints = zeroPoints
        self.data = data
    }

    /// A map whose channels share one zero point.
    public init(channels: Int, height: Int, width: Int, zeroPoint: Int32, data: [UInt8]) {
        self.init(channels: channels, height: height, width: width,
                  zeroPoints: [Int32](repeating: zeroPoint, count: channels), data: data)
    }

    public var planeSize: Int { height * width }

    /// The channels of `parts` one after another (same height and width).
    public static func concatenate(_ parts: [QTensor]) -> QTensor {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.height == parts[0].height && $0.width == parts[0].width },
                     "concatenated maps must share their size")
        return QTensor(channels: parts.reduce(0) { $0 + $1.channels }, height: parts[0].height, width: parts[0].width,
                       zeroPoints: parts.flatMap(\.zeroPoints), data: parts.flatMap(\.data))
    }

    /// 2x nearest-neighbour upsampling (each value copied to a 2 x 2 block).
    public func upsampledNearest2x() -> QTensor {
        let oh = 2 * height, ow = 2 * width
        var out = [UInt8](repeating: 0, count: channels * oh * ow)
        for c in 0..<channels {
            for y in 0..<oh {
                for x in 0..<ow { out[(c * oh + y) * ow + x] = data[(c * height + y / 2) * width + x / 2] }
            }
        }
        return QTensor(channels: channels, height: oh, width: ow, zeroPoints: zeroPoints, data: out)
    }

    /// Average of each `factor` x `factor` block, rounded half up: (sum + n / 2) / n. The zero
    /// points are unchanged (the average of values sharing a zero point keeps it).
    public func averagePooled(_ factor: Int) -> QTensor {
        let oh = height / factor, ow = width / factor, n = factor * factor
        var out = [UInt8](repeating: 0, count: channels * oh * ow)
        for c in 0..<channels {
            for y in 0..<oh {
                for x in 0..<ow {
                    var sum = 0
                    for dy in 0..<factor {
                        for dx in 0..<factor { sum += Int(data[(c * height + y * factor + dy) * width + x * factor + dx]) }
                    }
                    out[(c * oh + y) * ow + x] = UInt8((sum + n / 2) / n)
                }
            }
        }
        return QTensor(channels: channels, height: oh, width: ow, zeroPoints: zeroPoints, data: out)
    }
}
