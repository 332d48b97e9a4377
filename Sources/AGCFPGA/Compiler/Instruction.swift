import Foundation

/// The accelerator's operations, one per descriptor.
public enum Opcode: UInt8, CaseIterable, Sendable {
    /// Keypoints -> heatmap differences and shifts (element-wise engine).
    case keypoints = 1
    /// Average pooling by `factor` (element-wise engine).
    case averagePool = 2
    /// One bilinear sampling of the input per shift (grid-sample engine).
    case gridShift = 3
    /// Convolution with its fused stages (convolution engine).
    case convolution = 4
    /// Softmax-weighted flow from mask logits (element-wise engine).
    case softmaxFlow = 5
    /// 8-bit table lookup (element-wise engine).
    case lookup = 6
    /// Bilinear upsampling of a flow (upsample engine).
    case upsampleFlow = 7
    /// Bilinear sampling along a flow, optional mask (grid-sample engine).
    case gridFlow = 8

    /// The engine that executes the operation.
    public var engine: Engine {
        switch self {
        case .convolution: return .convolution
        case .gridShift, .gridFlow: return .gridSample
        case .upsampleFlow: return .upsample
        case .keypoints, .averagePool, .softmaxFlow, .lookup: return .elementwise
        }
    }
}

/// The accelerator's engines.
public enum Engine: String, CaseIterable, Sendable {
    case convolution, gridSample = "grid-sample", upsample, elementwise
}

/// Fused stages and options of a descriptor.
public struct InstructionFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Convolution: 2x nearest upsampling of the input in the addressing.
    public static let upsampleInput = InstructionFlags(rawValue: 1)
    /// Convolution: 2x2 average pooling in the output stage.
    public static let poolOutput = InstructionFlags(rawValue: 2)
    /// Convolution: residual add in the accumulator (aux: the map, aux2: its rescaling, aux3:
    /// its zero points).
    public static let residual = InstructionFlags(rawValue: 4)
    /// Grid sample: multiply by the 8-bit mask at aux2.
    public static let mask = InstructionFlags(rawValue: 8)
    public static let all: InstructionFlags = [.upsampleInput, .poolOutput, .residual, .mask]
}

/// One instruction descriptor as the host writes it to DDR: 16 little-endian 32-bit words
/// (64 bytes). Addresses are byte offsets from the DDR base register. See docs/accelerator.md.
///
/// | word | contents |
/// |---|---|
/// | 0 | opcode (bits 0-7), flags (8-15), factor or kernel size (16-23), reserved (24-31) |
/// | 1 | input channels (0-15), output channels (16-31) |
/// | 2 | input height (0-15), input width (16-31) |
/// | 3 | input address |
/// | 4 | output address |
/// | 5 | weights / table address |
/// | 6 | bias address (convolution) or shift table address |
/// | 7 | requantization address: (multiplier, shift) INT32 pairs per output channel |
/// | 8 | input zero points: one INT32 per input channel |
/// | 9 | aux address: residual map, flow, or keypoints |
/// | 10 | aux2 address: residual rescaling pairs, or mask |
/// | 11 | aux3 address: residual zero points |
/// | 12 | output zero point (0-7), clamp minimum (8-15), clamp maximum (16-23), keypoint count (24-31) |
/// | 13 | scalar multiplier (Q31) |
/// | 14 | scalar shift (signed) |
/// | 15 | reserved, zero |
public struct Instruction: Equatable, Sendable {
    public static let byteCount = 64

    public var opcode: Opcode
    public var flags: InstructionFlags = []
    public var factor: UInt8 = 0
    public var inChannels: UInt16 = 0
    public var outChannels: UInt16 = 0
    public var height: UInt16 = 0
    public var width: UInt16 = 0
    public var input: UInt32 = 0
    public var output: UInt32 = 0
    public var weights: UInt32 = 0
    public var bias: UInt32 = 0
    public var requantization: UInt32 = 0
    public var zeroPoints: UInt32 = 0
    public var aux: UInt32 = 0
    public var aux2: UInt32 = 0
    public var aux3: UInt32 = 0
    public var outputZeroPoint: UInt8 = 0
    public var clampMin: UInt8 = 0
    public var clampMax: UInt8 = 255
    public var keypointCount: UInt8 = 0
    public var multiplier: Int32 = 0
    public var shift: Int32 = 0

    public init(opcode: Opcode) {
        self.opcode = opcode
    }

