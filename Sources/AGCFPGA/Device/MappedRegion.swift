import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file or device node mapped shared into this process: a UIO register window, a u-dma-buf
/// buffer, or a simulated device's `regs` and `ddr` files. Writes are seen by every other
/// mapping of the same file, in this process or another. Unmapped and closed on deinit.
final class MappedRegion {
    let path: String
    /// The mapped bytes.
    let bytes: UnsafeMutableRawBufferPointer
    /// The open file descriptor (kept open while mapped: UIO interrupts are read from it).
    let descriptor: Int32

    /// Opens `path` read-write with O_SYNC (uncached on devices that honour it) and maps `size`
    /// bytes from byte `offset` (a multiple of the page size).
    init(path: String, size: Int, offset: Int = 0) throws {
        guard size > 0 else { throw AcceleratorError.device(path, "nothing to map (size 0)") }
        let fd = open(path, O_RDWR | O_SYNC)
        guard fd >= 0 else { throw AcceleratorError.device(path, "cannot open: " + MappedRegion.reason(errno)) }
        let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off_t(offset))
        guard let address = mapped, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            let why = MappedRegion.reason(errno)
            close(fd)
            throw AcceleratorError.device(path, "cannot map \(size) bytes at offset \(offset): " + why)
        }
        self.path = path
        bytes = UnsafeMutableRawBufferPointer(start: address, count: size)
        descriptor = fd
    }

    deinit {
        munmap(bytes.baseAddress, bytes.count)
        close(descriptor)
    }

    /// The size of the file at `path`, nil if there is none.
    static func fileSize(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    /// An errno as words, with a hint for the usual case of a device node owned by root.
    static func reason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        switch code {
        case EACCES, EPERM: return text + " (run as root, or give this user access to the device node)"
        default: return text
        }
    }
}
