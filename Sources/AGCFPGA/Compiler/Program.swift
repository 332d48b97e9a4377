/// A compiled decoder: the DDR image (instruction descriptors and constants) and where the host
/// finds everything in it. Addresses are byte offsets from the DDR base.
public struct Program: Sendable {
    /// A named byte range of the DDR image.
    public struct Region: Sendable, Equatable {
        public var name: String
        public var address: Int
        public var bytes: Int
        /// constant (written once), io (written or read by the host per frame), activation.
        public var kind: String
    }

    /// The initial DDR image: descriptors and constants; everything after is zero.
    public var image: [UInt8]
    /// Total DDR bytes the program needs (image, inputs, outputs, activations).
    public var memorySize: Int
    /// Descriptors run once per key frame (they read only the key frame).
    public var keyStream: Range<Int>
    /// Descriptors run per rebuilt frame.
    public var frameStream: Range<Int>
    /// The descriptors, decoded (for reports; the DDR image is what runs).
    public var instructions: [Instruction]
    /// The key frame: 3 planes of `size` x `size` bytes.
    public var sourceAddress: Int
    /// Keypoints: INT32 (x, y) pairs in 1/256 half-frame units, the key frame's K then the frame's K.
    public var keypointsAddress: Int
    /// The rebuilt frame: 3 planes of `size` x `size` bytes.
    public var outputAddress: Int
    public var keypointCount: Int
    public var size: Int
    public var regions: [Region]
    /// The quantized model this program was compiled from.
    public var modelIdentifier: String
    /// Where every tensor lives (a concatenation's parts inside it).
    public var tensors: [String: Region]

    /// The region of a tensor, by name.
    public func placement(of name: String) -> Region? { tensors[name] }

    /// Byte offset of descriptor `index`.
    public static func descriptorAddress(_ index: Int) -> Int { index * Instruction.byteCount }
}
