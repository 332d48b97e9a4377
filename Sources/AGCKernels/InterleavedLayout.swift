import CAGCKernels

/// The vector kernels' input layout: the map padded by one pixel of each channel's zero point on
/// every side, channels in groups of four interleaved per pixel (one 32-bit lane = four channels
/// of one pixel), rows long enough for whole-vector reads past the last column. Channels beyond
/// the last of the final group are zero (their weights are zero). `agc_pack_interleaved` fills it.
struct InterleavedLayout {
    let channels: Int
    let groups: Int
    let paddedRows: Int
    let rowPixels: Int

    init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        groups = (channels + 3) / 4
        paddedRows = height + 2
        rowPixels = (width + 2 + 16 + 15) / 16 * 16
    }

    var bytes: Int { groups * paddedRows * rowPixels * 4 }

    /// 3x3 weights [out][in][3][3] -> [out][group][tap] int32 of four input channels' bytes.
    static func packWeights(_ weights: [Int8], outChannels: Int, inChannels: Int) -> [Int32] {
        let groups = (inChannels + 3) / 4
        var packed = [Int32](repeating: 0, count: outChannels * groups * 9)
        for o in 0..<outChannels {
            for g in 0..<groups {
                for t in 0..<9 {
                    var word: UInt32 = 0
                    for c in 0..<4 where 4 * g + c < inChannels {
                        word |= UInt32(UInt8(bitPattern: weights[(o * inChannels + 4 * g + c) * 9 + t])) << (8 * c)
                    }
                    packed[(o * groups + g) * 9 + t] = Int32(bitPattern: word)
                }
            }
        }
        return packed
    }
}

/// The instruction set of the INT8 vector kernels, chosen at run time: the best the CPU runs, or
/// `AGC_ISA` (avx512vnni, avxvnni, avx2, portable) when the CPU runs it.
public enum KernelISA: String, CaseIterable, Sendable {
    case portable, avx2, avxvnni, avx512vnni

    /// The C enumeration value (for the kernels' C entry points).
    public var cValue: agc_isa { c }

    var c: agc_isa {
        switch self {
        case .portable: return AGC_ISA_PORTABLE
        case .avx2: return AGC_ISA_AVX2
        case .avxvnni: return AGC_ISA_AVXVNNI
        case .avx512vnni: return AGC_ISA_AVX512VNNI
        }
    }

    /// Whether this CPU runs it.
    public var isSupported: Bool { agc_isa_supported(c) != 0 }

    /// Every instruction set this CPU runs.
    public static var supported: [KernelISA] { allCases.filter(\.isSupported) }

    public static let current: KernelISA = {
        if let name = getenvString("AGC_ISA"), let isa = KernelISA(rawValue: name), isa.isSupported { return isa }
        return supported.last ?? .portable
    }()
}
