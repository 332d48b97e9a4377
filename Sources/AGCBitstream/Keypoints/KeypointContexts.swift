/// The adaptive state of keypoint coding: one context for the frame mode, and for each axis two
/// integer models, chosen by whether the previous keypoint's residual on that axis in the same
/// frame was non-zero (set 1) or zero / there is no previous keypoint (set 0); in runs that code
/// references, one bin per step of the reference's truncated unary code.
///
/// A fresh set is made for every keypoint-run unit, so units decode independently; within a unit
/// the state carries from frame to frame.
struct KeypointContexts {
    var mode = AdaptiveBit()
    var x = [AdaptiveIntegerModel(), AdaptiveIntegerModel()]
    var y = [AdaptiveIntegerModel(), AdaptiveIntegerModel()]
    var reference = [AdaptiveBit](repeating: AdaptiveBit(), count: FormatLimits.maxReferences - 1)
}
