/// The format version in the file header. Readers accept any minor version of their major
/// version: minor versions only add unit types and append fields to payloads.
public struct FormatVersion: Hashable, Codable, Sendable, CustomStringConvertible {
    public var major: UInt8
    public var minor: UInt8

    public init(major: UInt8, minor: UInt8) {
        self.major = major
        self.minor = minor
    }

    /// The version this module writes: 1.4 (1.0 plus predicted key pictures (1.1), keypoint runs
    /// that name their key picture (1.2), predicted key pictures whose keypoints are predicted
    /// too (1.3) and the camera's motion (1.4), docs/bitstream.md).
    public static let current = FormatVersion(major: 1, minor: 4)

    /// The 4 bytes every AGC file starts with: "AGCB".
    public static let magic: [UInt8] = Array("AGCB".utf8)

    /// Magic (4 bytes) + major (1) + minor (1).
    public static let fileHeaderSize = 6

    public var description: String { "\(major).\(minor)" }
}
