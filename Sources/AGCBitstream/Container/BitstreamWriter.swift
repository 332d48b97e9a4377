import Foundation

/// Writes an AGC stream unit by unit: the file header and sequence header at creation, then key
/// frames, keypoint runs, audio and hashes in stream order, then `finish()` adds the index, the
/// end-of-stream unit and the trailer.
///
/// Bytes go to `sink` as they are produced (e.g. `FileHandle.write(contentsOf:)`), or, without
/// a sink, accumulate in `data`. Every payload is checked against the format's limits by parsing
/// it back before it is written, so the writer never produces what the reader refuses.
public final class BitstreamWriter {
    /// The header written at creation.
    public let header: SequenceHeader
    /// Bytes written so far: the offset of the next unit.
    public private(set) var bytesWritten = 0
    /// Everything written, when the writer was made without a sink.
    public private(set) var data = Data()
    /// Whether `finish()` has run.
    public private(set) var isFinished = false

    private let sink: ((Data) throws -> Void)?
    private var keyFrames: [StreamIndex.Entry] = []
    private var predictedKeyFrames: [StreamIndex.Entry] = []
    private var keypointRuns: [StreamIndex.Entry] = []
    private var framesSeen = 0

    /// Starts a stream: writes the magic, the version and the sequence header unit.
    public init(header: SequenceHeader, version: FormatVersion = .current,
                sink: ((Data) throws -> Void)? = nil) throws {
        self.header = header
        self.sink = sink
        try emit(FormatVersion.magic + [version.major, version.minor])
        try writePayload(header)
    }

    /// Writes a key picture unit (a random-access key frame, or a predicted one, which needs a
    /// random-access one before it, as 0x86 when it carries its run); frame numbers must
    /// increase. Returns the unit's offset.
    @discardableResult
    public func write(_ keyFrame: KeyFrame) throws -> Int {
        if let last = [keyFrames.last, predictedKeyFrames.last].compactMap({ $0?.frame }).max(),
           keyFrame.frameNumber <= last {
            throw BitstreamError.invalidArgument(
                "key frame \(keyFrame.frameNumber) does not follow key frame \(last)")
        }
        if let run = keyFrame.run {
            guard !keyFrame.isRandomAccess else {
                throw BitstreamError.invalidArgument("random-access key frame \(keyFrame.frameNumber) with a run: it must decode on its own")
            }
            guard run.firstFrame == keyFrame.frameNumber + 1 else {
                throw BitstreamError.invalidArgument("the run of key frame \(keyFrame.frameNumber) starts at frame \(run.firstFrame)")
            }
        }
        if keyFrame.isRandomAccess {
            let offset = try writePayload(keyFrame)
            keyFrames.append(StreamIndex.Entry(frame: keyFrame.frameNumber, offset: offset))
            framesSeen = max(framesSeen, keyFrame.frameNumber + 1)
            return offset
        }
        guard !keyFrames.isEmpty else {
            throw BitstreamError.invalidArgument("predicted key frame \(keyFrame.frameNumber) before any random-access key frame")
        }
        let offset = keyFrame.run != nil ? try writePayload(KeyFrameWithRun(keyFrame)) : try writePayload(PredictedKeyFrame(keyFrame))
        predictedKeyFrames.append(StreamIndex.Entry(frame: keyFrame.frameNumber, offset: offset))
        framesSeen = max(framesSeen, keyFrame.endFrame)
        return offset
    }

    /// Writes a keypoint run unit; first frames must not decrease. Returns the unit's offset.
    @discardableResult
    public func write(_ run: KeypointRun) throws -> Int {
        if let last = keypointRuns.last, run.firstFrame < last.frame {
            throw BitstreamError.invalidArgument(
                "keypoint run at frame \(run.firstFrame) precedes one at \(last.frame)")
        }
        let offset = run.codesReferences ? try writePayload(ReferencedKeypointRun(run)) : try writePayload(run)
        keypointRuns.append(StreamIndex.Entry(frame: run.firstFrame, offset: offset))
        framesSeen = max(framesSeen, run.firstFrame + run.frameCount)
        return offset
    }

    /// Writes a camera-motion unit (format 1.4), before the unit carrying its frames' keypoints.
    @discardableResult
    public func write(_ camera: CameraRun) throws -> Int { try writePayload(camera) }

    /// Writes the audio parameters (once, before any audio packets).
    @discardableResult
    public func write(_ config: AudioConfig) throws -> Int { try writePayload(config) }

    /// Writes a group of audio packets as one unit (e.g. a second's worth), with chained
    /// timestamps (0x09, format 1.3) unless `chained` is false (0x05).
    @discardableResult
    public func write(_ packets: [AudioPacket], chained: Bool = true) throws -> Int {
        chained ? try writePayload(ChainedAudioPacketGroup(packets: packets)) : try writePayload(AudioPacketGroup(packets: packets))
    }

    /// Writes a picture-hash unit.
    @discardableResult
    public func write(_ hashes: PictureHashes) throws -> Int { try writePayload(hashes) }

    /// Writes a unit of a type this version does not define (for extensions and tests); known
    /// types must go through the typed functions.
    @discardableResult
    public func writeUnit(rawType: UInt8, payload: [UInt8]) throws -> Int {
        guard UnitType(rawValue: rawType) == nil else {
            throw BitstreamError.invalidArgument("unit type \(rawType) is a known type; use its typed writer")
        }
        guard payload.count <= FormatLimits.maxPayloadLength else {
            throw BitstreamError.invalidArgument("payload of \(payload.count) bytes is over the limit")
        }
        return try writeUnitBytes(type: rawType, payload: payload)
    }

    /// Ends the stream: index unit (with `frameCount`, by default the header's or, when that is 0,
    /// one past the last frame written), end-of-stream unit, trailer.
    public func finish(frameCount: Int? = nil) throws {
        let count = frameCount ?? (header.frameCount > 0 ? header.frameCount : framesSeen)
        let index = StreamIndex(frameCount: count, keyFrames: keyFrames, keypointRuns: keypointRuns,
                                predictedKeyFrames: predictedKeyFrames)
        let indexOffset = try writePayload(index)
        try writePayload(EndOfStream())
        try emit(Trailer.encode(indexOffset: indexOffset))
        isFinished = true
    }

    @discardableResult
    private func writePayload<Payload: UnitPayload>(_ payload: Payload) throws -> Int {
        var writer = ByteWriter()
        payload.encode(into: &writer)
        var reader = ByteReader(writer.bytes)
        let name = Payload.unitType.name
        do {
            guard try Payload(from: &reader) == payload else {
                throw BitstreamError.invalidArgument(
                    "the \(name) cannot be represented: a value is negative, of the wrong size or not allowed")
            }
        } catch let error as PayloadError {
            throw BitstreamError.invalidArgument("the \(name) is outside the format's limits: \(error.reason)")
        }
        return try writeUnitBytes(type: Payload.unitType.rawValue, payload: writer.bytes)
    }

    private func writeUnitBytes(type: UInt8, payload: [UInt8]) throws -> Int {
        guard !isFinished else { throw BitstreamError.invalidArgument("the stream is already finished") }
        let offset = bytesWritten
        try emit(UnitFraming.encode(type: type, payload: payload))
        return offset
    }

    private func emit(_ bytes: [UInt8]) throws {
        if let sink {
            try sink(Data(bytes))
        } else {
            data.append(contentsOf: bytes)
        }
        bytesWritten += bytes.count
    }
}
