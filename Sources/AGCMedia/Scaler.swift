import CFFmpeg

/// Owns one `SwsContext` for a fixed conversion: size, pixel format and colour handling.
/// YUV is BT.601 unless the frame says BT.709 (or BT.2020); limited range unless it says full.
final class Scaler {
    let pointer: OpaquePointer
    let source: (width: Int, height: Int, format: AVPixelFormat)
    let target: (width: Int, height: Int, format: AVPixelFormat)

    /// `SWS_AREA` when shrinking in both directions, bicubic otherwise.
    static func flags(from: (Int, Int), to: (Int, Int)) -> Int32 {
        let kernel = (to.0 <= from.0 && to.1 <= from.1) ? SWS_AREA : SWS_BICUBIC
        return Int32(kernel | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP)
    }

    init(from source: (width: Int, height: Int, format: AVPixelFormat),
         to target: (width: Int, height: Int, format: AVPixelFormat),
         colorspace: AVColorSpace = AVCOL_SPC_UNSPECIFIED, fullRange: Bool = false) throws(MediaError) {
        let flags = Scaler.flags(from: (source.width, source.height), to: (target.width, target.height))
        guard let context = sws_getContext(Int32(source.width), Int32(source.height), source.format,
                                           Int32(target.width), Int32(target.height), target.format,
                                           flags, nil, nil, nil) else {
            throw MediaError(.ffmpeg, operation: "setting up scaling",
                             detail: "swscale cannot convert \(source) to \(target)")
        }
        pointer = context
        self.source = source
        self.target = target
        let standard: Int32
        switch colorspace {
        case AVCOL_SPC_BT709: standard = SWS_CS_ITU709
        case AVCOL_SPC_BT2020_NCL, AVCOL_SPC_BT2020_CL: standard = SWS_CS_BT2020
        default: standard = SWS_CS_ITU601
        }
        let sourceIsYUV = Scaler.isYUV(source.format), targetIsYUV = Scaler.isYUV(target.format)
        let sourceRange: Int32 = sourceIsYUV ? (fullRange || Scaler.isJPEG(source.format) ? 1 : 0) : 1
        let targetRange: Int32 = targetIsYUV ? (fullRange || Scaler.isJPEG(target.format) ? 1 : 0) : 1
        let table = sws_getCoefficients(standard)
        _ = sws_setColorspaceDetails(context, table, sourceRange, table, targetRange, 0, 1 << 16, 1 << 16)
    }

    deinit { sws_freeContext(pointer) }

    static func isYUV(_ format: AVPixelFormat) -> Bool {
        guard let descriptor = av_pix_fmt_desc_get(format) else { return false }
        let rgb = descriptor.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB) != 0
        return !rgb && descriptor.pointee.nb_components >= 3
    }

    static func isJPEG(_ format: AVPixelFormat) -> Bool {
        [AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ440P,
         AV_PIX_FMT_YUVJ411P].contains(format)
    }

    /// Converts a frame into a packed RGB24 picture of the target size.
    func rgb(from frame: OwnedFrame) throws(MediaError) -> RGBImage {
        var image = RGBImage(width: target.width, height: target.height)
        let stride = Int32(image.stride)
        let rows = image.pixels.withUnsafeMutableBufferPointer { buffer in
            cffmpeg_sws_scale_frame_to_packed(pointer, frame.pointer, Int32(source.height),
                                              buffer.baseAddress, stride)
        }
        try check(rows, "converting a picture to RGB")
        return image
    }

    /// Converts a packed picture (`bytes` at `offset`, rows of `stride` bytes) into a frame.
    func convert(packed bytes: [UInt8], offset: Int = 0, stride: Int, into frame: OwnedFrame) throws(MediaError) {
        try check(av_frame_make_writable(frame.pointer), "preparing a frame")
        let rows = bytes.withUnsafeBufferPointer { buffer in
            cffmpeg_sws_scale_packed_to_frame(pointer, buffer.baseAddress! + offset, Int32(stride),
                                              Int32(source.height), frame.pointer)
        }
        try check(rows, "converting a picture from RGB")
    }

    /// Resamples a packed picture region into a new packed picture of the target size.
    func resample(packed bytes: [UInt8], offset: Int, stride: Int) throws(MediaError) -> RGBImage {
        var image = RGBImage(width: target.width, height: target.height)
        let targetStride = Int32(image.stride)
        let rows = bytes.withUnsafeBufferPointer { source in
            image.pixels.withUnsafeMutableBufferPointer { destination in
                cffmpeg_sws_scale_packed(pointer, source.baseAddress! + offset, Int32(stride),
                                         Int32(self.source.height), destination.baseAddress, targetStride)
            }
        }
        try check(rows, "scaling a picture")
        return image
    }
}
