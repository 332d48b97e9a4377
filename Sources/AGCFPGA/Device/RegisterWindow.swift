#if canImport(Synchronization)
import Synchronization
#endif

/// Word access to a mapped AXI-Lite register window. Every access is a single aligned 32-bit
/// load or store, with a full memory fence before and after, so that neither the compiler nor
/// the CPU moves DDR accesses across a register access (the descriptor and input bytes are in
/// DDR before `ap_start`; the output is read only after `ap_done`).
struct RegisterWindow {
    let base: UnsafeMutableRawPointer

    init(_ region: MappedRegion) {
        base = region.bytes.baseAddress!
    }

    subscript(offset: Int) -> UInt32 {
        get {
            RegisterWindow.fence()
            let value = UInt32(littleEndian: base.load(fromByteOffset: offset, as: UInt32.self))
            RegisterWindow.fence()
            return value
        }
        nonmutating set {
            RegisterWindow.fence()
            base.storeBytes(of: newValue.littleEndian, toByteOffset: offset, as: UInt32.self)
            RegisterWindow.fence()
        }
    }

    /// The control register, as its bits.
    var control: RegisterMap.Control {
        get { RegisterMap.Control(rawValue: self[RegisterMap.control]) }
        nonmutating set { self[RegisterMap.control] = newValue.rawValue }
    }

    /// A 64-bit value held in two registers, low word first.
    func pair(_ low: Int, _ high: Int) -> UInt64 {
        UInt64(self[low]) | UInt64(self[high]) << 32
    }

    /// Writes a 64-bit value into two registers, low word first.
    func setPair(_ low: Int, _ high: Int, _ value: UInt64) {
        self[low] = UInt32(truncatingIfNeeded: value)
        self[high] = UInt32(truncatingIfNeeded: value >> 32)
    }

    /// A sequentially consistent fence: a compiler barrier and a CPU barrier (`dmb` on ARM).
    @inline(__always)
    static func fence() {
        #if canImport(Synchronization)
        if #available(macOS 15, *) { atomicMemoryFence(ordering: .sequentiallyConsistent) }
        #endif
    }
}
