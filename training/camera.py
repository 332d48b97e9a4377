"""The camera's motion between a key frame and a later frame, as an encoder can measure it, and
the key frame moved by it before the network animates it.

The motion is one affine map, found by OpenCV's ECC image alignment (enhanced correlation
coefficient) on grey pictures, coarse to fine, over the band of the picture that is mostly
background (`background_mask`), and kept only where it matches that band better than a camera
standing still. Keypoints on a face cannot say how the background moves when the camera pans,
tilts or zooms; this map can. `prewarp` moves the key frame (and maps its keypoints) by it, so
that the network only has the motion relative to the camera left to describe: on lp-d20 of the
validation set, whose camera tilts and zooms, the rebuilt frames gain 4.3 dB PSNR-Y with the
network unchanged (docs/model.md, session 11).
"""
from __future__ import annotations

import cv2
import numpy as np

IDENTITY = np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float32)


def grey(frame: np.ndarray, size: int) -> np.ndarray:
    """RGB uint8 [S,S,3] -> float32 grey [size,size] (area averaging)."""
    g = cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2GRAY).astype(np.float32)
    return cv2.resize(g, (size, size), interpolation=cv2.INTER_AREA) if g.shape[0] != size else g


def to_normalized(warp: np.ndarray, size: int) -> np.ndarray:
    """A pixel-coordinate affine map at `size` -> the same map in [-1, 1] coordinates
    (align_corners=False: x_pixel = ((x + 1) size - 1) / 2)."""
    p = np.array([[size / 2, 0, (size - 1) / 2], [0, size / 2, (size - 1) / 2], [0, 0, 1]])
    w = np.vstack([warp, [0, 0, 1]])
    return (np.linalg.inv(p) @ w @ p)[:2].astype(np.float32)


def background_mask(size: int) -> np.ndarray:
    """uint8 [size,size]: 1 where a talking-head picture is mostly background, the band along the
    top and the two sides; 0 over the person (the middle 60 % of the width, from 15 % of the
    height down), whose motion is the keypoints' to describe."""
    mask = np.ones((size, size), np.uint8)
    mask[int(0.15 * size):, int(0.2 * size):size - int(0.2 * size)] = 0
    return mask


def estimate_camera(key: np.ndarray, frame: np.ndarray, size: int = 128, levels: int = 3,
                    iterations: int = 50) -> np.ndarray:
    """[2,3] affine map from `frame`'s coordinates to `key`'s, in [-1, 1] coordinates (the
    convention of torch's affine_grid), such that the key frame's background sampled by it looks
    like `frame`'s (aligned on `background_mask`): the identity for a camera that stands still.
    The identity too where the alignment fails or gives a map far from a camera move."""
    warp = IDENTITY.copy()
    for level in reversed(range(levels)):
        s = size >> level
        if level != levels - 1:
            warp[:, 2] *= 2                      # the translation at the finer level
        g_key, g_frame, mask = grey(key, s), grey(frame, s), background_mask(s)
        criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, iterations, 1e-4)
        try:
            _, warp = cv2.findTransformECC(g_frame, g_key, warp, cv2.MOTION_AFFINE, criteria, mask, 3)
        except cv2.error:                        # no convergence: keep the coarser estimate
            pass
    theta = to_normalized(warp, size)
    if np.abs(theta[:, :2] - np.eye(2)).max() > 0.3 or np.abs(theta[:, 2]).max() > 0.5:
        return IDENTITY.copy()
    # kept only where it matches the background better than a camera standing still (the
    # finest level's pictures and band, from the loop)
    mask = mask.astype(bool)
    moved = cv2.warpAffine(g_key, warp, (size, size), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                           borderMode=cv2.BORDER_REPLICATE)
    error = lambda picture: float(np.mean((picture - g_frame)[mask] ** 2))  # noqa: E731
    return theta if error(moved) < error(g_key) else IDENTITY.copy()


def estimate_batch(keys, frames):
    """`estimate_camera` for each pair of two [B,3,S,S] float tensors in [0, 1] (the key frame
    of a pair may be one [1,3,S,S] for all): a [B,2,3] tensor on their device."""
    import torch

    as_rgb = lambda x: (x.detach().clamp(0, 1) * 255).round().byte().permute(0, 2, 3, 1).cpu().numpy()  # noqa: E731
    k, f = as_rgb(keys), as_rgb(frames)
    thetas = [estimate_camera(k[min(i, len(k) - 1)], f[i]) for i in range(len(f))]
    return torch.from_numpy(np.stack(thetas)).to(frames.device)


def prewarp(keys, kp, theta):
    """The key frames [B,3,S,S] moved by the camera maps `theta` [B,2,3] (sampled at
    theta (x, y, 1), the border repeated), and their keypoints [B,K,2] mapped into the moved
    frames (z' = A^-1 (z - t); keypoint Jacobians J' = A^-1 J): the key frame as the camera
    would show it at the later frame."""
    import torch
    import torch.nn.functional as F

    grid = F.affine_grid(theta, list(keys.shape), align_corners=False)
    moved = F.grid_sample(keys, grid, mode="bilinear", padding_mode="border", align_corners=False)
    inverse, t = torch.linalg.inv(theta[:, :, :2]), theta[:, :, 2]
    mapped = torch.einsum("bij,bkj->bki", inverse, kp[..., :2] - t[:, None])
    if kp.shape[-1] == 2:
        return moved, mapped
    jacobians = inverse[:, None] @ kp[..., 2:].unflatten(-1, (2, 2))
    return moved, torch.cat([mapped, jacobians.flatten(-2)], dim=-1)
