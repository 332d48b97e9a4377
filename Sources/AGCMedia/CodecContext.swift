import CFFmpeg

/// Owns one `AVCodecContext` (encoder or decoder); frees it exactly once.
final class CodecContext {
    let pointer: UnsafeMutablePointer<AVCodecContext>
    let codec: UnsafePointer<AVCodec>

    init(codec: UnsafePointer<AVCodec>) throws(MediaError) {
        guard let context = avcodec_alloc_context3(codec) else {
            throw MediaError(.ffmpeg, operation: "allocating a codec context", detail: "out of memory")
        }
        self.codec = codec
        pointer = context
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&context)
    }

    /// Opens the codec with private options (`key=value` pairs, e.g. `crf`, `x265-params`).
    func open(options: [(String, String)] = [], operation: String, path: String? = nil) throws(MediaError) {
        var dictionary: OpaquePointer? = nil
        for (key, value) in options { av_dict_set(&dictionary, key, value, 0) }
        defer { av_dict_free(&dictionary) }
        let name = String(cString: codec.pointee.name)
        let code = avcodec_open2(pointer, codec, &dictionary)
        if code < 0 {
            throw MediaError.ffmpeg(code, "\(operation) (opening \(name))", path: path, kind: .codecUnavailable)
        }
        if let left = dictionary, av_dict_count(left) > 0 {
            var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
            var unused: [String] = []
            while let next = av_dict_get(left, "", entry, AV_DICT_IGNORE_SUFFIX) {
                unused.append(String(cString: next.pointee.key))
                entry = next
            }
            throw MediaError(.invalidArgument, path: path, operation: "\(operation) (opening \(name))",
                             detail: "options not recognised: \(unused.joined(separator: ", "))")
        }
    }
}

/// Looks up an encoder by name, with a clear error when this FFmpeg build lacks it.
func findEncoder(named name: String) throws(MediaError) -> UnsafePointer<AVCodec> {
    guard let codec = avcodec_find_encoder_by_name(name) else {
        throw MediaError(.codecUnavailable, operation: "finding encoder \(name)",
                         detail: "this FFmpeg build has no \(name) encoder")
    }
    return codec
}
