/// The resources each part of the accelerator needs on the FPGA, estimated from the
/// configuration (DSP48 slices and BRAM36 blocks by construction, LUTs from per-unit estimates).
public struct ResourceModel: Sendable {
    public struct Part: Codable, Sendable {
        public var name: String
        public var dsp: Int
        public var bram36: Int
        public var luts: Int
    }

    public let config: HardwareConfig

    public init(config: HardwareConfig) {
        self.config = config
    }

    /// BRAM36 blocks (4,608 bytes each) for `bytes` of buffer.
    static func brams(_ bytes: Int) -> Int { (bytes + 4607) / 4608 }

    public var parts: [Part] {
        let c = config
        let tileIn = (c.tileRows + 2) * (c.tileColumns + 2) * c.tn
        let accumulators = c.tm * c.tileRows * c.tileColumns * 4
        let tileOut = c.tm * c.tileRows * c.tileColumns
        let weights = c.tm * c.tn * 9
        // Requantization and residual rescaling: four 32x32 multipliers (4 DSP48E1 each) apiece,
        // enough for tm outputs every 9 cycles or more.
        return [
            Part(name: "convolution MAC array \(c.tm)x\(c.tn)", dsp: c.tm * c.tn / c.macsPerDSP, bram36: 0,
                 luts: 40 * c.tm * c.tn / c.macsPerDSP),
            Part(name: "convolution buffers (input x2, weights x2, accumulators, output x2)", dsp: 0,
                 bram36: 2 * Self.brams(tileIn) + 2 * Self.brams(weights) + Self.brams(accumulators) + 2 * Self.brams(tileOut),
                 luts: 1500),
            Part(name: "requantization and residual (8 x 32x32 multipliers)", dsp: 32, bram36: 0, luts: 2400),
            Part(name: "grid-sample engine (\(c.gridLanes) lanes, one 256x256 plane each, x2)",
                 dsp: c.gridLanes * 5, bram36: 2 * c.gridLanes * Self.brams(256 * 256), luts: 1800 * c.gridLanes),
            Part(name: "upsample engine (\(c.upsampleLanes) lanes, 2 line buffers)", dsp: 0,
                 bram36: 2 * Self.brams(2 * 64 * 4), luts: 1200 * c.upsampleLanes),
            Part(name: "element-wise and pooling engine (\(c.elementwiseLanes) lanes, tables)",
                 dsp: 4 * c.elementwiseLanes, bram36: 2, luts: 1000 * c.elementwiseLanes),
            Part(name: "descriptor fetch, control, AXI-Lite registers", dsp: 0, bram36: 1, luts: 2500),
            Part(name: "DMA and AXI interconnect (HP port)", dsp: 0, bram36: 4, luts: 7000),
        ]
    }

    public var total: Part {
        Part(name: "total", dsp: parts.reduce(0) { $0 + $1.dsp }, bram36: parts.reduce(0) { $0 + $1.bram36 },
             luts: parts.reduce(0) { $0 + $1.luts })
    }

    public var fits: Bool {
        let t = total, d = config.device
        return t.dsp <= d.dsp && t.bram36 <= d.bram36 && t.luts <= d.luts
    }
}
