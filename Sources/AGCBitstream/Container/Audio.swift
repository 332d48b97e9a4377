/// The audio stream's parameters, written once before its packets.
public struct AudioConfig: Hashable, Codable, Sendable {
    /// The codec's name as FFmpeg spells it, e.g. "aac" or "opus".
    public var codecName: String
    public var sampleRate: Int
    public var channels: Int
    /// The time base of packet timestamps and durations, in seconds.
    public var timeBase: Rational
    /// The codec's extradata (e.g. AAC's AudioSpecificConfig), opaque.
    public var extradata: [UInt8]

    public init(codecName: String, sampleRate: Int, channels: Int, timeBase: Rational, extradata: [UInt8]) {
        self.codecName = codecName
        self.sampleRate = sampleRate
        self.channels = channels
        self.timeBase = timeBase
        self.extradata = extradata
    }
}

/// One audio packet: opaque bytes with its timestamp and duration in the config's time base.
public struct AudioPacket: Hashable, Codable, Sendable {
    public var pts: Int64
    public var duration: Int64
    public var data: [UInt8]

    public init(pts: Int64, duration: Int64, data: [UInt8]) {
        self.pts = pts
        self.duration = duration
        self.data = data
    }
}

extension AudioConfig: UnitPayload {
    static var unitType: UnitType { .audioConfig }

    func encode(into writer: inout ByteWriter) {
        writer.string(codecName)
        writer.varint(sampleRate)
        writer.varint(channels)
        writer.varint(timeBase.numerator)
        writer.varint(timeBase.denominator)
        writer.blob(extradata)
    }

    init(from reader: inout ByteReader) throws {
        let maxTerm = FormatLimits.maxRationalTerm
        self.init(codecName: try reader.string("codec name", limit: FormatLimits.maxStringBytes),
                  sampleRate: try reader.varint("sample rate", in: 1...FormatLimits.maxSampleRate),
                  channels: try reader.varint("channel count", in: 1...FormatLimits.maxAudioChannels),
                  timeBase: Rational(try reader.varint("time base numerator", in: 1...maxTerm),
                                     try reader.varint("time base denominator", in: 1...maxTerm)),
                  extradata: try reader.blob("extradata"))
    }
}

/// A group of audio packets in one unit (one unit per packet would cost more than the audio's
/// share of a 5 kb/s stream). Timestamps are coded as differences.
struct AudioPacketGroup: UnitPayload {
    static var unitType: UnitType { .audioPackets }
    var packets: [AudioPacket]

    init(packets: [AudioPacket]) { self.packets = packets }

    func encode(into writer: inout ByteWriter) {
        writer.varint(packets.count)
        var previousPTS: Int64 = 0
        for packet in packets {
            writer.signedVarint(packet.pts &- previousPTS)
            writer.varint(UInt64(max(0, packet.duration)))
            writer.blob(packet.data)
            previousPTS = packet.pts
        }
    }

    init(from reader: inout ByteReader) throws {
        let count = try reader.varint("packet count", in: 0...min(FormatLimits.maxAudioPackets, reader.remaining))
        var packets = [AudioPacket]()
        var pts: Int64 = 0
        for _ in 0..<count {
            pts = pts &+ (try reader.signedVarint())
            let duration = try reader.varint("packet duration", in: 0...Int(Int32.max))
            packets.append(AudioPacket(pts: pts, duration: Int64(duration), data: try reader.blob("packet")))
        }
        self.init(packets: packets)
    }
}

/// A group of audio packets with chained timestamps (unit 0x09, format 1.3): each packet starts
/// where the previous one ended and lasts as long, unless its header says otherwise, so a run of
/// regular packets (Opus: 20 ms each) costs one header byte and the data's length a packet.
struct ChainedAudioPacketGroup: UnitPayload {
    static var unitType: UnitType { .chainedAudioPackets }
    var packets: [AudioPacket]

    init(packets: [AudioPacket]) { self.packets = packets }

    /// Packet header values: the packet follows on from the previous one, or says how.
    private static let follows = 0, explicit = 1

    func encode(into writer: inout ByteWriter) {
        writer.varint(packets.count)
        var expectedPTS = packets.first?.pts ?? 0
        var duration = max(0, packets.first?.duration ?? 0)
        writer.signedVarint(expectedPTS)
        writer.varint(UInt64(duration))
        for packet in packets {
            let packetDuration = max(0, packet.duration)
            if packet.pts == expectedPTS && packetDuration == duration {
                writer.varint(Self.follows)
            } else {
                writer.varint(Self.explicit)
                writer.signedVarint(packet.pts &- expectedPTS)
                writer.varint(UInt64(packetDuration))
            }
            writer.blob(packet.data)
            duration = packetDuration
            expectedPTS = packet.pts &+ packetDuration
        }
    }

    init(from reader: inout ByteReader) throws {
        let count = try reader.varint("packet count", in: 0...min(FormatLimits.maxAudioPackets, reader.remaining))
        var expectedPTS = try reader.signedVarint()
        var duration = Int64(try reader.varint("first packet duration", in: 0...Int(Int32.max)))
        var packets = [AudioPacket]()
        for _ in 0..<count {
            var pts = expectedPTS
            if try reader.varint("packet header", in: Self.follows...Self.explicit) == Self.explicit {
                pts = expectedPTS &+ (try reader.signedVarint())
                duration = Int64(try reader.varint("packet duration", in: 0...Int(Int32.max)))
            }
            packets.append(AudioPacket(pts: pts, duration: duration, data: try reader.blob("packet")))
            expectedPTS = pts &+ duration
        }
        self.init(packets: packets)
    }
}
