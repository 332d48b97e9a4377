import Foundation

/// A safetensors file: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the tensor bytes.
public struct SafeTensors: Sendable {
    public struct Entry: Sendable {
        public let dtype: String
        public let shape: [Int]
        let range: Range<Int>
    }

    public let entries: [String: Entry]
    public let metadata: [String: String]
    private let bytes: Data

    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ModelError.unreadable(url.path, error.localizedDescription)
        }
        try self.init(data: data, name: url.path)
    }

    public init(data: Data, name: String = "safetensors data") throws {
        guard data.count >= 8 else { throw ModelError.malformed(name, "shorter than its 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw ModelError.malformed(name, "header length \(headerLength) exceeds the file")
        }
        let start = data.startIndex + 8
        let headerData = data.subdata(in: start..<(start + Int(headerLength)))
        guard let json = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw ModelError.malformed(name, "header is not a JSON object")
        }
        let base = 8 + Int(headerLength)
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (key, value) in json {
            if key == "__metadata__" {
                metadata = value as? [String: String] ?? [:]
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int],
                  offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1],
                  base + offsets[1] <= data.count
            else { throw ModelError.malformed(name, "bad header entry for tensor \(key)") }
            entries[key] = Entry(dtype: dtype, shape: shape, range: (base + offsets[0])..<(base + offsets[1]))
        }
        self.entries = entries
        self.metadata = metadata
        self.bytes = data
    }

    /// The tensor's values as floats (F32, F16 and U8 are converted), with its shape.
    public func floats(_ name: String) throws -> (shape: [Int], values: [Float]) {
        guard let entry = entries[name] else { throw ModelError.missingTensor(name) }
        let count = entry.shape.reduce(1, *)
        let raw = bytes.subdata(in: (bytes.startIndex + entry.range.lowerBound)..<(bytes.startIndex + entry.range.upperBound))
        let size: Int
        switch entry.dtype {
        case "F32": size = 4
        case "F16": size = 2
        case "U8": size = 1
        default: throw ModelError.unsupportedType(name, entry.dtype)
        }
        guard raw.count == count * size else { throw ModelError.malformed(name, "byte size does not match shape") }
        let values: [Float] = raw.withUnsafeBytes { buf in
            switch entry.dtype {
            case "F32": return (0..<count).map { Float(bitPattern: buf.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self).littleEndian) }
            case "F16": return (0..<count).map { Float(Float16(bitPattern: buf.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self).littleEndian)) }
            default: return (0..<count).map { Float(buf[$0]) }
            }
        }
        return (entry.shape, values)
    }

    /// The tensor's values as integers of the stored type (I8, U8, I32), with its shape; any
    /// other dtype is an error, never a conversion.
    public func integers<T: FixedWidthInteger>(_ name: String, as type: T.Type) throws -> (shape: [Int], values: [T]) {
        guard let entry = entries[name] else { throw ModelError.missingTensor(name) }
        let expected: String
        switch type {
        case is Int8.Type: expected = "I8"
        case is UInt8.Type: expected = "U8"
        case is Int32.Type: expected = "I32"
        default: throw ModelError.unsupportedType(name, "\(type)")
        }
        guard entry.dtype == expected else { throw ModelError.unsupportedType(name, entry.dtype) }
        let count = entry.shape.reduce(1, *)
        guard entry.range.count == count * MemoryLayout<T>.size else {
            throw ModelError.malformed(name, "byte size does not match shape")
        }
        // One copy of the bytes (this is generic code, not specialised across modules: no
        // per-element calls), then the byte order fixed where the machine's is not little-endian.
        var values = [T](unsafeUninitializedCapacity: count) { out, initialized in
            bytes.withUnsafeBytes { buf in
                UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: buf[entry.range]))
            }
            initialized = count
        }
        if 1.littleEndian != 1 {
            for i in values.indices { values[i] = T(littleEndian: values[i]) }
        }
        return (entry.shape, values)
    }

    /// The tensor's raw bytes (for U8 data such as images).
    public func bytes(_ name: String) throws -> [UInt8] {
        guard let entry = entries[name] else { throw ModelError.missingTensor(name) }
        return [UInt8](bytes[(bytes.startIndex + entry.range.lowerBound)..<(bytes.startIndex + entry.range.upperBound)])
    }
}

/// Why a model could not be loaded.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case unreadable(String, String)
    case malformed(String, String)
    case missingTensor(String)
    case unsupportedType(String, String)
    case shapeMismatch(String, expected: [Int], found: [Int])
    case hashMismatch(String, expected: String, found: String)

    public var description: String {
        switch self {
        case let .unreadable(path, why): return "\(path): cannot read the model: \(why)"
        case let .malformed(name, why): return "\(name): malformed safetensors: \(why)"
        case let .missingTensor(name): return "model has no tensor named \(name)"
        case let .unsupportedType(name, type): return "tensor \(name) has unsupported dtype \(type)"
        case let .shapeMismatch(name, expected, found): return "tensor \(name) has shape \(found), expected \(expected)"
        case let .hashMismatch(path, expected, found):
            return "\(path): weights SHA-256 is \(found), the model description says \(expected)"
        }
    }
}
