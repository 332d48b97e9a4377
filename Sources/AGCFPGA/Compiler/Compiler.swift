import AGCKernels

/// Compiles the quantized graph into descriptors and a DDR layout: constants first (weights,
/// corrected biases, requantization pairs, zero-point tables, lookup tables), then the host's
/// inputs and output, then one region per activation, a concatenation's parts placed inside it
/// so that concatenation costs nothing. Operations that read only the key frame form the key
/// stream (run once per key frame); the rest form the frame stream.
public enum Compiler {
    /// Keypoint units the element-wise engine works in (1/256 of the half-frame).
    public static let keypointUnits = 256
    static let alignment = 64

    public static func compile(_ model: QuantizedModel) throws -> Program {
        var builder = try Builder(model: model)
        return try builder.build()
    }

    struct Builder {
        let model: QuantizedModel
        let graph: QuantizedGraph
        var image: [UInt8] = []
        var regions: [Program.Region] = []
        var address: [String: Int] = [:]
        var zeroPointTables: [String: Int] = [:]

        init(model: QuantizedModel) throws {
            self.model = model
            graph = model.graph
            guard graph.units.keypoint == Compiler.keypointUnits, graph.units.flowOne == 1 << 16 else {
                throw AcceleratorError.device("compiler", "the graph's fixed-point units are not the accelerator's")
            }
        }

        func info(_ name: String) -> QuantizedGraph.TensorInfo { graph.tensors[name]! }

        func bytes(of name: String) -> Int {
            let t = info(name)
            let elements = t.channels * t.height * t.width
            switch t.type {
            case "flow": return 2 * 4 * t.height * t.width
            case "shift": return 2 * 4 * t.channels
            default: return elements
            }
        }

        mutating func allocate(_ name: String, bytes: Int, kind: String) -> Int {
            let at = (image.count + Compiler.alignment - 1) / Compiler.alignment * Compiler.alignment
            image.append(contentsOf: [UInt8](repeating: 0, count: at - image.count + bytes))
            regions.append(Program.Region(name: name, address: at, bytes: bytes, kind: kind))
            return at
        }

        mutating func constant(_ name: String, _ values: [Int32]) -> UInt32 {
            let at = allocate(name, bytes: 4 * values.count, kind: "constant")
            for (i, v) in values.enumerated() { store(v, at: at + 4 * i) }
            return UInt32(at)
        }

        mutating func constant(_ name: String, bytes values: [UInt8]) -> UInt32 {
            let at = allocate(name, bytes: values.count, kind: "constant")
            image.replaceSubrange(at..<(at + values.count), with: values)
            return UInt32(at)
        }

        mutating func store(_ v: Int32, at offset: Int) {
            let u = UInt32(bitPattern: v)
            for b in 0..<4 { image[offset + b] = UInt8(truncatingIfNeeded: u >> (8 * b)) }
        }

        /// Per-channel zero points of a map (a concatenation's parts in order).
        func zeroPoints(_ name: String) -> [Int32] {
            let t = info(name)
            if let parts = t.parts { return parts.flatMap(zeroPoints) }
            return [Int32](repeating: Int32(t.zeroPoint ?? 0), count: t.channels)
        }

        mutating func zeroPointTable(_ name: String) -> UInt32 {
            if let at = zeroPointTables[name] { return UInt32(at) }
            let at = Int(constant("\(name).zero_points", zeroPoints(name)))
            zeroPointTables[name] = at
            return UInt32(at)
        }

        func addr(_ name: String) -> UInt32 { UInt32(address[name]!) }

        /// The tensors a map is made of: itself, or its concatenation's parts, recursively.
        func leaves(_ name: String) -> [String] {
            guard let parts = info(name).parts else { return [name] }
            return parts.flatMap(leaves)
        }

        /// Gives every tensor an address: concatenation parts inside their concatenation.
        mutating func placeActivations(io: Set<String>) {
            var parent: [String: (String, Int)] = [:]
            for (name, t) in graph.tensors {
                var offset = 0
                for part in t.parts ?? [] {
                    parent[part] = (name, offset)
                    offset += bytes(of: part)
                }
            }
            for name in graph.tensors.keys.sorted() where parent[name] == nil && address[name] == nil {
                address[name] = allocate(name, bytes: bytes(of: name), kind: io.contains(name) ? "io" : "activation")
            }
            func resolve(_ name: String) -> Int {
                if let a = address[name] { return a }
                let (p, offset) = parent[name]!
                let a = resolve(p) + offset
                address[name] = a
                return a
            }
            for name in graph.tensors.keys { _ = resolve(name) }
        }

