import AGCBitstream
import AGCMedia
import AGCModel

/// The key pictures a generated frame may be animated from (format 1.2): the latest and up to
/// `capacity - 1` before it, never further back than the last random-access key picture (so
/// decoding from there sees the same pool). Encoder and decoder keep the same pool and load its
/// entries into the backend the same way, so both rebuild identical frames.
struct KeyPicturePool {
    struct Entry {
        var frame: Int
        var image: RGBImage
        var keypoints: [Keypoint]
    }

    let capacity: Int
    /// Newest first: entry 0 is the latest key picture (reference 0).
    private(set) var entries: [Entry] = []
    /// The frame number of the key picture the backend holds now.
    private(set) var loadedFrame: Int?

    init(capacity: Int) {
        precondition((1...FormatLimits.maxReferences).contains(capacity))
        self.capacity = capacity
    }

    /// Adds the key picture of `frame` and loads it into `backend`; a random-access one empties
    /// the pool first.
    mutating func add(frame: Int, image: RGBImage, keypoints: [Keypoint], randomAccess: Bool,
                      backend: ReconstructionBackend) throws {
        if randomAccess { entries.removeAll() }
        entries.insert(Entry(frame: frame, image: image, keypoints: keypoints), at: 0)
        if entries.count > capacity { entries.removeLast() }
        try backend.setKeyFrame(image, keypoints: keypoints)
        loadedFrame = frame
    }

    /// Makes `backend` hold the key picture of `reference` (0: the latest), running its key
    /// stream again only when another one is loaded.
    mutating func load(_ reference: Int, into backend: ReconstructionBackend) throws {
        let entry = entries[reference]
        guard entry.frame != loadedFrame else { return }
        try backend.setKeyFrame(entry.image, keypoints: entry.keypoints)
        loadedFrame = entry.frame
    }

    /// Makes `backend` hold the key picture of `reference` moved by the camera's `map` (format
    /// 1.4): the picture and its keypoints as `CameraWarp` moves them. The identity is `load`.
    mutating func load(_ reference: Int, movedBy map: CameraMap, into backend: ReconstructionBackend) throws {
        guard !map.isIdentity else { return try load(reference, into: backend) }
        let entry = entries[reference]
        try backend.setKeyFrame(CameraWarp.moved(entry.image, by: map), keypoints: CameraWarp.mapped(entry.keypoints, by: map))
        loadedFrame = nil
    }

    /// The image of the key picture of `reference` (0: the latest).
    func image(_ reference: Int) -> RGBImage { entries[reference].image }

    /// The references in the order that needs the fewest loads: the loaded one first.
    var referencesLoadedFirst: [Int] {
        let loaded = entries.firstIndex { $0.frame == loadedFrame }
        return (loaded.map { [$0] } ?? []) + entries.indices.filter { $0 != loaded }
    }
}
