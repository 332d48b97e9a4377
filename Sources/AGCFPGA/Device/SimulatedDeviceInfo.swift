import Foundation

/// `device.json` of a simulated device's folder: what the folder is and how its `ddr` file
/// stands in for physical memory.
public struct SimulatedDeviceInfo: Codable, Equatable, Sendable {
    /// The `kind` every simulated device's description carries.
    public static let simulatedKind = "agc-simulated-accelerator"
    /// The physical address a created device claims for its DDR region (a plausible CMA address).
    public static let defaultPhysicalAddress: UInt64 = 0x1800_0000

    public var kind: String
    /// The physical address the `ddr` file stands for: the value the host writes into the DDR
    /// base registers.
    public var ddrPhysicalAddress: UInt64
    /// Bytes of the `ddr` file.
    public var ddrSize: Int
    /// The register map's version.
    public var version: UInt32

    enum CodingKeys: String, CodingKey {
        case kind, version
        case ddrPhysicalAddress = "ddr_phys_addr"
        case ddrSize = "ddr_size"
    }

    public init(ddrSize: Int, ddrPhysicalAddress: UInt64 = defaultPhysicalAddress) {
        kind = Self.simulatedKind
        self.ddrPhysicalAddress = ddrPhysicalAddress
        self.ddrSize = ddrSize
        version = RegisterMap.version
    }

    /// The file names inside a simulated device's folder.
    public enum File {
        public static let registers = "regs"
        public static let ddr = "ddr"
        public static let description = "device.json"
    }

    /// Reads and checks the description of the simulated device in `directory` (its files exist
    /// and have the sizes it claims); errors name `path`.
    static func load(directory: URL, path: String) throws -> SimulatedDeviceInfo {
        func file(_ name: String) -> String { directory.appendingPathComponent(name).path }
        guard MappedRegion.fileSize(file(File.registers)) != nil else {
            throw AcceleratorError.device(path, "a folder, but not a simulated device: it has no '\(File.registers)' file "
                                          + "(`agc-fpga-sim create` makes one)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: directory.appendingPathComponent(File.description))
        } catch {
            throw AcceleratorError.device(path, "a simulated device without a readable \(File.description)")
        }
        let info: SimulatedDeviceInfo
        do {
            info = try JSONDecoder().decode(SimulatedDeviceInfo.self, from: data)
        } catch {
            throw AcceleratorError.device(path, "\(File.description) is not a simulated device's description: \(error)")
        }
        guard info.kind == simulatedKind else {
            throw AcceleratorError.device(path, "\(File.description) describes a '\(info.kind)', not an '\(simulatedKind)'")
        }
        guard let registerBytes = MappedRegion.fileSize(file(File.registers)), registerBytes >= RegisterMap.windowSize else {
            throw AcceleratorError.device(path, "'\(File.registers)' is smaller than the \(RegisterMap.windowSize)-byte register window")
        }
        guard let ddrBytes = MappedRegion.fileSize(file(File.ddr)), info.ddrSize > 0, ddrBytes >= info.ddrSize else {
            throw AcceleratorError.device(path, "'\(File.ddr)' is missing or smaller than the \(info.ddrSize) bytes \(File.description) gives")
        }
        return info
    }
}
