import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The register window and DDR region of an accelerator, mapped into this process, from one of
/// the two things a device path can name:
/// - a Linux UIO device `/dev/uioN`: its map 0 is the register window, and a u-dma-buf buffer
///   (`/dev/udmabuf0` by default) is the physically contiguous DDR region;
/// - a simulated device's folder (`SimulatedDevice`): its `regs` and `ddr` files.
final class DeviceMapping {
    enum Kind {
        /// A UIO device; its node delivers the done interrupt if the kernel driver has one.
        case uio(interrupt: UIOInterrupt)
        case simulated(SimulatedDeviceInfo)
    }

    let path: String
    let kind: Kind
    let registers: MappedRegion
    let ddr: MappedRegion
    /// The physical address of `ddr`: what the accelerator's DDR base registers take.
    let ddrPhysicalAddress: UInt64

    /// Maps the device at `path`. `dmaBuffer` names the u-dma-buf buffer a UIO device uses.
    init(path: String, dmaBuffer: String = "udmabuf0") throws {
        self.path = path
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw AcceleratorError.device(path, "cannot use it as an accelerator: " + MappedRegion.reason(errno)
                                          + "; give a UIO device (/dev/uioN) or a simulated device's folder")
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            let directory = URL(fileURLWithPath: path, isDirectory: true)
            let description = try SimulatedDeviceInfo.load(directory: directory, path: path)
            kind = .simulated(description)
            registers = try MappedRegion(path: directory.appendingPathComponent(SimulatedDeviceInfo.File.registers).path,
                                         size: RegisterMap.windowSize)
            ddr = try MappedRegion(path: directory.appendingPathComponent(SimulatedDeviceInfo.File.ddr).path,
                                   size: description.ddrSize)
            ddrPhysicalAddress = description.ddrPhysicalAddress
        case S_IFCHR:
            let name = URL(fileURLWithPath: path).lastPathComponent
            let sysfs = "/sys/class/uio/\(name)"
            guard let mapSize = DeviceMapping.sysfsNumber("\(sysfs)/maps/map0/size") else {
                throw AcceleratorError.device(path, "a character device, but not a UIO device with a register map "
                                              + "(no \(sysfs)/maps/map0/size)")
            }
            guard mapSize >= UInt64(RegisterMap.windowSize) else {
                throw AcceleratorError.device(path, "its register map has \(mapSize) bytes, fewer than the \(RegisterMap.windowSize) of the AGC window")
            }
            // UIO selects map N by the mmap offset N x page size: map 0 is at offset 0.
            registers = try MappedRegion(path: path, size: Int(mapSize))
            kind = .uio(interrupt: UIOInterrupt(path: path, descriptor: registers.descriptor))
            (ddr, ddrPhysicalAddress) = try DeviceMapping.dmaBuffer(dmaBuffer, for: path)
        default:
            let what = info.st_mode & S_IFMT == S_IFREG ? "a regular file" : "neither a device nor a folder"
            throw AcceleratorError.device(path, "\(what), not a UIO device (/dev/uioN) or a simulated device's folder")
        }
    }

    /// Maps the u-dma-buf buffer `name` and reads its physical address from sysfs (the class
    /// folder is `u-dma-buf` in current releases, `udmabuf` in old ones).
    private static func dmaBuffer(_ name: String, for path: String) throws -> (MappedRegion, UInt64) {
        let node = "/dev/\(name)"
        let classes = ["/sys/class/u-dma-buf/\(name)", "/sys/class/udmabuf/\(name)"]
        guard let sysfs = classes.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw AcceleratorError.device(path, "no DDR buffer: \(classes[0]) does not exist (load the u-dma-buf module "
                                          + "with a buffer named \(name), see docs/accelerator.md)")
        }
        guard let address = sysfsNumber("\(sysfs)/phys_addr"), let size = sysfsNumber("\(sysfs)/size"), size > 0 else {
            throw AcceleratorError.device(path, "cannot read the physical address and size of \(node) from \(sysfs)")
        }
        // O_SYNC makes u-dma-buf map the buffer uncached: no cache maintenance around each run.
        return (try MappedRegion(path: node, size: Int(size)), address)
    }

    /// A number in a sysfs attribute, hexadecimal with 0x or decimal; nil if unreadable.
    static func sysfsNumber(_ path: String) -> UInt64? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return value.hasPrefix("0x") ? UInt64(value.dropFirst(2), radix: 16) : UInt64(value)
    }
}
