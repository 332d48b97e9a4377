#ifndef CCAMERAMOTION_H
#define CCAMERAMOTION_H

#ifdef __cplusplus
extern "C" {
#endif

/// Measures the camera's motion between a key picture and a later frame, both packed RGB,
/// `size` x `size` pixels: one affine map from the frame's coordinates to the key picture's, in
/// [-1, 1] coordinates with align_corners=False (x_key = theta[0] x + theta[1] y + theta[2],
/// y_key = theta[3] x + theta[4] y + theta[5]).
///
/// The map comes from OpenCV's ECC alignment (affine, grey, 32 -> 64 -> 128 pixels) over the
/// band of the picture that is mostly background: the top 15 % and the sides (20 % each). It is
/// kept only where it matches that band better than a camera standing still and stays near a
/// camera move (|A - I| <= 0.3, |t| <= 0.5); otherwise theta is the identity.
/// Returns 1 when the camera moved, 0 when theta is the identity, -1 on bad arguments.
int agc_camera_estimate(const unsigned char *key_rgb, const unsigned char *frame_rgb, int size, double theta[6]);

#ifdef __cplusplus
}
#endif

#endif
