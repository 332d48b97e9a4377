/// A feature map of one frame: `channels` planes of `height` x `width` floats, channel-major (CHW),
/// the layout PyTorch uses for a batch of one.
public struct Tensor: Sendable {
    public var channels: Int
    public var height: Int
    public var width: Int
    public var data: [Float]

    public init(channels: Int, height: Int, width: Int, data: [Float]) {
        precondition(data.count == channels * height * width, "tensor data does not match its shape")
        self.channels = channels
        self.height = height
        self.width = width
        self.data = data
    }

    /// A tensor of zeros.
    public init(channels: Int, height: Int, width: Int) {
        self.init(channels: channels, height: height, width: width,
                  data: [Float](repeating: 0, count: channels * height * width))
    }

    public var planeSize: Int { height * width }

    /// The channels of `parts`, in order, stacked into one tensor (they share height and width).
    public static func concatenate(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty)
        let h = parts[0].height, w = parts[0].width
        var data: [Float] = []
        data.reserveCapacity(parts.reduce(0) { $0 + $1.data.count })
        for part in parts {
            precondition(part.height == h && part.width == w, "concatenated tensors differ in size")
            data += part.data
        }
        return Tensor(channels: parts.reduce(0) { $0 + $1.channels }, height: h, width: w, data: data)
    }
}

/// Which implementation of each kernel runs: the plain scalar reference or the optimised one.
public enum KernelChoice: String, Sendable, CaseIterable {
    case reference
    case optimized

    /// The process-wide choice, from `AGC_KERNELS` (reference|optimized), optimized by default.
    public static let current: KernelChoice = {
        if let value = getenvString("AGC_KERNELS"), let choice = KernelChoice(rawValue: value) {
            return choice
        }
        return .optimized
    }()
}

/// How many threads the optimised kernels split work over (`AGC_THREADS`, or every core).
public enum KernelThreads {
    public static let count: Int = {
        if let value = getenvString("AGC_THREADS"), let n = Int(value), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()
}

import Foundation

func getenvString(_ name: String) -> String? {
    ProcessInfo.processInfo.environment[name]
}