        mutating func build() throws -> Program {
            let ops = graph.ops
            let k = graph.config.numKp, size = graph.config.size
            // Which operations depend on the keypoints: the frame stream; the rest: key stream.
            var perFrame: Set<String> = []
            var frameOps: [Bool] = []
            for op in ops {
                let depends: Bool
                if case .keypoints = op { depends = true } else { depends = op.inputs.flatMap(leaves).contains { perFrame.contains($0) } }
                if depends { perFrame.formUnion(op.outputs) }
                frameOps.append(depends)
            }
            let ordered = ops.indices.filter { !frameOps[$0] } + ops.indices.filter { frameOps[$0] }
            // Descriptors first (filled in at the end), then constants, io, activations.
            let descriptorBytes = ops.count * Instruction.byteCount
            image = [UInt8](repeating: 0, count: descriptorBytes)
            regions.append(Program.Region(name: "descriptors", address: 0, bytes: descriptorBytes, kind: "constant"))
            var instructions: [Instruction] = []
            var pending: [(GraphOp, Int)] = []
            for index in ordered { pending.append((ops[index], index)) }
            // Constants.
            var constants: [Int: [String: UInt32]] = [:]
            for (op, index) in pending {
                var c: [String: UInt32] = [:]
                switch op {
                case let .convolution(conv):
                    let layer = model.convolutions[conv.layer]!
                    guard layer.kernelSize == 3 else {
                        throw AcceleratorError.device("compiler", "\(conv.layer): the convolution engine runs 3x3 kernels only")
                    }
                    c["weights"] = constant("\(conv.layer).weight", bytes: layer.weights.map { UInt8(bitPattern: $0) })
                    c["bias"] = constant("\(conv.layer).bias", layer.correctedBias(inputZeroPoints: zeroPoints(conv.input)))
                    let rq = layer.requantization
                    c["requant"] = constant("\(conv.layer).requantization", zip(rq.multiplier, rq.shift).flatMap { [$0, $1] })
                    c["zp"] = zeroPointTable(conv.input)
                    if let add = layer.residual, let r = conv.residual {
                        c["aux2"] = constant("\(conv.layer).residual", zip(add.multiplier, add.shift).flatMap { [$0, $1] })
                        c["aux3"] = zeroPointTable(r)
                    }
                case let .keypoints(_, _, table, _, _), let .softmaxFlow(_, _, _, table), let .lookup(_, _, table):
                    c["table"] = constant(table, model.tables[table]!)
                case let .gridShift(input, _, _), let .gridFlow(input, _, _, _):
                    c["zp"] = zeroPointTable(input)
                default: break
                }
                constants[index] = c
            }
            // Host inputs and outputs, then activations.
            address["source"] = allocate("source", bytes: bytes(of: "source"), kind: "io")
            let keypoints = allocate("keypoints", bytes: 4 * 4 * k, kind: "io")
            placeActivations(io: ["output"])
            for (op, index) in pending {
                instructions.append(try lower(op, constants: constants[index]!, keypoints: keypoints))
            }
            image.withUnsafeMutableBytes { memory in
                for (i, instruction) in instructions.enumerated() { instruction.store(to: memory, at: i * Instruction.byteCount) }
            }
            let keyCount = ordered.filter { !frameOps[$0] }.count
            let memorySize = regions.map { $0.address + $0.bytes }.max()!
            let constantEnd = regions.filter { $0.kind == "constant" }.map { $0.address + $0.bytes }.max()!
            return Program(image: Array(image[0..<constantEnd]), memorySize: memorySize,
                           keyStream: 0..<keyCount, frameStream: keyCount..<instructions.count,
                           instructions: instructions, sourceAddress: address["source"]!, keypointsAddress: keypoints,
                           outputAddress: address["output"]!, keypointCount: k, size: size, regions: regions,
                           modelIdentifier: model.identifier,
                           tensors: Dictionary(uniqueKeysWithValues: graph.tensors.keys.map {
                               ($0, Program.Region(name: $0, address: address[$0]!, bytes: bytes(of: $0), kind: "activation"))
                           }))
        }

