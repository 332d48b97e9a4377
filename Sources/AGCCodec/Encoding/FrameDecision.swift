import AGCMetrics

/// How the encoder codes a frame that is not forced to be a key picture: rebuilt from its
/// keypoints, the key picture repeated, or a new key picture when neither reaches the quality
/// threshold.
struct FrameDecision {
    let threshold: QualityThreshold

    enum Choice: Equatable {
        case generated, `repeat`, keyPicture
    }

    /// The choice for a source luma `source`, given what the generator rebuilt and the key picture.
    func choose(source: Plane, rebuilt: Plane, key: Plane) -> Choice {
        let generated = threshold.measure(source, rebuilt)
        let repeated = threshold.measure(source, key)
        guard max(generated, repeated) >= threshold.minimum else { return .keyPicture }
        return generated >= repeated ? .generated : .repeat
    }
}
