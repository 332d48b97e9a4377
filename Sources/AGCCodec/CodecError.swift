/// Why encoding or decoding stopped. Each message names the file and the problem.
public enum CodecError: Error, CustomStringConvertible {
    case faceDetector(String)
    case badArgument(String)
    case input(String)
    case output(String)
    case modelMismatch(String)
    case verificationFailed(String)

    public var description: String {
        switch self {
        case let .faceDetector(m), let .badArgument(m), let .input(m), let .output(m), let .modelMismatch(m), let .verificationFailed(m): return m
        }
    }
}
