// libFuzzer target `keypoints`: arbitrary bytes as range-coded keypoint data, both as a keypoint
// run's payload (with and without key-picture references, units 0x83 and 0x85) and as a key frame's keypoints field (one generated frame from an all-zero
// predictor, docs/bitstream.md 5). The first three bytes pick the settings: the step
// denominator, the keypoint count and the run's frame count; the fourth the predictor.
// Whatever decodes must survive a round trip: re-encoding the frames and decoding them again
// gives the same frames.
@testable import AGCBitstream

/// Step denominators and keypoint counts the settings bytes choose from: the extremes of the
/// format's ranges and the values the encoder uses.
private let denominators: [UInt32] = [1, 32, 128, 256, KeypointQuantizer.maxStepDenominator]
private let keypointCounts = [1, 2, 10, 64, FormatLimits.maxKeypointCount]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeypoints(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard bytes.count >= 4 else { return 0 }
    let quantizer = try! KeypointQuantizer(stepDenominator: denominators[Int(bytes[0]) % denominators.count])
    let count = keypointCounts[Int(bytes[1]) % keypointCounts.count]
    let frameCount = Int(bytes[2])
    // The predictor: zero, or every point at one corner of the range.
    let corner = bytes[3] % 3 == 0 ? 0 : (bytes[3] % 3 == 1 ? quantizer.limit : -quantizer.limit)
    let predictor = [QuantizedKeypoint](repeating: QuantizedKeypoint(x: corner, y: -corner), count: count)
    let payload = Array(bytes.dropFirst(4))

    for codesReferences in [false, true] {
        let run = KeypointRun(firstFrame: 0, frameCount: frameCount, codedData: payload, codesReferences: codesReferences)
        if let decoded = try? run.decode(quantizer: quantizer, predictor: predictor) {
            roundTrip(decoded.frames, quantizer: quantizer, predictor: predictor, codesReferences: codesReferences)
        }
    }
    // The key frame's field, decoded as the decoder does (AGCCodec's KeyFrameKeypoints.decode).
    let zero = [QuantizedKeypoint](repeating: QuantizedKeypoint(x: 0, y: 0), count: count)
    var field = KeypointRunDecoder(payload: payload, quantizer: quantizer, predictor: zero)
    if let frame = try? field.decodeFrame() { roundTrip([frame], quantizer: quantizer, predictor: zero) }
    return 0
}

/// Re-encodes `frames` and checks that they decode back unchanged.
private func roundTrip(_ frames: [KeypointFrame], quantizer: KeypointQuantizer, predictor: [QuantizedKeypoint],
                       codesReferences: Bool = false) {
    let run = try! KeypointRun(firstFrame: 0, frames: frames, predictor: predictor, codesReferences: codesReferences)
    let again = try! run.decode(quantizer: quantizer, predictor: predictor)
    precondition(again.frames == frames, "keypoint frames change in a re-encode")
}
