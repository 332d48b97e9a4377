import CAGCKernels

/// The instruction set of the INT8 vector kernels, chosen at run time: the best the CPU runs, or
/// `AGC_ISA` (avx512vnni, avxvnni, avx2, portable) when the CPU runs it.
public enum KernelISA: String, CaseIterable, Sendable {
    case portable, avx2, avxvnni, avx512vnni

    /// The C enumeration value (for the kernels' C entry points).
    public var cValue: agc_isa {
        switch self {
        case .portable: return AGC_ISA_PORTABLE
        case .avx2: return AGC_ISA_AVX2
        case .avxvnni: return AGC_ISA_AVXVNNI
        case .avx512vnni: return AGC_ISA_AVX512VNNI
        }
    }

    /// Whether this CPU runs it.
    public var isSupported: Bool { agc_isa_supported(cValue) != 0 }

    /// Every instruction set this CPU runs.
    public static var supported: [KernelISA] { allCases.filter(\.isSupported) }

    public static let current: KernelISA = {
        if let name = getenvString("AGC_ISA"), let isa = KernelISA(rawValue: name), isa.isSupported { return isa }
        return supported.last ?? .portable
    }()
}
