import AGCBitstream
import AGCCodec
import AGCMedia
import ArgumentParser
import Foundation

/// `agc-decode INPUT.agc -o OUTPUT`: an AGC stream back to video, or its inspection.
@main
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agc-decode",
        abstract: "Decodes an AGC stream to .mp4 (H.264), .mkv (FFV1), .y4m or - (Y4M on stdout).",
        discussion: "With --inspect, prints the stream's header, units, bits per frame and key frames instead.")

    @Argument(help: "The input .agc file.")
    var input: String

    @Option(name: .shortAndLong, help: "Output: .mp4, .mkv, .y4m, or - for Y4M on standard output.")
    var output: String?

    @Option(help: "Reconstruction backend: float, emulator or fpga.")
    var backend = "float"

    @Option(help: "Decode only frames A:B (inclusive, from 0; A: or :B open-ended), seeking through the index.")
    var frames: String?

    @Flag(help: "Print the stream's structure instead of decoding.")
    var inspect = false

    @Flag(help: "With --inspect: JSON in the manner of ffprobe.")
    var json = false

    @Flag(name: .customLong("no-progress"), help: "No progress line on stderr.")
    var noProgress = false

    func run() throws {
        MediaLog.setLevel(.errors)
        do {
            if inspect {
                print(try Inspection.render(path: input, json: json))
                return
            }
            guard let output else { throw ValidationError("missing -o OUTPUT (or --inspect)") }
            guard let kind = BackendKind(rawValue: backend) else {
                throw ValidationError("--backend \(backend): expected float, emulator or fpga")
            }
            var options = DecoderOptions()
            options.progress = !noProgress
            if let frames {
                guard let range = parseRange(frames) else { throw ValidationError("--frames \(frames): expected A:B") }
                options.frames = range
            }
            let decoder = Decoder(backend: try kind.make(), options: options)
            let summary = try decoder.decode(input: input, output: output)
            if !noProgress {
                FileHandle.standardError.write(Data(String(format: "%@: %d frames (%d key frames decoded), %.1f fps\n",
                                                           output, summary.framesOut, summary.keyFramesDecoded,
                                                           summary.decodeFPS).utf8))
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("agc-decode: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    func parseRange(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let a = parts[0].isEmpty ? 0 : Int(parts[0]), b = parts[1].isEmpty ? Int.max / 2 : Int(parts[1])
        guard let a, let b, a >= 0, b >= a else { return nil }
        return a...b
    }
}
