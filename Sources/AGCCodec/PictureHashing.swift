import AGCBitstream
import AGCMedia
import Crypto

/// Hashes shown pictures in groups of `framesPerHash` consecutive frames (groups aligned to frame
/// numbers that are multiples of it): SHA-256 over the pictures' packed RGB24 bytes, truncated to
/// `hashLength` bytes, as the picture hashes unit defines.
struct PictureHasher {
    static let hashLength = 8
    let framesPerHash: Int
    private var hasher = SHA256()
    private var group: Int?
    private var frames = 0
    /// Finished groups: (group number, frames hashed, hash).
    private(set) var finished: [(group: Int, frames: Int, hash: [UInt8])] = []

    init(framesPerHash: Int) {
        precondition(framesPerHash > 0)
        self.framesPerHash = framesPerHash
    }

    /// Adds frame `number`; frames must come in increasing order. A group is finished with its
    /// last frame, so its hash can be written before the next key frame.
    mutating func add(frame number: Int, _ image: RGBImage) {
        let g = number / framesPerHash
        if group != g {
            finishGroup()
            group = g
        }
        hasher.update(data: image.pixels)
        frames += 1
        if (number + 1) % framesPerHash == 0 { finishGroup() }
    }

    /// Closes the running group (at the end of the stream, or before a gap).
    mutating func finishGroup() {
        guard let g = group else { return }
        finished.append((g, frames, Array(hasher.finalize().prefix(Self.hashLength))))
        hasher = SHA256()
        group = nil
        frames = 0
    }

    /// Removes and returns the finished groups as picture hashes units (one per run of
    /// consecutive groups).
    mutating func takeUnits() -> [PictureHashes] {
        var units: [PictureHashes] = []
        for entry in finished {
            if var last = units.last, last.firstFrame / framesPerHash + last.hashes.count == entry.group {
                last.hashes.append(entry.hash)
                units[units.count - 1] = last
            } else {
                units.append(PictureHashes(firstFrame: entry.group * framesPerHash, hashes: [entry.hash], framesPerHash: framesPerHash))
            }
        }
        finished.removeAll()
        return units
    }
}

/// What `agc-decode --verify` found: every group of frames whose pictures were all decoded and
/// whose hash the stream carries, checked.
public struct VerificationReport: Codable, Sendable {
    public var groupsChecked: Int
    public var framesChecked: Int
    /// Frame ranges ("first-last") whose pictures differ from the encoder's.
    public var mismatches: [String]
    public var passed: Bool { mismatches.isEmpty && groupsChecked > 0 }

    enum CodingKeys: String, CodingKey {
        case groupsChecked = "groups_checked", framesChecked = "frames_checked", mismatches, passed
    }

    public func encode(to encoder: Swift.Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(groupsChecked, forKey: .groupsChecked)
        try c.encode(framesChecked, forKey: .framesChecked)
        try c.encode(mismatches, forKey: .mismatches)
        try c.encode(passed, forKey: .passed)
    }

    public init(from decoder: Swift.Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        groupsChecked = try c.decode(Int.self, forKey: .groupsChecked)
        framesChecked = try c.decode(Int.self, forKey: .framesChecked)
        mismatches = try c.decode([String].self, forKey: .mismatches)
    }

    init(groupsChecked: Int, framesChecked: Int, mismatches: [String]) {
        self.groupsChecked = groupsChecked
        self.framesChecked = framesChecked
        self.mismatches = mismatches
    }
}

/// The decoder's side: hashes what it shows and compares with the stream's hashes units.
struct PictureVerifier {
    private var expected: [Int: (frames: Int, hash: [UInt8])] = [:]
    private var hasher: PictureHasher
    private let totalFrames: Int

    /// `framesPerHash` from the sequence header (> 0).
    init(totalFrames: Int, framesPerHash: Int) {
        self.totalFrames = totalFrames
        hasher = PictureHasher(framesPerHash: framesPerHash)
    }

    mutating func expect(_ unit: PictureHashes) {
        let n = unit.framesPerHash
        guard n == hasher.framesPerHash else { return }
        for (i, hash) in unit.hashes.enumerated() {
            let g = unit.firstFrame / n + i
            expected[g] = (min(n, totalFrames - g * n), hash)
        }
    }

    mutating func shown(frame number: Int, _ image: RGBImage) {
        hasher.add(frame: number, image)
    }

    mutating func report() -> VerificationReport {
        hasher.finishGroup()
        let n = hasher.framesPerHash
        var checked = 0, frames = 0
        var mismatches: [String] = []
        for entry in hasher.finished {
            guard let want = expected[entry.group], want.frames == entry.frames else { continue }
            checked += 1
            frames += entry.frames
            if want.hash != entry.hash {
                mismatches.append("\(entry.group * n)-\(entry.group * n + entry.frames - 1)")
            }
        }
        return VerificationReport(groupsChecked: checked, framesChecked: frames, mismatches: mismatches)
    }
}
