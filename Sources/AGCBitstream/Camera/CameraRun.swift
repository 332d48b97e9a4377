/// A camera-motion unit (0x87, format 1.4): the camera's map of each of `frameCount`
/// consecutive frames from `firstFrame`, range coded. It comes before the unit carrying those
/// frames' keypoints (a keypoint run, or a predicted key picture with its run), and only where
/// some frame of them has a camera that moves: frames without a unit have a still camera, so
/// every stream of formats 1.0-1.3 decodes as before.
public struct CameraRun: Hashable, Sendable {
    public var firstFrame: Int
    public var frameCount: Int
    /// The range-coded payload.
    public var codedData: [UInt8]

    public init(firstFrame: Int, frameCount: Int, codedData: [UInt8]) {
        self.firstFrame = firstFrame
        self.frameCount = frameCount
        self.codedData = codedData
    }

    /// Codes the maps of the frames from `firstFrame` on.
    public init(firstFrame: Int, maps: [CameraMap]) {
        var encoder = CameraRunEncoder()
        for map in maps { encoder.encode(map) }
        self.init(firstFrame: firstFrame, frameCount: maps.count, codedData: encoder.finish())
    }

    /// Decodes the maps of the unit's frames, checking each against the format's range and that
    /// the coded data end exactly after the last one.
    public func decode() throws -> [CameraMap] {
        var decoder = CameraRunDecoder(payload: codedData)
        let maps = try (0..<frameCount).map { i -> CameraMap in
            let map = decoder.decode()
            guard map.isWithinLimits else {
                throw BitstreamError.invalidArgument("camera map of frame \(firstFrame + i) is outside the format's range")
            }
            return map
        }
        guard decoder.finishedCleanly else {
            throw BitstreamError.invalidArgument("camera motion at frame \(firstFrame): the coded data do not end after frame \(firstFrame + frameCount - 1)")
        }
        return maps
    }
}

/// The adaptive contexts of a camera-motion unit, reset at the start of each unit: whether a
/// frame's camera moves, and one integer model per entry of its map, coded as the change from
/// the last moving frame's map in the unit (the identity before the first).
struct CameraRunContexts {
    var moves = AdaptiveBit()
    var entries = [AdaptiveIntegerModel](repeating: AdaptiveIntegerModel(), count: 6)
    var previous = CameraMap.identity
}

/// Writes the maps of a camera-motion unit, frame by frame.
public struct CameraRunEncoder: Sendable {
    private var coder = RangeEncoder()
    private var contexts = CameraRunContexts()
    /// Frames coded so far, and how many of them move.
    public private(set) var frameCount = 0
    public private(set) var movingFrames = 0

    public init() {}

    public mutating func encode(_ map: CameraMap) {
        frameCount += 1
        coder.encode(!map.isIdentity, &contexts.moves)
        guard !map.isIdentity else { return }
        movingFrames += 1
        for (i, (value, before)) in zip(map.entries, contexts.previous.entries).enumerated() {
            coder.encodeSigned(value &- before, &contexts.entries[i])
        }
        contexts.previous = map
    }

    /// About the bytes written so far (for rate estimates).
    public var approximateSize: Int { coder.approximateSize }

    public mutating func finish() -> [UInt8] { coder.finish() }
}

/// Reads the maps of a camera-motion unit.
struct CameraRunDecoder {
    private var coder: RangeDecoder
    private var contexts = CameraRunContexts()

    init(payload: [UInt8]) {
        coder = RangeDecoder(payload)
    }

    mutating func decode() -> CameraMap {
        guard coder.decode(&contexts.moves) else { return .identity }
        let entries = contexts.previous.entries.enumerated().map { i, before in
            // Wrapping: corrupt data give an out-of-range map, which `CameraRun.decode` refuses.
            before &+ coder.decodeSigned(&contexts.entries[i])
        }
        contexts.previous = CameraMap(entries: entries)
        return contexts.previous
    }

    var finishedCleanly: Bool { coder.finishedCleanly }
}

extension CameraRun: UnitPayload {
    static var unitType: UnitType { .cameraMotion }

    func encode(into writer: inout ByteWriter) {
        writer.varint(firstFrame)
        writer.varint(frameCount)
        writer.blob(codedData)
    }

    init(from reader: inout ByteReader) throws {
        let span = try reader.frameSpan(counts: 1...FormatLimits.maxRunFrames)
        self.init(firstFrame: span.first, frameCount: span.count, codedData: try reader.blob("coded data"))
    }
}
