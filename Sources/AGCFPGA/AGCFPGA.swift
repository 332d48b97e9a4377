/// The quantized accelerator, its instruction compiler and its bit-exact emulation (issue 4).
///
/// Not built yet: this module holds the place the design gives it. Nothing here may be called
/// a decoder backend until the emulator exists.
public enum AGCFPGA {
    /// Why `--backend emulator|fpga` cannot run yet.
    public static let unavailableReason = "the INT8 accelerator backends are not built yet (issue 4)"
}
