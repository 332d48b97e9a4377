import CFFmpeg

extension VideoStreamInfo {
    /// Describes `stream` of `input`.
    init(stream: UnsafeMutablePointer<AVStream>, input: InputFile) {
        let parameters = stream.pointee.codecpar!.pointee
        let counterClockwise = cffmpeg_stream_display_rotation(stream)
        var clockwise = 0
        if !counterClockwise.isNaN {
            let quarter = Int((-counterClockwise / 90).rounded())
            clockwise = ((quarter % 4) + 4) % 4 * 90
        }
        let codedWidth = Int(parameters.width), codedHeight = Int(parameters.height)
        let sideways = clockwise == 90 || clockwise == 270
        var rate = stream.pointee.avg_frame_rate
        if rate.num <= 0 || rate.den <= 0 { rate = stream.pointee.r_frame_rate }
        if rate.num <= 0 || rate.den <= 0 { rate = av_guess_frame_rate(input.pointer, stream, nil) }
        if rate.num <= 0 || rate.den <= 0 { rate = AVRational(num: 25, den: 1) }
        let timeBase = stream.pointee.time_base
        var duration = 0.0
        if stream.pointee.duration != AVCode.noPTS && stream.pointee.duration > 0 {
            duration = Double(stream.pointee.duration) * av_q2d(timeBase)
        } else if input.pointer.pointee.duration != AVCode.noPTS && input.pointer.pointee.duration > 0 {
            duration = Double(input.pointer.pointee.duration) / Double(cffmpeg_time_base())
        }
        var count = Int(stream.pointee.nb_frames)
        if count <= 0 { count = Int((duration * av_q2d(rate)).rounded()) }
        self.init(width: sideways ? codedHeight : codedWidth, height: sideways ? codedWidth : codedHeight,
                  codedWidth: codedWidth, codedHeight: codedHeight, rotation: clockwise,
                  frameRate: Rational(num: rate.num, den: rate.den),
                  timeBase: Rational(num: timeBase.num, den: timeBase.den),
                  frameCountEstimate: count, durationSeconds: duration,
                  codecName: String(cString: avcodec_get_name(parameters.codec_id)))
    }
}

/// Describes the video stream of the file at `path` without decoding it.
/// Throws `MediaError` for a missing file, a file that is not media, or one without video.
public func probeVideo(path: String) throws(MediaError) -> VideoStreamInfo {
    let input = try InputFile(path: path)
    guard let stream = input.firstStream(of: AVMEDIA_TYPE_VIDEO) else {
        throw MediaError(.noVideoStream, path: path, operation: "finding the video",
                         detail: "the file has no video stream")
    }
    return VideoStreamInfo(stream: stream, input: input)
}
