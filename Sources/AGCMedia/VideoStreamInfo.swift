/// A rational number as FFmpeg uses it (frame rates, time bases).
public struct Rational: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var num: Int32
    public var den: Int32

    public init(num: Int32, den: Int32) {
        self.num = num
        self.den = den
    }

    /// The value as a Double (0 when `den` is 0).
    public var value: Double { den == 0 ? 0 : Double(num) / Double(den) }

    public var description: String { "\(num)/\(den)" }
}

/// What a video stream is: sizes, orientation, rate and length.
public struct VideoStreamInfo: Equatable, Sendable {
    /// Display width, after rotation (the width of the frames `VideoReader` returns by default).
    public var width: Int
    /// Display height, after rotation.
    public var height: Int
    /// Width of the pictures as coded in the stream, before rotation.
    public var codedWidth: Int
    /// Height of the pictures as coded in the stream, before rotation.
    public var codedHeight: Int
    /// Clockwise turn, in degrees (0, 90, 180 or 270), that makes the coded picture upright,
    /// from the stream's display matrix. Mirroring in the matrix is ignored.
    public var rotation: Int
    /// The stream's average (nominal) frame rate. The AGC codec treats every stream as constant
    /// rate at this rate, even when its timestamps vary.
    public var frameRate: Rational
    /// The stream's time base (seconds per timestamp tick).
    public var timeBase: Rational
    /// The number of frames, from the container when it says so, otherwise duration x rate.
    public var frameCountEstimate: Int
    /// Length in seconds (the stream's, or the file's when the stream does not say).
    public var durationSeconds: Double
    /// FFmpeg's short name of the codec, e.g. "h264".
    public var codecName: String

    public init(width: Int, height: Int, codedWidth: Int, codedHeight: Int, rotation: Int,
                frameRate: Rational, timeBase: Rational, frameCountEstimate: Int,
                durationSeconds: Double, codecName: String) {
        self.width = width
        self.height = height
        self.codedWidth = codedWidth
        self.codedHeight = codedHeight
        self.rotation = rotation
        self.frameRate = frameRate
        self.timeBase = timeBase
        self.frameCountEstimate = frameCountEstimate
        self.durationSeconds = durationSeconds
        self.codecName = codecName
    }
}
