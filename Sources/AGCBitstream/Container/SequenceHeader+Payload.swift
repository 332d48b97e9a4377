/// The sequence header's byte layout (docs/bitstream.md, "Sequence header").
extension SequenceHeader: UnitPayload {
    static var unitType: UnitType { .sequenceHeader }

    func encode(into writer: inout ByteWriter) {
        for value in [codedWidth, codedHeight, frameRate.numerator, frameRate.denominator, frameCount,
                      sourceWidth, sourceHeight] {
            writer.varint(value)
        }
        writer.u8(UInt8(truncatingIfNeeded: rotation / 90))
        for value in [crop.x, crop.y, crop.width, crop.height] { writer.varint(value) }
        writer.string(modelIdentifier)
        writer.raw(modelHash)
        writer.varint(keypointCount)
        writer.varint(UInt64(keypointStepDenominator))
        writer.varint(keyFrameCodec.rawValue)
        writer.varint(UInt64(hasAudio ? 1 : 0))
        writer.varint(metadata.count)
        for entry in metadata {
            writer.string(entry.key)
            writer.string(entry.value)
        }
        writer.varint(pictureHashGroup)
    }

    init(from reader: inout ByteReader) throws {
        let maxCoded = FormatLimits.maxCodedSize, maxSource = FormatLimits.maxSourceSize
        let maxTerm = FormatLimits.maxRationalTerm
        let codedWidth = try reader.varint("coded width", in: 1...maxCoded)
        let codedHeight = try reader.varint("coded height", in: 1...maxCoded)
        let rate = Rational(try reader.varint("frame rate numerator", in: 1...maxTerm),
                            try reader.varint("frame rate denominator", in: 1...maxTerm))
        let frameCount = try reader.varint("frame count", in: 0...FormatLimits.maxFrameCount)
        let sourceWidth = try reader.varint("source width", in: 1...maxSource)
        let sourceHeight = try reader.varint("source height", in: 1...maxSource)
        let quarterTurns = try reader.u8()
        guard quarterTurns < 4 else { throw PayloadError("rotation code \(quarterTurns) is not 0...3") }
        let crop = CropRect(x: try reader.varint("crop x", in: 0...maxSource),
                            y: try reader.varint("crop y", in: 0...maxSource),
                            width: try reader.varint("crop width", in: 1...maxSource),
                            height: try reader.varint("crop height", in: 1...maxSource))
        let modelIdentifier = try reader.string("model identifier", limit: FormatLimits.maxStringBytes)
        let modelHash = try reader.raw(count: 32)
        let keypointCount = try reader.varint("keypoint count", in: 1...FormatLimits.maxKeypointCount)
        let maxDenominator = Int(KeypointQuantizer.maxStepDenominator)
        let denominator = try reader.varint("keypoint step denominator", in: 1...maxDenominator)
        let codec = try reader.varint("key-frame codec", in: 0...Int(UInt32.max))
        let flags = try reader.varint()
        let entryCount = try reader.varint("metadata entry count", in: 0...FormatLimits.maxListEntries)
        var metadata = [MetadataEntry]()
        for _ in 0..<entryCount {
            metadata.append(MetadataEntry(key: try reader.string("metadata key", limit: FormatLimits.maxStringBytes),
                                          value: try reader.string("metadata value",
                                                                   limit: FormatLimits.maxStringBytes)))
        }
        self.init(codedWidth: codedWidth, codedHeight: codedHeight, frameRate: rate, frameCount: frameCount,
                  sourceWidth: sourceWidth, sourceHeight: sourceHeight, rotation: Int(quarterTurns) * 90, crop: crop,
                  modelIdentifier: modelIdentifier, modelHash: modelHash, keypointCount: keypointCount,
                  keypointStepDenominator: UInt32(denominator), keyFrameCodec: KeyFrameCodec(rawValue: codec),
                  hasAudio: flags & 1 != 0, metadata: metadata)
        if reader.remaining > 0 {
            pictureHashGroup = try reader.varint("picture hash group", in: 0...FormatLimits.maxRunFrames)
        }
        let upright = uprightSourceSize
        guard crop.x + crop.width <= upright.width && crop.y + crop.height <= upright.height else {
            throw PayloadError("crop \(crop.x),\(crop.y),\(crop.width)x\(crop.height) lies outside the "
                + "\(upright.width)x\(upright.height) upright source")
        }
    }
}