    /// The 16 words.
    public var words: [UInt32] {
        [UInt32(opcode.rawValue) | UInt32(flags.rawValue) << 8 | UInt32(factor) << 16,
         UInt32(inChannels) | UInt32(outChannels) << 16,
         UInt32(height) | UInt32(width) << 16,
         input, output, weights, bias, requantization, zeroPoints, aux, aux2, aux3,
         UInt32(outputZeroPoint) | UInt32(clampMin) << 8 | UInt32(clampMax) << 16 | UInt32(keypointCount) << 24,
         UInt32(bitPattern: multiplier), UInt32(bitPattern: shift), 0]
    }

    /// Writes the descriptor at `offset` of `memory`.
    public func store(to memory: UnsafeMutableRawBufferPointer, at offset: Int) {
        for (i, word) in words.enumerated() {
            memory.storeBytes(of: word.littleEndian, toByteOffset: offset + 4 * i, as: UInt32.self)
        }
    }

    /// Reads and checks the descriptor at `offset`: an unknown opcode, unknown flags or a
    /// non-zero reserved field is a bad descriptor.
    public static func load(from memory: UnsafeRawBufferPointer, at offset: Int) throws -> Instruction {
        guard offset >= 0, offset + byteCount <= memory.count else {
            throw AcceleratorError.badDescriptor(address: offset, "outside memory")
        }
        let w = (0..<16).map { UInt32(littleEndian: memory.loadUnaligned(fromByteOffset: offset + 4 * $0, as: UInt32.self)) }
        guard let opcode = Opcode(rawValue: UInt8(w[0] & 0xFF)) else {
            throw AcceleratorError.badDescriptor(address: offset, "unknown opcode \(w[0] & 0xFF)")
        }
        let flags = InstructionFlags(rawValue: UInt8((w[0] >> 8) & 0xFF))
        guard flags.isSubset(of: .all), w[0] >> 24 == 0, w[15] == 0 else {
            throw AcceleratorError.badDescriptor(address: offset, "reserved bits set")
        }
        var i = Instruction(opcode: opcode)
        i.flags = flags
        i.factor = UInt8((w[0] >> 16) & 0xFF)
        i.inChannels = UInt16(w[1] & 0xFFFF)
        i.outChannels = UInt16(w[1] >> 16)
        i.height = UInt16(w[2] & 0xFFFF)
        i.width = UInt16(w[2] >> 16)
        (i.input, i.output, i.weights, i.bias, i.requantization, i.zeroPoints, i.aux, i.aux2, i.aux3) =
            (w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11])
        i.outputZeroPoint = UInt8(w[12] & 0xFF)
        i.clampMin = UInt8((w[12] >> 8) & 0xFF)
        i.clampMax = UInt8((w[12] >> 16) & 0xFF)
        i.keypointCount = UInt8(w[12] >> 24)
        i.multiplier = Int32(bitPattern: w[13])
        i.shift = Int32(bitPattern: w[14])
        return i
    }

    /// Output height and width.
    public var outputSize: (height: Int, width: Int) {
        var h = Int(height), w = Int(width)
        switch opcode {
        case .convolution:
            if flags.contains(.upsampleInput) { h *= 2; w *= 2 }
            if flags.contains(.poolOutput) { h /= 2; w /= 2 }
        case .averagePool:
            h /= max(Int(factor), 1); w /= max(Int(factor), 1)
        case .upsampleFlow:
            h *= Int(factor); w *= Int(factor)
        default: break
        }
        return (h, w)
    }

    /// Multiply-accumulates of the operation (convolution taps; four per bilinear sample).
    public var macs: Int {
        let (oh, ow) = outputSize
        switch opcode {
        case .convolution:
            let (ch, cw) = flags.contains(.poolOutput) ? (2 * oh, 2 * ow) : (oh, ow)
            return Int(outChannels) * Int(inChannels) * Int(factor) * Int(factor) * ch * cw
        case .gridShift, .gridFlow: return 4 * Int(outChannels) * oh * ow
        case .upsampleFlow: return 4 * 2 * oh * ow
        default: return 0
        }
    }
}

/// Errors of the accelerator (emulated, simulated or real).
public enum AcceleratorError: Error, CustomStringConvertible, Equatable {
    case badDescriptor(address: Int, String)
    case outOfBounds(address: Int, String)
    case timeout(seconds: Double)
    case device(String, String)

    public var description: String {
        switch self {
        case let .badDescriptor(address, why): return String(format: "bad descriptor at 0x%08x: ", address) + why
        case let .outOfBounds(address, what): return String(format: "access outside the DDR region at 0x%08x: ", address) + what
        case let .timeout(seconds): return "the accelerator did not finish within \(seconds) s"
        case let .device(path, why): return "\(path): \(why)"
        }
    }
}
