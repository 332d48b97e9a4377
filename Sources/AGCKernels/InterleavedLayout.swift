import CAGCKernels

/// The vector kernels' input layout: the map padded by one pixel of each channel's zero point on
/// every side, channels in groups of four interleaved per pixel (one 32-bit lane = four channels
/// of one pixel), rows long enough for whole-vector reads past the last column. Channels beyond
/// the last of the final group are zero (their weights are zero). `agc_pack_interleaved` fills it.
struct InterleavedLayout {
    let channels: Int
    let groups: Int
    let paddedRows: Int
    let rowPixels: Int

    init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        groups = (channels + 3) / 4
        paddedRows = height + 2
        rowPixels = (width + 2 + 16 + 15) / 16 * 16
    }

    var bytes: Int { groups * paddedRows * rowPixels * 4 }

    /// 3x3 weights [out][in][3][3] -> int32 words of four input channels' bytes in blocks of eight
    /// output channels, output channel innermost: [out / 8][group][tap][out % 8], zero words past
    /// the last output channel.
    static func packWeights(_ weights: [Int8], outChannels: Int, inChannels: Int) -> [Int32] {
        let groups = (inChannels + 3) / 4, blocks = (outChannels + 7) / 8
        var packed = [Int32](repeating: 0, count: blocks * groups * 9 * 8)
        for o in 0..<outChannels {
            for g in 0..<groups {
                for t in 0..<9 {
                    var word: UInt32 = 0
                    for c in 0..<4 where 4 * g + c < inChannels {
                        word |= UInt32(UInt8(bitPattern: weights[(o * inChannels + 4 * g + c) * 9 + t])) << (8 * c)
                    }
                    packed[(((o / 8) * groups + g) * 9 + t) * 8 + o % 8] = Int32(bitPattern: word)
                }
            }
        }
        return packed
    }

    /// The packed words split for 16-bit multiply-adds (AVX2's vpmaddwd, which has no unsigned x
    /// signed byte form that is exact): per word, (w2 << 16 | w0) and (w3 << 16 | w1) with each
    /// weight sign-extended to 16 bits, two words in place of each packed one.
    static func pairWeights(_ packed: [Int32]) -> [Int32] {
        var pairs = [Int32](repeating: 0, count: 2 * packed.count)
        for (i, word) in packed.enumerated() {
            func half(_ byte: Int) -> UInt32 { UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: word >> (8 * byte)))) & 0xFFFF }
            pairs[2 * i] = Int32(bitPattern: half(2) << 16 | half(0))
            pairs[2 * i + 1] = Int32(bitPattern: half(3) << 16 | half(1))
        }
        return pairs
    }
}
