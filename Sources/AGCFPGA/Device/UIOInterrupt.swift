import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The interrupt of a UIO device node. The generic UIO platform driver masks the line each time
/// it fires; user space unmasks it by writing a 32-bit 1 to the node, waits for it with `poll`,
/// and takes the event with a 4-byte `read` (the interrupt count).
struct UIOInterrupt {
    /// The device node, for error messages.
    let path: String
    let descriptor: Int32

    /// Unmasks the interrupt. False when the node has none (the kernel refuses the write), in
    /// which case the driver polls the control register instead.
    func unmask() -> Bool {
        var one: UInt32 = 1
        return write(descriptor, &one, 4) == 4
    }

    /// Waits up to `seconds` for the interrupt and takes the event. False on time-out.
    func wait(seconds: Double) throws -> Bool {
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(min(max(seconds * 1000, 0).rounded(.up), Double(Int32.max)))
        let ready = poll(&request, 1, milliseconds)
        if ready < 0 {
            // A signal interrupted the wait: report no event, the caller checks its deadline.
            if errno == EINTR { return false }
            throw AcceleratorError.device(path, "waiting for the interrupt: " + String(cString: strerror(errno)))
        }
        guard ready > 0 else { return false }
        var count: UInt32 = 0
        guard read(descriptor, &count, 4) == 4 else {
            throw AcceleratorError.device(path, "reading the interrupt count: " + String(cString: strerror(errno)))
        }
        return true
    }
}