        func lower(_ op: GraphOp, constants c: [String: UInt32], keypoints: Int) throws -> Instruction {
            switch op {
            case let .keypoints(heat, shifts, _, multiplier, shift):
                let h = info(heat)
                var i = Instruction(opcode: .keypoints)
                i.outChannels = UInt16(h.channels)
                (i.height, i.width) = (UInt16(h.height), UInt16(h.width))
                i.weights = c["table"]!
                i.output = addr(heat)
                i.bias = addr(shifts)
                i.aux = UInt32(keypoints)
                i.keypointCount = UInt8(graph.config.numKp)
                i.outputZeroPoint = UInt8(h.zeroPoint ?? 0)
                (i.multiplier, i.shift) = (multiplier, shift)
                return i
            case let .averagePool(input, output, factor):
                let t = info(input)
                var i = Instruction(opcode: .averagePool)
                (i.inChannels, i.outChannels) = (UInt16(t.channels), UInt16(t.channels))
                (i.height, i.width) = (UInt16(t.height), UInt16(t.width))
                i.factor = UInt8(factor)
                (i.input, i.output) = (addr(input), addr(output))
                return i
            case let .gridShift(input, shifts, output):
                let t = info(input)
                var i = Instruction(opcode: .gridShift)
                i.inChannels = UInt16(t.channels)
                i.outChannels = UInt16(info(output).channels)
                i.keypointCount = UInt8(info(shifts).channels)
                (i.height, i.width) = (UInt16(t.height), UInt16(t.width))
                (i.input, i.output, i.bias, i.zeroPoints) = (addr(input), addr(output), addr(shifts), c["zp"]!)
                return i
            case let .convolution(conv):
                let layer = model.convolutions[conv.layer]!
                let t = info(conv.input), out = info(conv.output)
                var i = Instruction(opcode: .convolution)
                i.factor = UInt8(layer.kernelSize)
                (i.inChannels, i.outChannels) = (UInt16(t.channels), UInt16(out.channels))
                (i.height, i.width) = (UInt16(t.height), UInt16(t.width))
                (i.input, i.output) = (addr(conv.input), addr(conv.output))
                (i.weights, i.bias, i.requantization, i.zeroPoints) = (c["weights"]!, c["bias"]!, c["requant"]!, c["zp"]!)
                if conv.upsampleInput { i.flags.insert(.upsampleInput) }
                if conv.poolOutput { i.flags.insert(.poolOutput) }
                if let r = conv.residual {
                    i.flags.insert(.residual)
                    (i.aux, i.aux2, i.aux3) = (addr(r), c["aux2"]!, c["aux3"]!)
                }
                let rq = layer.requantization
                (i.outputZeroPoint, i.clampMin, i.clampMax) = (UInt8(rq.outputZeroPoint), UInt8(rq.minimum), UInt8(rq.maximum))
                return i
            case let .softmaxFlow(input, shifts, output, _):
                let t = info(input)
                var i = Instruction(opcode: .softmaxFlow)
                i.inChannels = UInt16(t.channels)
                i.outChannels = 2
                (i.height, i.width) = (UInt16(t.height), UInt16(t.width))
                (i.input, i.output, i.weights, i.bias) = (addr(input), addr(output), c["table"]!, addr(shifts))
                return i
            case let .lookup(input, output, _):
                let t = info(input)
                var i = Instruction(opcode: .lookup)
                (i.inChannels, i.outChannels) = (UInt16(t.channels), UInt16(t.channels))
                (i.height, i.width) = (UInt16(t.height), UInt16(t.width))
                (i.input, i.output, i.weights) = (addr(input), addr(output), c["table"]!)
                return i
            case let .upsampleFlow(input, output, factor):
                let t = info(input)
                var i = Instruction(opcode: .upsampleFlow)
                (i.inChannels, i.outChannels) = (2, 2)
                (i.height, i.width) = (UInt16(t.height), UInt16(t.width))
                i.factor = UInt8(factor)
                (i.input, i.output) = (addr(input), addr(output))
                return i
            case let .gridFlow(input, flow, output, mask):
                let t = info(input)
                guard info(flow).height == t.height else {
                    throw AcceleratorError.device("compiler", "\(output): the flow must have the sampled map's size")
                }
                var i = Instruction(opcode: .gridFlow)
                (i.inChannels, i.outChannels) = (UInt16(t.channels), UInt16(t.channels))
                (i.height, i.width) = (UInt16(t.height), UInt16(t.width))
                (i.input, i.output, i.aux, i.zeroPoints) = (addr(input), addr(output), addr(flow), c["zp"]!)
                if let mask {
                    i.flags.insert(.mask)
                    i.aux2 = addr(mask)
                }
                return i
            }
        }
    }
}
