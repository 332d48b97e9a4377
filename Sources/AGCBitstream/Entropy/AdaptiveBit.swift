import Foundation

/// An adaptive probability model for one binary decision ("context"), updated after each coded
/// bit by a shift: P(0) moves 1/2^s of the way towards the bit just seen.
///
/// The shift s grows with use, so a fresh context learns fast and a used one settles: s = 3 for
/// the context's first 8 updates, 4 for the next 32, then 5. The probability of a zero is held
/// in 15 bits (`probabilityOfZero / 32768`), starts at 1/2 and stays within [15, 32753], so
/// neither symbol ever gets probability zero.
public struct AdaptiveBit: Sendable, Equatable {
    /// Bits of probability precision.
    public static let precisionBits: UInt32 = 15
    /// The probability scale, 2^15.
    public static let scale: UInt32 = 1 << precisionBits

    /// P(bit = 0) scaled by 2^15.
    public private(set) var probabilityOfZero: UInt32 = scale / 2
    /// Updates so far, saturating at 255.
    public private(set) var updateCount: UInt8 = 0

    /// A context with P(0) = 1/2 and no updates.
    public init() {}

    /// The adaptation shift for a context updated `count` times.
    @inline(__always)
    public static func adaptationShift(afterUpdates count: UInt8) -> UInt32 {
        count < 8 ? 3 : (count < 40 ? 4 : 5)
    }

    /// Moves the probability towards the bit that was just coded.
    @inline(__always)
    mutating func update(_ bit: Bool) {
        let shift = AdaptiveBit.adaptationShift(afterUpdates: updateCount)
        if updateCount < 255 { updateCount += 1 }
        if bit {
            probabilityOfZero -= probabilityOfZero >> shift
        } else {
            probabilityOfZero += (AdaptiveBit.scale - probabilityOfZero) >> shift
        }
    }

    /// The cost in bits of coding `bit` with the current probability (for rate estimates).
    public func cost(of bit: Bool) -> Double {
        let p0 = Double(probabilityOfZero) / Double(AdaptiveBit.scale)
        return -log2(bit ? 1 - p0 : p0)
    }
}
