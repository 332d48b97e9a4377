// libFuzzer target `keyframe`: arbitrary bytes as the payload of a key picture unit, through the
// decoder's key-picture path (AGCCodec's Decoder.decodeFrames): the unit is parsed as a
// random-access key frame (0x82) and as a predicted one (0x84, and 0x86 of format 1.3 with its
// run, decoded against a predictor at the edge of the range), its keypoints field (tag 1)
// decoded as the shipped model's 10 keypoints at the encoder's default step, and its packet
// handed to the key-picture decoder, HEVC and AV1, at 256x256: first as a random-access
// picture, then again as a picture predicted from what that left (deterministic per input).
@testable import AGCBitstream
import AGCMedia
import Foundation

/// The shipped model's keypoint count and coded size, and agc-encode's default step.
private let keypointCount = 10
private let codedSize = 256
private let quantizer = try! KeypointQuantizer(stepDenominator: 128)

/// One decoder per codec for the whole run, as the decoder keeps one per stream.
private let keyDecoders: [KeyPictureDecoder] = {
    MediaLog.setLevel(.quiet)
    return IntraCodec.allCases.map { try! KeyPictureDecoder(codec: $0) }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeyFrame(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let payload = Array(UnsafeBufferPointer(start: data, count: size))
    // Framed as a unit with a correct CRC, so that the payload parser is what the bytes meet.
    for type in [UnitType.predictedKeyFrame, .predictedKeyFrameWithRun] {
        let predicted = UnitFraming.encode(type: type.rawValue, payload: payload)
        if let info = try? UnitFraming.checkedUnit(predicted, at: 0),
           case .keyFrame(let keyFrame)? = try? BitstreamElement.parse(predicted, info) {
            precondition(!keyFrame.isRandomAccess && (keyFrame.run != nil) == (type != .predictedKeyFrame))
            // A 0x86 unit's run: the key picture's keypoints, then its frames, from a predictor at the range's edge.
            let edge = (0..<keypointCount).map { k in QuantizedKeypoint(x: k % 2 == 0 ? 256 : -256, y: k % 3 == 0 ? -256 : 255) }
            _ = try? keyFrame.run?.decodeAfterKeyPicture(quantizer: quantizer, predictor: edge)
        }
    }
    let unit = UnitFraming.encode(type: UnitType.keyFrame.rawValue, payload: payload)
    guard let info = try? UnitFraming.checkedUnit(unit, at: 0),
          case .keyFrame(let keyFrame)? = try? BitstreamElement.parse(unit, info) else { return 0 }
    if let field = keyFrame.optionalFields.first(where: { $0.tag == 1 }) {
        let zero = [QuantizedKeypoint](repeating: QuantizedKeypoint(x: 0, y: 0), count: keypointCount)
        var decoder = KeypointRunDecoder(payload: field.value, quantizer: quantizer, predictor: zero)
        _ = try? decoder.decodeFrame()
    }
    for decoder in keyDecoders {
        for randomAccess in [true, false] {
            if let image = try? decoder.decode(Data(keyFrame.packet), width: codedSize, height: codedSize,
                                               randomAccess: randomAccess) {
                precondition(image.width == codedSize && image.height == codedSize
                    && image.pixels.count == codedSize * codedSize * 3)
            }
        }
    }
    return 0
}
