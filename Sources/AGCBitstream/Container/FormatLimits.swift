/// The bounds a reader enforces on declared sizes and counts, so that malicious input can
/// neither allocate absurd memory nor make the reader loop for long. The writer checks the same.
public enum FormatLimits {
    /// Largest payload of one unit: 1 GiB.
    public static let maxPayloadLength = 1 << 30
    /// Coded width and height: 1...4096.
    public static let maxCodedSize = 4096
    /// Source width and height: 1...65536.
    public static let maxSourceSize = 65536
    /// Frame counts and frame numbers stay below 2^26 (over 300 hours at 60 fps).
    public static let maxFrameCount = 1 << 26
    /// Numerator and denominator of a rational: 1...2^30.
    public static let maxRationalTerm = 1 << 30
    /// Keypoints per frame: 1...1024.
    public static let maxKeypointCount = 1024
    /// Frames in one keypoint run unit: 2^16.
    public static let maxRunFrames = 1 << 16
    /// Key pictures a generated frame may choose among (format 1.2): the latest and up to three
    /// before it since the last random-access one.
    public static let maxReferences = 4
    /// UTF-8 bytes of one string (model identifier, codec name, metadata key or value).
    public static let maxStringBytes = 4096
    /// Metadata entries in the sequence header, optional fields in a key frame.
    public static let maxListEntries = 1024
    /// Audio packets in one audio-packets unit.
    public static let maxAudioPackets = 1 << 16
    /// Audio sample rate (Hz) and channel count.
    public static let maxSampleRate = 1_000_000
    public static let maxAudioChannels = 64
    /// Offsets in the index stay below 2^48.
    public static let maxOffset = 1 << 48
}
