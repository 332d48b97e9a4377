import AGCBitstream
import AGCMedia

/// Writes the audio packets (the input's own, or transcoded) into the stream, interleaved with
/// the video: packets up to the time of the frames coded so far, in groups (one unit per call).
final class AudioCarrier {
    private let reader: AudioPacketSource
    private let writer: BitstreamWriter
    private let timeBase: Double
    private var pending: AGCMedia.AudioPacket?
    private var finished = false
    /// Bytes of the stream's audio units so far (packets, their timestamps and unit framing).
    private(set) var payloadBytes = 0

    init(reader: AudioPacketSource, writer: BitstreamWriter) throws {
        self.reader = reader
        self.writer = writer
        let p = reader.parameters
        timeBase = p.timeBase.value
        let before = writer.bytesWritten
        try writer.write(AudioConfig(codecName: p.codecName, sampleRate: p.sampleRate, channels: p.channels,
                                     timeBase: AGCBitstream.Rational(Int(p.timeBase.num), Int(p.timeBase.den)),
                                     extradata: [UInt8](p.extradata)))
        payloadBytes = writer.bytesWritten - before
    }

    /// Writes every packet that starts before `seconds`.
    func write(until seconds: Double) throws {
        var batch: [AGCBitstream.AudioPacket] = []
        while !finished {
            if pending == nil { pending = try reader.nextPacket() }
            guard let packet = pending else { finished = true; break }
            guard Double(packet.pts) * timeBase < seconds else { break }
            batch.append(AGCBitstream.AudioPacket(pts: packet.pts, duration: packet.duration, data: [UInt8](packet.data)))
            pending = nil
            if batch.count == 256 { try flush(&batch) }
        }
        try flush(&batch)
    }

    private func flush(_ batch: inout [AGCBitstream.AudioPacket]) throws {
        guard !batch.isEmpty else { return }
        let before = writer.bytesWritten
        try writer.write(batch)
        payloadBytes += writer.bytesWritten - before
        batch.removeAll()
    }
}
