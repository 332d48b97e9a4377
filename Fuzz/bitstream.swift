// libFuzzer target `bitstream`: arbitrary bytes as a whole .agc file, through everything a
// decoder or `agc-decode --inspect` does before it touches a codec: the strict reader, random
// access through the (trailer or rebuilt) index, every keypoint run decoded from the header's
// settings, and the inspector, which must never throw.
@testable import AGCBitstream

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBitstream(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = BitstreamInspector.inspect(bytes)
    guard let reader = try? BitstreamReader(bytes: bytes) else { return 0 }
    for entry in reader.index.keyFrames + reader.index.keypointRuns { _ = try? reader.unit(at: entry.offset) }
    guard let units = try? reader.readAll(), let quantizer = try? reader.header.quantizer else { return 0 }
    var predictor = [QuantizedKeypoint](repeating: QuantizedKeypoint(x: 0, y: 0), count: reader.header.keypointCount)
    for unit in units {
        guard case .keypointRun(let run) = unit.element else { continue }
        guard let decoded = try? run.decode(quantizer: quantizer, predictor: predictor) else { break }
        predictor = decoded.predictor
    }
    return 0
}
