// libFuzzer target `bitstream`: arbitrary bytes as a whole .agc file, through everything a
// decoder or `agc-decode --inspect` does before it touches a codec: the strict reader, random
// access through the (trailer or rebuilt) index, every keypoint run decoded from the header's
// settings, and the inspector, which must never throw.
//
// Each input is read twice: as it is, and with every unit's CRC (and the trailer's) corrected,
// so that mutated payloads reach the payload parsers instead of stopping at the CRC check.
@testable import AGCBitstream

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBitstream(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    read(bytes)
    let corrected = withCorrectCRCs(bytes)
    if corrected != bytes { read(corrected) }
    return 0
}

private func read(_ bytes: [UInt8]) {
    _ = BitstreamInspector.inspect(bytes)
    guard let reader = try? BitstreamReader(bytes: bytes) else { return }
    for entry in reader.index.keyFrames + reader.index.keypointRuns { _ = try? reader.unit(at: entry.offset) }
    guard let units = try? reader.readAll(), let quantizer = try? reader.header.quantizer else { return }
    var predictor = [QuantizedKeypoint](repeating: QuantizedKeypoint(x: 0, y: 0), count: reader.header.keypointCount)
    for unit in units {
        guard case .keypointRun(let run) = unit.element else { continue }
        guard let decoded = try? run.decode(quantizer: quantizer, predictor: predictor) else { break }
        predictor = decoded.predictor
    }
}

/// `bytes` with the stored CRC of every unit that fits the file, and of the trailer, replaced by
/// the right one.
private func withCorrectCRCs(_ bytes: [UInt8]) -> [UInt8] {
    var fixed = bytes
    var offset = FormatVersion.fileHeaderSize
    while let (info, _, computed) = try? UnitFraming.locate(fixed, at: offset) {
        let crcOffset = info.endOffset - UnitFraming.crcSize
        for i in 0..<UnitFraming.crcSize { fixed[crcOffset + i] = UInt8(truncatingIfNeeded: computed >> (8 * i)) }
        offset = info.endOffset
    }
    if fixed.count >= Trailer.size && Array(fixed.suffix(Trailer.magic.count)) == Trailer.magic {
        let start = fixed.count - Trailer.size
        let crc = CRC32.checksum(fixed[start..<(start + 8)])
        for i in 0..<4 { fixed[start + 8 + i] = UInt8(truncatingIfNeeded: crc >> (8 * i)) }
    }
    return fixed
}
