"""The AGC network: keypoint detector, dense motion network, generator.

FOMM-style keypoint animation, restricted to the operations the accelerator
has: convolution (batch norm folded at export), ReLU, average pooling, 2x
nearest upsampling, bilinear upsampling of the flow, bilinear grid sampling
(align_corners=False, zero padding), softmax, sigmoid, concatenation,
element-wise add and multiply. Keypoint heatmaps (Gaussians) and sampling
grids are computed by the host from the K keypoints.

"No motion costs nothing": every motion is an identity grid plus a
displacement, the generator's last layer starts at zero, and the output is the
key frame warped in pixel space plus the generator's correction. With equal
source and driving keypoints the decoder returns the key frame exactly.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


# Architecture flags added after the first shipped model; all training-only so far.
LATER_FLAGS = ("affine_candidate", "gen_skip", "jacobians")


@dataclass
class AGCConfig:
    size: int = 256            # coded frame size (square)
    num_kp: int = 10           # keypoints per frame
    motion_res: int = 64       # resolution of keypoint detection and dense motion
    kp_channels: int = 32      # keypoint detector hourglass width
    kp_max_channels: int = 256
    kp_depth: int = 4
    kp_temperature: float = 0.1
    dm_channels: int = 32      # dense motion hourglass width
    dm_max_channels: int = 256
    dm_depth: int = 4
    heatmap_variance: float = 0.01
    gen_channels: int = 16     # generator width at full resolution (x2 per halving)
    gen_res_blocks: int = 2
    affine_candidate: bool = False  # one more motion candidate: the affine fit of the keypoints
    gen_skip: bool = False          # the generator's last layer also sees the warped key frame
    jacobians: bool = False         # each keypoint also carries a local affine map (FOMM's Jacobian)

    @property
    def candidates(self) -> int:
        """Motion candidates of the dense motion network: the still background, one shift per
        keypoint, and with `affine_candidate` the keypoints' least-squares affine map."""
        return self.num_kp + 1 + int(self.affine_candidate)

    def to_dict(self) -> dict:
        """The fields, without the flags added later where they are off (so the files of the
        models before them, and their hashes, stay as they were)."""
        d = asdict(self)
        for flag in LATER_FLAGS:
            if not d[flag]:
                del d[flag]
        return d

    def training_only(self) -> list[str]:
        """The flags that are on here and that the Swift decoder and the INT8 graph do not have
        yet (such a model can be trained and compared, not exported)."""
        return [flag for flag in LATER_FLAGS if getattr(self, flag)]


def identity_grid(h: int, w: int, device=None) -> torch.Tensor:
    """[h, w, 2] sampling coordinates (x, y) of pixel centres in [-1, 1]
    (align_corners=False convention)."""
    ys = (torch.arange(h, dtype=torch.float32, device=device) * 2 + 1) / h - 1
    xs = (torch.arange(w, dtype=torch.float32, device=device) * 2 + 1) / w - 1
    return torch.stack(torch.meshgrid(xs, ys, indexing="xy"), dim=-1)


