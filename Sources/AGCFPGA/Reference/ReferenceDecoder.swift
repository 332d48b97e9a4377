import AGCKernels

/// The quantized network run operation by operation on whole tensors with the plain scalar
/// kernels: the definition the emulator (and the accelerator) must match bit for bit.
public struct ReferenceDecoder: Sendable {
    public let model: QuantizedModel

    public init(model: QuantizedModel) {
        self.model = model
    }

    /// The frame (3 planes, `size` x `size`, bytes) rebuilt from the key frame (same layout) and
    /// the key frame's and the frame's keypoints (integer units).
    public func decode(source: [UInt8], keypointsSource: [SIMD2<Int32>], keypointsDriving: [SIMD2<Int32>]) -> [UInt8] {
        trace(source: source, keypointsSource: keypointsSource, keypointsDriving: keypointsDriving).maps["output"]!.data
    }

    /// Every tensor the network computes: 8-bit maps, and flows and shift tables (INT32).
    public struct Trace {
        public var maps: [String: QTensor]
        public var fields: [String: [Int32]]
    }

    /// `decode`, keeping every intermediate tensor (to find where two implementations part).
    public func trace(source: [UInt8], keypointsSource: [SIMD2<Int32>], keypointsDriving: [SIMD2<Int32>]) -> Trace {
        let graph = model.graph
        var maps: [String: QTensor] = [:]
        var fields: [String: [Int32]] = [:]
        func info(_ name: String) -> QuantizedGraph.TensorInfo { graph.tensors[name]! }
        func map(_ name: String) -> QTensor {
            if let parts = info(name).parts { return QTensor.concatenate(parts.map(map)) }
            return maps[name]!
        }
        func zeroPoint(_ name: String) -> Int32 { Int32(info(name).zeroPoint ?? 0) }
        let s = info("source")
        maps["source"] = QTensor(channels: s.channels, height: s.height, width: s.width, zeroPoint: zeroPoint("source"), data: source)

        for op in graph.ops {
            switch op {
            case let .keypoints(heat, shifts, table, multiplier, shift):
                let h = info(heat)
                var heatData = [UInt8](repeating: 0, count: h.channels * h.height * h.width)
                var shiftData = [Int32](repeating: 0, count: 2 * h.channels)
                let t = model.tables[table]!
                t.withUnsafeBufferPointer { tb in
                    ElementwiseArithmetic.keypointHeat(
                        source: keypointsSource, driving: keypointsDriving, units: graph.units.keypoint, size: h.height,
                        table: tb.baseAddress!, tableCount: tb.count, multiplier: multiplier, shift: shift,
                        zeroPoint: zeroPoint(heat), heat: &heatData, shifts: &shiftData)
                }
                maps[heat] = QTensor(channels: h.channels, height: h.height, width: h.width, zeroPoint: zeroPoint(heat), data: heatData)
                fields[shifts] = shiftData
            case let .averagePool(input, output, factor):
                maps[output] = map(input).averagePooled(factor)
            case let .gridShift(input, shifts, output):
                let x = map(input), table = fields[shifts]!
                let parts = (0..<(table.count / 2)).map { k in
                    let positions = QuantizedGridSample.positions(shiftX: table[2 * k], shiftY: table[2 * k + 1],
                                                                  height: x.height, width: x.width)
                    return QuantizedGridSample.reference(x, positions: positions, height: x.height, width: x.width)
                }
                maps[output] = QTensor.concatenate(parts)
            case let .convolution(c):
                let conv = model.convolutions[c.layer]!
                maps[c.output] = conv.reference(map(c.input), residual: c.residual.map(map))
            case let .softmaxFlow(input, shifts, output, table):
                let x = map(input)
                var flow = [Int32](repeating: 0, count: 2 * x.planeSize)
                x.data.withUnsafeBufferPointer { logits in
                    model.tables[table]!.withUnsafeBufferPointer { t in
                        fields[shifts]!.withUnsafeBufferPointer { sh in
                            ElementwiseArithmetic.softmaxFlow(logits: logits.baseAddress!, channels: x.channels, count: x.planeSize,
                                                              table: t.baseAddress!, shifts: sh.baseAddress!, flow: &flow)
                        }
                    }
                }
                fields[output] = flow
            case let .lookup(input, output, table):
                let x = map(input)
                var out = [UInt8](repeating: 0, count: x.data.count)
                x.data.withUnsafeBufferPointer { src in
                    model.tables[table]!.withUnsafeBufferPointer { t in
                        ElementwiseArithmetic.lookup(input: src.baseAddress!, count: src.count, table: t.baseAddress!, output: &out)
                    }
                }
                maps[output] = QTensor(channels: x.channels, height: x.height, width: x.width, zeroPoint: zeroPoint(output), data: out)
            case let .upsampleFlow(input, output, factor):
                let i = info(input)
                var out = [Int32](repeating: 0, count: 2 * i.height * i.width * factor * factor)
                fields[input]!.withUnsafeBufferPointer { src in
                    ElementwiseArithmetic.upsampleFlow(input: src.baseAddress!, height: i.height, width: i.width, factor: factor, output: &out)
                }
                fields[output] = out
            case let .gridFlow(input, flow, output, mask):
                let x = map(input)
                let positions = fields[flow]!.withUnsafeBufferPointer {
                    QuantizedGridSample.positions(flow: $0.baseAddress!, height: x.height, width: x.width)
                }
                maps[output] = QuantizedGridSample.reference(x, positions: positions, height: x.height, width: x.width,
                                                             mask: mask.map { map($0).data })
            }
        }
        return Trace(maps: maps, fields: fields)
    }
}
