// libFuzzer target `keyframe`: arbitrary bytes as the payload of a key frame unit, through the
// decoder's key-frame path (AGCCodec's Decoder.decodeFrames): the unit is parsed, its keypoints
// field (tag 1) decoded as the shipped model's 10 keypoints at the encoder's default step, and
// its packet handed to the intra decoder, HEVC and AV1, at 256x256.
@testable import AGCBitstream
import AGCMedia
import Foundation

/// The shipped model's keypoint count and coded size, and agc-encode's default step.
private let keypointCount = 10
private let codedSize = 256
private let quantizer = try! KeypointQuantizer(stepDenominator: 128)

/// One decoder per codec for the whole run, as the decoder keeps one per stream.
private let intraDecoders: [IntraDecoder] = {
    MediaLog.setLevel(.quiet)
    return IntraCodec.allCases.map { try! IntraDecoder(codec: $0) }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeyFrame(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let payload = Array(UnsafeBufferPointer(start: data, count: size))
    // Framed as a unit with a correct CRC, so that the payload parser is what the bytes meet.
    let unit = UnitFraming.encode(type: UnitType.keyFrame.rawValue, payload: payload)
    guard let info = try? UnitFraming.checkedUnit(unit, at: 0),
          case .keyFrame(let keyFrame)? = try? BitstreamElement.parse(unit, info) else { return 0 }
    if let field = keyFrame.optionalFields.first(where: { $0.tag == 1 }) {
        let zero = [QuantizedKeypoint](repeating: QuantizedKeypoint(x: 0, y: 0), count: keypointCount)
        var decoder = KeypointRunDecoder(payload: field.value, quantizer: quantizer, predictor: zero)
        _ = try? decoder.decodeFrame()
    }
    for intra in intraDecoders {
        if let image = try? intra.decode(Data(keyFrame.packet), width: codedSize, height: codedSize) {
            precondition(image.width == codedSize && image.height == codedSize
                && image.pixels.count == codedSize * codedSize * 3)
        }
    }
    return 0
}
