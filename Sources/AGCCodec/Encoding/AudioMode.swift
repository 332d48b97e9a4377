import AGCMedia

/// What `agc-encode` does with the input's audio (`--audio`).
public enum AudioMode: Equatable, Sendable, CustomStringConvertible {
    /// No audio in the stream.
    case none
    /// The input's packets as they are (no transcode).
    case copy
    /// Re-encoded to mono Opus at this many kb/s (`AudioTranscoder`).
    case opus(kilobitsPerSecond: Int)

    /// The Opus rate `--audio opus` means, chosen from the speech-quality table in the README.
    public static let defaultOpusRate = 16
    /// The default mode.
    public static let `default` = AudioMode.opus(kilobitsPerSecond: defaultOpusRate)

    /// Parses `none`, `copy`, `opus` or `opus:KBPS` (6-510).
    public init?(argument: String) {
        let parts = argument.lowercased().split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        switch (parts.first.map(String.init), parts.count) {
        case ("none", 1): self = .none
        case ("copy", 1): self = .copy
        case ("opus", 1): self = .default
        case ("opus", 2):
            guard let rate = Int(parts[1]), (6...510).contains(rate) else { return nil }
            self = .opus(kilobitsPerSecond: rate)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .none: return "none"
        case .copy: return "copy"
        case .opus(let rate): return "opus:\(rate)"
        }
    }

    /// The packets to carry for `input`, or nil when there are none (this mode, or no audio).
    func source(for input: String) throws -> AudioPacketSource? {
        guard self != .none, AudioPacketReader.hasAudio(path: input) else { return nil }
        switch self {
        case .none: return nil
        case .copy: return try AudioPacketReader(path: input)
        case .opus(let rate): return try AudioTranscoder(path: input, kilobitsPerSecond: rate)
        }
    }
}
