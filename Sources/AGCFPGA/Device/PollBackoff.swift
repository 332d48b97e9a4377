import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pauses between two reads of a register that is being waited on: short at first (a run
/// may end within microseconds), doubling up to a ceiling for long waits, so that polling costs
/// little CPU either way.
struct PollBackoff {
    private(set) var microseconds: UInt32
    let first: UInt32
    let maximum: UInt32

    init(first: UInt32 = 20, maximum: UInt32 = 1000) {
        self.first = first
        self.maximum = max(first, maximum)
        microseconds = first
    }

    /// Sleeps for the current pause and lengthens the next one.
    mutating func pause() {
        usleep(microseconds)
        microseconds = min(2 * microseconds, maximum)
    }

    /// Back to the shortest pause (after some activity).
    mutating func reset() {
        microseconds = first
    }
}
