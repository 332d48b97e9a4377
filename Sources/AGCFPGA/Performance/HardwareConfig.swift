/// A configuration of the accelerator: engine sizes, on-chip buffers, clock, memory bandwidth and
/// power, with the target device's resources to check it against. See docs/accelerator.md.
public struct HardwareConfig: Codable, Sendable {
    public var name: String
    /// Convolution engine: `tm` output channels x `tn` input channels of INT8 MACs per cycle.
    public var tm: Int
    public var tn: Int
    /// Output tile of the convolution engine (rows x columns at the convolution's resolution).
    public var tileRows: Int
    public var tileColumns: Int
    /// INT8 multiplies per DSP48 slice (two, sharing one operand, by the packing trick).
    public var macsPerDSP: Int
    /// Grid-sample engine: output samples per cycle (one channel plane per lane).
    public var gridLanes: Int
    /// Upsample engine: flow samples per cycle.
    public var upsampleLanes: Int
    /// Element-wise and pooling engine: values per cycle.
    public var elementwiseLanes: Int
    public var clockMHz: Double
    /// Sustained DDR bandwidth the engines share (bytes per second), and the fixed cost of one
    /// DMA burst sequence (cycles) paid per transfer.
    public var ddrBytesPerSecond: Double
    public var dmaSetupCycles: Int
    /// Cycles the host needs to start a descriptor stream and see it done (register writes, poll).
    public var launchCycles: Int
    /// Power the accelerator adds while it runs (watts): the PL's dynamic power and one ARM core
    /// polling it, estimated from the RTL's switching activity on published 7-series
    /// per-operation energies (`hardware/power.sh`; hardware/README.md, "Energy").
    public var activePowerWatts: Double
    /// The device's resources.
    public var device: DeviceResources
    /// The board's power with the accelerator idle (watts): static power of the XC7Z020 (PL and
    /// PS), DDR, regulators and peripherals. An assumption, not a measurement: 2.73 W, the idle
    /// figure issue 15 quotes for a Zybo Z7-20 (same XC7Z020), not verified; no citable PYNQ-Z1
    /// figure was found.
    public var idlePowerWatts: Double = 2.73
    /// The micro-architecture of the RTL as built (`hardware/rtl`) when this configuration
    /// describes it; nil for the specification's double-buffered design (docs/accelerator.md).
    /// `CycleModel` counts cycles from the RTL's state machines when it is set.
    public var rtl: RTLMicroarchitecture?

    public struct DeviceResources: Codable, Sendable {
        public var part: String
        public var dsp: Int
        public var bram36: Int
        public var luts: Int
    }

    /// The PYNQ-Z1 (Zynq XC7Z020-1CLG400C): 220 DSP48E1, 140 BRAM36, 53,200 LUTs; PL at 100 MHz;
    /// one HP port at about 1.2 GB/s (the spec's design, docs/accelerator.md). Active power 0.67 W:
    /// the RTL's measured work per frame (array products, BRAM accesses, fabric toggles) done in
    /// this design's cycles, with the per-cycle parts (BRAM read enables, clock tree, the polling
    /// ARM core) at the same rate (`hardware/power.sh`); idle power assumed (see idlePowerWatts).
    public static let pynqZ1 = HardwareConfig(
        name: "pynq-z1", tm: 16, tn: 16, tileRows: 16, tileColumns: 64, macsPerDSP: 2, gridLanes: 2, upsampleLanes: 2,
        elementwiseLanes: 4, clockMHz: 100, ddrBytesPerSecond: 1.2e9, dmaSetupCycles: 40, launchCycles: 2000,
        activePowerWatts: 0.67,
        device: DeviceResources(part: "xc7z020clg400-1", dsp: 220, bram36: 140, luts: 53_200))

    /// The RTL as built (`hardware/rtl`) on the same board: the same array and tiles, but no double
    /// buffering, one 32-bit AXI4 port behind a 256-line read cache, passes of four output
    /// blocks, sequential element-wise engines (see hardware/README.md, "What the RTL covers").
    /// The read latency is the harness's default (`agc-rtl-sim --read-latency 24`). Active power
    /// 0.40 W from its switching activity over a rebuilt frame (`hardware/power.sh`).
    public static let rtlAsBuilt: HardwareConfig = {
        var c = HardwareConfig.pynqZ1
        c.name = "pynq-z1-rtl"
        c.ddrBytesPerSecond = 4 * c.clockMHz * 1e6
        c.activePowerWatts = 0.40
        c.rtl = RTLMicroarchitecture(passBlocks: 4, cacheLineBytes: 64, cacheLines: 256, readLatencyCycles: 24, divisionCycles: 67,
                                     descriptorCycles: 80)
        return c
    }()

    /// Board power while the accelerator runs: idle plus what the accelerator adds.
    public var boardPowerWatts: Double { idlePowerWatts + activePowerWatts }

    /// DDR bytes per PL clock cycle.
    public var bytesPerCycle: Double { ddrBytesPerSecond / (clockMHz * 1e6) }
}

/// What `CycleModel` needs to know of the RTL as built (`hardware/rtl`): the parameters of
/// agc_top that set its cycle counts beyond the array and tile sizes.
public struct RTLMicroarchitecture: Codable, Sendable {
    /// Output-channel blocks of `tm` that share one input tile (agc_conv's PASS_BLOCKS).
    public var passBlocks: Int
    /// Bytes of one read-cache line (one 16-beat burst of the 32-bit port).
    public var cacheLineBytes: Int
    /// Lines of the direct-mapped read cache (agc_mem's LINES).
    public var cacheLines: Int
    /// Cycles from a read burst's address to its first beat.
    public var readLatencyCycles: Int
    /// Cycles of one rounded division by a divisor that is not a power of two, from the engine's
    /// divide state to its next state (agc_divider: one step per numerator bit, 65, plus start
    /// and done).
    public var divisionCycles: Int
    /// The controller's cycles per descriptor besides its engine and the descriptor line's miss:
    /// 17 word reads, decode, the checks (about 15 steps, range checks four cycles each), start.
    public var descriptorCycles: Int

    /// Cycles one read miss stalls its engine: detect, drain the writes (assumed empty), the
    /// address, the latency, sixteen beats, and the hit after the fill.
    public var missCycles: Int { readLatencyCycles + 18 }
}