def grid_sample(x: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


class ConvBNReLU(nn.Sequential):
    def __init__(self, cin: int, cout: int):
        super().__init__(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class Hourglass(nn.Module):
    """Encoder (conv, pool) / decoder (nearest 2x, conv) with concatenated skips.
    Output: `out_channels` = block + in channels at the input resolution."""

    def __init__(self, cin: int, block: int, depth: int, max_ch: int):
        super().__init__()
        chans = [cin] + [min(max_ch, block * 2 ** i) for i in range(depth)]
        self.down = nn.ModuleList(ConvBNReLU(chans[i], chans[i + 1]) for i in range(depth))
        self.up = nn.ModuleList()
        for i in reversed(range(depth)):
            up_in = chans[i + 1] if i == depth - 1 else 2 * chans[i + 1]
            self.up.append(ConvBNReLU(up_in, chans[i] if i > 0 else block))
        # decoder step i maps (features at level i+1 [+ skip]) to level i
        self.out_channels = block + cin

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = [x]
        for block in self.down:
            x = F.avg_pool2d(block(x), 2)
            skips.append(x)
        x = skips.pop()
        for block in self.up:
            x = block(F.interpolate(x, scale_factor=2, mode="nearest"))
            x = torch.cat([x, skips.pop()], dim=1)
        return x


class KeypointDetector(nn.Module):
    """Frame [B,3,S,S] in [0,1] -> keypoints [B,K,2]: the position (x, y) in [-1,1]; with
    `jacobians` [B,K,6], the position and the 2x2 local affine map (row-major), a heatmap-weighted
    mean of the Jacobian head's maps."""

    def __init__(self, cfg: AGCConfig):
        super().__init__()
        self.cfg = cfg
        self.hourglass = Hourglass(3, cfg.kp_channels, cfg.kp_depth, cfg.kp_max_channels)
        self.head = nn.Conv2d(self.hourglass.out_channels, cfg.num_kp, 3, padding=1)
        self.jacobian = None
        if cfg.jacobians:
            # starts as the identity everywhere: every keypoint's motion a pure shift, as without
            self.jacobian = nn.Conv2d(self.hourglass.out_channels, 4 * cfg.num_kp, 3, padding=1)
            nn.init.zeros_(self.jacobian.weight)
            with torch.no_grad():
                self.jacobian.bias.copy_(torch.tensor([1.0, 0.0, 0.0, 1.0]).repeat(cfg.num_kp))

    def features(self, frame: torch.Tensor) -> torch.Tensor:
        return self.hourglass(F.avg_pool2d(frame, self.cfg.size // self.cfg.motion_res))

    def heatmaps(self, features: torch.Tensor) -> torch.Tensor:
        """Spatial softmax over the head's logits, [B,K,R,R]."""
        logits = self.head(features) / self.cfg.kp_temperature
        b, k, h, w = logits.shape
        return F.softmax(logits.view(b, k, h * w), dim=-1).view(b, k, h, w)

    def forward(self, frame: torch.Tensor) -> torch.Tensor:
        features = self.features(frame)
        prob = self.heatmaps(features)
        b, k, r, _ = prob.shape
        grid = identity_grid(r, r, frame.device)  # [R,R,2]
        kp = torch.einsum("bkhw,hwc->bkc", prob, grid)
        if self.jacobian is None:
            return kp
        maps = self.jacobian(features).view(b, k, 4, r, r)
        return torch.cat([kp, torch.einsum("bkhw,bkjhw->bkj", prob, maps)], dim=-1)


def kp_jacobians(kp: torch.Tensor) -> torch.Tensor:
    """[B,K,6] keypoints -> their local affine maps [B,K,2,2]."""
    return kp[..., 2:].unflatten(-1, (2, 2))


def keypoint_grids(kp_src: torch.Tensor, kp_drv: torch.Tensor, res: int) -> torch.Tensor:
    """[B,K+1,R,R,2] sampling grids of the still background and of each keypoint's local affine
    motion z -> src + J_src J_drv^-1 (z - drv) (FOMM's first-order motion). Host-side."""
    b = kp_src.shape[0]
    z = identity_grid(res, res, kp_src.device)
    jac = kp_jacobians(kp_src) @ torch.linalg.inv(kp_jacobians(kp_drv))             # [B,K,2,2]
    rel = z[None, None] - kp_drv[:, :, None, None, :2]                               # [B,K,R,R,2]
    grids = kp_src[:, :, None, None, :2] + torch.einsum("bkij,bkhwj->bkhwi", jac, rel)
    return torch.cat([z.expand(b, 1, res, res, 2), grids], dim=1)


def keypoint_affine(kp_src: torch.Tensor, kp_drv: torch.Tensor, ridge: float = 1e-2) -> torch.Tensor:
    """[B,2,3] affine map A z + b (affine_grid convention: driving -> source coordinates) fitted by
    least squares to the keypoints (A kp_drv + b ~ kp_src), with A pulled towards the identity by
    `ridge` so that few or clustered keypoints give a tame map. Host-side."""
    b, k, _ = kp_drv.shape
    x = torch.cat([kp_drv, torch.ones(b, k, 1, device=kp_drv.device)], dim=2)      # [B,K,3]
    reg = torch.diag(torch.tensor([ridge, ridge, 0.0], device=kp_drv.device))
    prior = torch.zeros(3, 2, device=kp_drv.device)
    prior[0, 0] = prior[1, 1] = ridge
    lhs = x.transpose(1, 2) @ x + reg                                              # [B,3,3]
    rhs = x.transpose(1, 2) @ kp_src + prior                                       # [B,3,2]
    return torch.linalg.solve(lhs, rhs).transpose(1, 2)                            # [B,2,3]


def gaussian_heatmaps(kp: torch.Tensor, res: int, variance: float) -> torch.Tensor:
    """[B,K,2] -> [B,K,res,res] exp(-|z - kp|^2 / (2 var)). Host-side."""
    grid = identity_grid(res, res, kp.device)
    d = grid[None, None] - kp[:, :, None, None, :]
    return torch.exp(-0.5 * (d ** 2).sum(-1) / variance)


class DenseMotion(nn.Module):
    """Key frame + both keypoint sets -> displacement [B,R,R,2] and occlusion [B,1,R,R]."""

    def __init__(self, cfg: AGCConfig):
        super().__init__()
        self.cfg = cfg
        k1 = cfg.candidates
        self.hourglass = Hourglass(k1 * 4, cfg.dm_channels, cfg.dm_depth, cfg.dm_max_channels)
        self.mask = nn.Conv2d(self.hourglass.out_channels, k1, 3, padding=1)
        self.occlusion = nn.Conv2d(self.hourglass.out_channels, 1, 3, padding=1)

    def host_inputs(self, kp_src: torch.Tensor, kp_drv: torch.Tensor):
        """What the host computes from keypoints: heatmap differences [B,K+1,R,R]
        (background channel zero) and per-keypoint shifts [B,K+1,2] (background zero)."""
        r, v = self.cfg.motion_res, self.cfg.heatmap_variance
        kp_src, kp_drv = kp_src[..., :2], kp_drv[..., :2]
        heat = gaussian_heatmaps(kp_drv, r, v) - gaussian_heatmaps(kp_src, r, v)
        heat = F.pad(heat, (0, 0, 0, 0, 1, 0))
        shift = F.pad(kp_src - kp_drv, (0, 0, 1, 0))
        return heat, shift

    def candidate_motion(self, kp_src: torch.Tensor, kp_drv: torch.Tensor):
        """host_inputs for every candidate: heatmaps [B,C,R,R] and sampling grids [B,C,R,R,2]
        (C = cfg.candidates; with `affine_candidate`, the last is the keypoints' affine map, its
        heatmap zero) and the shifts [B,K+1,2] of the others (with `jacobians`, each keypoint's
        grid is its local affine motion, the shift that of its centre)."""
        r = self.cfg.motion_res
        heat, shift = self.host_inputs(kp_src, kp_drv)
        if self.cfg.jacobians:
            grids = keypoint_grids(kp_src, kp_drv, r)
        else:
            grids = identity_grid(r, r, kp_src.device)[None, None] + shift[:, :, None, None, :]
        if self.cfg.affine_candidate:
            theta = keypoint_affine(kp_src[..., :2], kp_drv[..., :2])
            affine = F.affine_grid(theta, [kp_src.shape[0], 1, r, r], align_corners=False)
            heat = F.pad(heat, (0, 0, 0, 0, 0, 1))
            grids = torch.cat([grids, affine[:, None]], dim=1)
        return heat, grids, shift

    def forward(self, source: torch.Tensor, kp_src: torch.Tensor, kp_drv: torch.Tensor):
        cfg = self.cfg
        b, r, k1 = source.shape[0], cfg.motion_res, cfg.candidates
        small = F.avg_pool2d(source, cfg.size // r)
        heat, grids, shift = self.candidate_motion(kp_src, kp_drv)
        warped = grid_sample(small.repeat_interleave(k1, 0), grids.reshape(b * k1, r, r, 2))
        x = torch.cat([heat, warped.view(b, k1 * 3, r, r)], dim=1)
        feat = self.hourglass(x)
        mask = F.softmax(self.mask(feat), dim=1)                         # [B,C,R,R]
        if cfg.jacobians:
            own = grids[:, :cfg.num_kp + 1] - identity_grid(r, r, source.device)[None, None]
            disp = torch.einsum("bkhw,bkhwc->bhwc", mask[:, :cfg.num_kp + 1], own)
        else:
            disp = torch.einsum("bkhw,bkc->bhwc", mask[:, :cfg.num_kp + 1], shift)  # sum_k mask_k * shift_k
        if cfg.affine_candidate:
            affine = grids[:, -1] - identity_grid(r, r, source.device)[None]
            disp = disp + mask[:, -1, :, :, None] * affine
        occlusion = torch.sigmoid(self.occlusion(feat))
        return disp, occlusion


class ResBlock(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.conv1 = nn.Conv2d(ch, ch, 3, padding=1)
        self.conv2 = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.relu(self.conv1(x)))


class Generator(nn.Module):
    """Key frame + displacement + occlusion -> frame.

    out = warp(key, flow at full size) + correction, where the correction is
    decoded from key-frame features warped at motion resolution and weighted by
    the occlusion map."""

    def __init__(self, cfg: AGCConfig):
        super().__init__()
        self.cfg = cfg
        c = cfg.gen_channels
        self.enc0 = nn.Conv2d(3, c, 3, padding=1)            # full size
        self.enc1 = nn.Conv2d(c, 2 * c, 3, padding=1)        # 1/2 (after pooling)
        self.enc2 = nn.Conv2d(2 * c, 4 * c, 3, padding=1)    # 1/4 = motion resolution
        self.res = nn.ModuleList(ResBlock(4 * c) for _ in range(cfg.gen_res_blocks))
        self.dec1 = nn.Conv2d(4 * c, 2 * c, 3, padding=1)    # 1/2 (after 2x upsampling)
        self.dec0 = nn.Conv2d(2 * c, c, 3, padding=1)        # full size
        # With gen_skip, dec0 also sees the warped key frame at full size (a convolution whose
        # output adds to dec0's before the ReLU): without it the correction is decoded from
        # 64x64 features alone and cannot see where, at full size, the warp went wrong.
        self.skip = nn.Conv2d(3, c, 3, padding=1, bias=False) if cfg.gen_skip else None
        self.out = nn.Conv2d(c, 3, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, source: torch.Tensor, disp: torch.Tensor, occlusion: torch.Tensor):
        s, r = self.cfg.size, self.cfg.motion_res
        b = source.shape[0]
        full_disp = F.interpolate(disp.permute(0, 3, 1, 2), size=(s, s), mode="bilinear",
                                  align_corners=False).permute(0, 2, 3, 1)
        warped = grid_sample(source, identity_grid(s, s, source.device)[None] + full_disp)
        x = F.relu(self.enc0(source))
        x = F.relu(self.enc1(F.avg_pool2d(x, 2)))
        x = F.relu(self.enc2(F.avg_pool2d(x, 2)))
        assert x.shape[-1] == r
        x = grid_sample(x, identity_grid(r, r, source.device)[None].expand(b, r, r, 2) + disp) * occlusion
        for block in self.res:
            x = block(x)
        x = F.relu(self.dec1(F.interpolate(x, scale_factor=2, mode="nearest")))
        x = self.dec0(F.interpolate(x, scale_factor=2, mode="nearest"))
        if self.skip is not None:
            x = x + self.skip(warped)
        x = F.relu(x)
        return warped + self.out(x), warped


class AGCModel(nn.Module):
    def __init__(self, cfg: AGCConfig):
        super().__init__()
        self.cfg = cfg
        self.kp_detector = KeypointDetector(cfg)
        self.dense_motion = DenseMotion(cfg)
        self.generator = Generator(cfg)

    def animate(self, source, kp_src, kp_drv):
        disp, occlusion = self.dense_motion(source, kp_src, kp_drv)
        out, warped = self.generator(source, disp, occlusion)
        return out, warped, disp, occlusion


def count_macs(cfg: AGCConfig) -> dict[str, float]:
    """Multiply-accumulates per frame of each sub-network (convolutions, plus
    4 per output sample for bilinear sampling), in GMAC."""
    model = AGCModel(cfg).eval()
    totals: dict[str, float] = {}

    def hook(name):
        def fn(mod, inp, out):
            if isinstance(mod, nn.Conv2d):
                k = mod.kernel_size[0] * mod.kernel_size[1]
                totals[name] = totals.get(name, 0) + out.numel() * mod.in_channels * k / mod.groups
        return fn

    for name, sub in [("kp_detector", model.kp_detector), ("dense_motion", model.dense_motion),
                      ("generator", model.generator)]:
        for m in sub.modules():
            m.register_forward_hook(hook(name))
    s = cfg.size
    with torch.no_grad():
        src = torch.rand(1, 3, s, s)
        kp = model.kp_detector(src)
        model.animate(src, kp, kp + 0.01)
    k1 = cfg.num_kp + 1
    r = cfg.motion_res
    totals["dense_motion"] += k1 * 3 * r * r * 4
    totals["generator"] += 3 * s * s * 4 + 4 * cfg.gen_channels * r * r * 4
    return {k: v / 1e9 for k, v in totals.items()}
