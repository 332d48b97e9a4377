import CFFmpeg

/// FFmpeg's own logging (to standard error), which is process-wide.
public enum MediaLog {
    /// How much FFmpeg prints.
    public enum Level: Sendable {
        case quiet, errors, warnings, info

        var value: Int32 {
            switch self {
            case .quiet: return AV_LOG_QUIET
            case .errors: return AV_LOG_ERROR
            case .warnings: return AV_LOG_WARNING
            case .info: return AV_LOG_INFO
            }
        }
    }

    /// Sets FFmpeg's log level for the whole process (command-line tools call this once).
    public static func setLevel(_ level: Level) { av_log_set_level(level.value) }
}
