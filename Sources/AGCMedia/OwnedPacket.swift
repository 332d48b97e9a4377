import CFFmpeg
import Foundation

/// Owns one `AVPacket`; frees it exactly once.
final class OwnedPacket {
    let pointer: UnsafeMutablePointer<AVPacket>

    init() throws(MediaError) {
        guard let packet = av_packet_alloc() else {
            throw MediaError(.ffmpeg, operation: "allocating a packet", detail: "out of memory")
        }
        pointer = packet
    }

    /// A packet holding a copy of `data`.
    convenience init(copying data: Data) throws(MediaError) {
        try self.init()
        try check(av_new_packet(pointer, Int32(data.count)), "allocating a \(data.count)-byte packet")
        if !data.isEmpty {
            data.withUnsafeBytes { raw in
                pointer.pointee.data.update(from: raw.bindMemory(to: UInt8.self).baseAddress!, count: data.count)
            }
        }
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&packet)
    }

    func unref() { av_packet_unref(pointer) }

    /// A copy of the packet's payload.
    var data: Data {
        let size = Int(pointer.pointee.size)
        guard size > 0, let bytes = pointer.pointee.data else { return Data() }
        return Data(bytes: bytes, count: size)
    }
}
