/// The accelerator's AXI-Lite register window, laid out the way Vitis HLS lays out an
/// `ap_ctrl_hs` block with scalar arguments. Every register is a little-endian 32-bit word at a
/// byte offset of the window. See docs/accelerator.md, "Device backend".
public enum RegisterMap {
    /// Bytes of the register window (one page).
    public static let windowSize = 4096

    /// Control: `ap_start`, `ap_done`, `ap_idle`, `ap_ready`, `auto_restart` (see `Control`).
    public static let control = 0x00
    /// Global interrupt enable (bit 0).
    public static let globalInterruptEnable = 0x04
    /// Interrupt enable: bit 0, done.
    public static let interruptEnable = 0x08
    /// Interrupt status: bit 0, done; writing 1 toggles (clears) it.
    public static let interruptStatus = 0x0C
    /// Physical address of the DDR region, low 32 bits.
    public static let ddrBaseLow = 0x10
    /// Physical address of the DDR region, high 32 bits.
    public static let ddrBaseHigh = 0x14
    /// Byte offset of the first descriptor to run, from the DDR base.
    public static let descriptorOffset = 0x18
    /// Number of descriptors to run.
    public static let descriptorCount = 0x20
    /// Outcome of the last run (read-only; see `Status`).
    public static let status = 0x28
    /// Position of the failing descriptor in the last run, 0 for the first one (read-only).
    public static let failingDescriptor = 0x30
    /// Cycles of the last run at 100 MHz, low 32 bits (read-only).
    public static let cyclesLow = 0x38
    /// Cycles of the last run at 100 MHz, high 32 bits (read-only).
    public static let cyclesHigh = 0x3C
    /// IP identification (read-only): `identification`.
    public static let ipIdentification = 0x40
    /// IP version (read-only): `version`.
    public static let ipVersion = 0x44

    /// "AGC1" in memory order: the identification register's value.
    public static let identification = UInt32(0x41) | UInt32(0x47) << 8 | UInt32(0x43) << 16 | UInt32(0x31) << 24
    /// The register map's version.
    public static let version: UInt32 = 1

    /// The bits of the control register.
    public struct Control: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// Host writes 1 to start; the device clears it when it starts.
        public static let start = Control(rawValue: 1 << 0)
        /// Set by the device when a run finished; cleared when read.
        public static let done = Control(rawValue: 1 << 1)
        /// The device is not running.
        public static let idle = Control(rawValue: 1 << 2)
        /// The device can take the next start.
        public static let ready = Control(rawValue: 1 << 3)
        /// Restart on its own after each run (the driver never sets it).
        public static let autoRestart = Control(rawValue: 1 << 7)
    }

    /// The values of the status register.
    public enum Status: UInt32, Sendable {
        case ok = 0
        case badDescriptor = 1
        case outOfBounds = 2
        case internalError = 3
    }

    /// The four ASCII characters of an identification value ("AGC1"), dots for non-printable bytes.
    public static func identificationText(_ value: UInt32) -> String {
        String((0..<4).map { shift -> Character in
            let byte = UInt8(truncatingIfNeeded: value >> (8 * shift))
            return (0x20..<0x7F).contains(byte) ? Character(Unicode.Scalar(byte)) : "."
        })
    }
}
