/// The modelled cost of one instruction on a `HardwareConfig`.
public struct InstructionCost: Codable, Sendable {
    public var index: Int
    public var opcode: String
    public var engine: String
    public var macs: Int
    /// Cycles the engine computes, DDR bytes read and written, cycles the transfers take alone.
    public var computeCycles: Int
    public var bytesRead: Int
    public var bytesWritten: Int
    public var transferCycles: Int
    /// Cycles with double buffering: transfers of the next tile overlap the current tile's work.
    public var cycles: Int

    enum CodingKeys: String, CodingKey {
        case index, opcode, engine, macs, cycles
        case computeCycles = "compute_cycles", bytesRead = "bytes_read", bytesWritten = "bytes_written"
        case transferCycles = "transfer_cycles"
    }
}

/// Cycles per instruction from the tiling, the engines' widths and DDR bandwidth. Every engine
/// double-buffers: while it works on one tile (or channel plane), the DMA brings the next and
/// drains the previous, so a step costs the larger of its compute and its transfers, plus the
/// first load and the last store that nothing hides. A configuration with `rtl` set (the RTL as
/// built, `HardwareConfig.rtlAsBuilt`) is counted by `RTLCycleModel` instead.
public struct CycleModel: Sendable {
    public let config: HardwareConfig

    public init(config: HardwareConfig) {
        self.config = config
    }

    /// Cycles of a DMA transfer of `bytes` (one burst sequence).
    func transfer(_ bytes: Double) -> Double {
        bytes <= 0 ? 0 : Double(config.dmaSetupCycles) + bytes / config.bytesPerCycle
    }

    public func cost(of i: Instruction, index: Int) -> InstructionCost {
        if let rtl = config.rtl { return RTLCycleModel(config: config, rtl: rtl).cost(of: i, index: index) }
        let cin = Int(i.inChannels), cout = Int(i.outChannels), h = Int(i.height), w = Int(i.width)
        let (oh, ow) = i.outputSize
        var compute = 0.0, read = 0.0, written = 0.0, cycles = 0.0
        func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
        switch i.opcode {
        case .convolution:
            let up = i.flags.contains(.upsampleInput) ? 2 : 1, pool = i.flags.contains(.poolOutput)
            let ch = h * up, cw = w * up, k = Int(i.factor)
            let rowTiles = ceilDiv(ch, config.tileRows), columnTiles = ceilDiv(cw, config.tileColumns)
            let tileH = Double(ch) / Double(rowTiles), tileW = Double(cw) / Double(columnTiles)
            let outBlocks = ceilDiv(cout, config.tm), inBlocks = ceilDiv(cin, config.tn)
            let tiles = Double(rowTiles * columnTiles * outBlocks)
            // One step: one input-channel block of one output tile, all taps, tm x tn MACs a cycle.
            let stepCompute = tileH * tileW * Double(k * k)
            let tn = Double(min(cin, config.tn)), tm = Double(min(cout, config.tm))
            let stepIn = (tileH / Double(up) + Double(k - 1)) * (tileW / Double(up) + Double(k - 1)) * tn + tm * tn * Double(k * k)
            let tileOut = tm * tileH * tileW / (pool ? 4 : 1)
            let tileResidual = i.flags.contains(.residual) ? tm * tileH * tileW : 0
            let tileParams = tm * 4 * (i.flags.contains(.residual) ? 4 : 3)   // bias, requantization (+ residual)
            let tileTime = Double(inBlocks) * max(stepCompute, transfer(stepIn)) + transfer(tileResidual + tileParams)
            compute = tiles * Double(inBlocks) * stepCompute
            read = tiles * (Double(inBlocks) * stepIn + tileResidual + tileParams)
            written = tiles * tileOut
            cycles = transfer(stepIn) + tiles * max(tileTime, transfer(tileOut)) + transfer(tileOut)
        case .gridShift, .gridFlow:
            // One input plane per lane, held whole; flow (and mask) streamed once per lane group.
            let groups = Double(ceilDiv(cout, config.gridLanes))
            let samples = Double(cout * oh * ow)
            let plane = Double(h * w)
            let perGroupFlow = i.opcode == .gridFlow ? Double(8 * oh * ow + (i.flags.contains(.mask) ? oh * ow : 0)) : 0
            let inputPlanes = Double(i.opcode == .gridShift ? cin : cout)
            compute = samples / Double(config.gridLanes)
            read = inputPlanes * plane + groups * perGroupFlow
            written = samples
            let groupTime = max(compute / groups, transfer((read + written) / groups))
            cycles = transfer(Double(config.gridLanes) * plane) + groups * groupTime
        case .upsampleFlow:
            let samples = Double(2 * oh * ow)
            compute = samples / Double(config.upsampleLanes)
            read = Double(8 * h * w)
            written = 4 * samples
            cycles = max(compute, transfer(read) + transfer(written)) + Double(config.dmaSetupCycles)
        case .keypoints, .averagePool, .softmaxFlow, .lookup:
            let values: Double
            switch i.opcode {
            case .keypoints:
                values = Double(cout * h * w)
                read = Double(16 * Int(i.keypointCount) + 4 * 513)
                written = values + Double(8 * cout)
            case .softmaxFlow:
                values = Double(cin * h * w) + Double(h * w)   // exponentials, then one division a pixel
                read = Double(cin * h * w) + 1024
                written = Double(8 * h * w)
            case .averagePool:
                values = Double(cin * h * w)
                read = values
                written = Double(cin * oh * ow)
            default:
                values = Double(cin * h * w)
                read = values + 1024
                written = values
            }
            compute = values / Double(config.elementwiseLanes)
            cycles = max(compute, transfer(read) + transfer(written)) + Double(config.dmaSetupCycles)
        }
        return InstructionCost(index: index, opcode: "\(i.opcode)", engine: i.opcode.engine.rawValue, macs: i.macs,
                               computeCycles: Int(compute.rounded()), bytesRead: Int(read.rounded()),
                               bytesWritten: Int(written.rounded()),
                               transferCycles: Int((transfer(read) + transfer(written)).rounded()),
                               cycles: Int(cycles.rounded(.up)))
    }
}
