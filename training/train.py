#!/usr/bin/env python3
"""Train the AGC network. Resumable: `train.py --run NAME --resume` continues runs/NAME/checkpoint.pt (local, with the
optimizer state) or, in a fresh clone, the committed runs/NAME/resume.pt (float16 weights and
their average; the optimizer restarts).

Samples are (key frame, driving frame) pairs from one clip at most two seconds
apart, the way the codec uses them. Losses: multi-scale L1 on the output (or,
`--output-loss mse` / `log-mse`, squared error / each pair's log squared error:
L1 presses the generator's small early corrections to zero and killed its ReLUs
in the first runs; docs/model.md "The dead correction"), L1
on the pixel-warped key frame (a direct signal for the motion), keypoint
equivariance under random affine transforms, and a keypoint separation prior
(from step 1900 of the first run: without it the keypoints collapsed onto one
spot). Every `--val-every` steps the
model is scored on the validation clips (key frame every 50 frames, centre
square) against the repeated key frame; everything goes to
`runs/NAME/log.jsonl`; the weight average with the best mean gain so far is kept in
`runs/NAME/best.pt` (what export.py ships).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from agc_data import load_clips, load_training_clips  # noqa: E402
from camera import estimate_batch, prewarp  # noqa: E402
from agc_model import AGCConfig, AGCModel, count_macs, kp_jacobians  # noqa: E402
from grow import grow, growable  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", default="main", help="run name (folder under training/runs)")
    p.add_argument("--train-dir", default=str(HERE.parent.parent / "shared/data/train"))
    p.add_argument("--val-dir", default=str(HERE.parent.parent / "shared/data/val"))
    p.add_argument("--cache", default=str(HERE.parent / ".cache/frames"))
    p.add_argument("--pack", help="train and validate on this pack (training/pack.py) instead of the clips")
    p.add_argument("--resume", action="store_true", help="continue from runs/NAME/checkpoint.pt")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--steps", type=int, default=1_000_000, help="stop after this many steps in total")
    p.add_argument("--minutes", type=float, default=1e9, help="stop after this many minutes of this invocation")
    p.add_argument("--crops", default="face",
                   help="the training clips' crops, comma-separated: face (around the face, 1.9x its box), "
                        "centre (the centre square, as the validation and the codec's --crop full)")
    p.add_argument("--camera", action="store_true",
                   help="the key frame moved by the camera's motion (camera.py) before it is animated, "
                        "in training and validation, as the encoder measures it")
    p.add_argument("--max-gap", type=int, default=60, help="largest key-to-driving distance in frames")
    p.add_argument("--motion-fraction", type=float, default=0.0,
                   help="share of pairs drawn towards large motion (the most different of 4 candidates)")
    p.add_argument("--init-from", help="a new run starts from this run's resume.pt (its weights and step count)")
    p.add_argument("--reinit", default="",
                   help="with --init-from: comma-separated parameter-name prefixes to start afresh "
                        "(e.g. generator,dense_motion.occlusion), in the model and in its weight average")
    p.add_argument("--output-loss", choices=["l1", "mse", "log-mse"], default="l1",
                   help="the loss on the output: 4-level L1 (the first runs); 10 x 4-level squared error, "
                        "which does not press small corrections towards zero as L1 does; or the mean over "
                        "the pairs of log squared error (each pair's PSNR weighs the same, as in the "
                        "validation, instead of the pairs with large errors dominating)")
    p.add_argument("--freeze-motion", action="store_true",
                   help="train only the correction path (generator and occlusion head): the keypoint detector "
                        "and the dense motion stay as they are (batch norm on its running statistics)")
    p.add_argument("--gen-lr", type=float,
                   help="learning rate of the generator and the occlusion head (default: --lr)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a new run's architecture, changed from the default AGCConfig (repeatable), e.g. "
                        "--set num_kp=15 --set dm_channels=64; with --init-from, the other run's weights are "
                        "carried into it where training/grow.py can (a larger architecture); refused for a "
                        "run that resumes with another architecture")
    p.add_argument("--val-every", type=int, default=500)
    p.add_argument("--ckpt-every", type=int, default=100)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--ema", type=float, default=0.998, help="decay of the weight average that is validated and exported")
    args = p.parse_args()
    crops = args.crops.split(",")
    if set(crops) - {"face", "centre"} or len(set(crops)) != len(crops):
        p.error(f"--crops {args.crops}: expected face, centre, or both separated by a comma")
    return args


# ---------------------------------------------------------------- data

class PairSampler:
    """Random (key, driving) pairs with shared augmentation.

    With `motion_fraction` > 0, that share of the pairs is drawn towards large motion: the
    driving frame is the one of `candidates` random frames within `max_gap` of the key that
    differs most from it (mean absolute difference of 32x32 thumbnails), so head turns and
    large shifts, where the codec spends its key pictures, are well represented."""

    def __init__(self, clips: dict[str, np.ndarray], max_gap: int, rng: np.random.Generator,
                 motion_fraction: float = 0.0, candidates: int = 4):
        self.clips = [c for c in clips.values() if len(c) >= 2]
        lengths = np.array([len(c) for c in self.clips], dtype=np.float64)
        self.weights = np.sqrt(lengths) / np.sqrt(lengths).sum()
        self.max_gap = max_gap
        self.rng = rng
        self.motion_fraction = motion_fraction
        self.candidates = candidates
        self.thumbs = [self.thumbnails(c) for c in self.clips] if motion_fraction > 0 else []

    @staticmethod
    def thumbnails(clip: np.ndarray) -> np.ndarray:
        """[frames, 32, 32] mean-of-channels thumbnails (block averages), float32."""
        n, h, w, _ = clip.shape
        f = clip.reshape(n, 32, h // 32, 32, w // 32, 3).astype(np.float32)
        return f.mean(axis=(2, 4, 5))

    def batch(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        src, drv = [], []
        for ci in self.rng.choice(len(self.clips), size=n, p=self.weights):
            clip = self.clips[ci]
            i = int(self.rng.integers(len(clip)))
            lo, hi = max(0, i - self.max_gap), min(len(clip) - 1, i + self.max_gap)
            if self.rng.random() < self.motion_fraction:
                options = self.rng.integers(lo, hi + 1, size=self.candidates)
                thumbs = self.thumbs[ci]
                j = int(options[np.argmax(np.abs(thumbs[options] - thumbs[i]).mean(axis=(1, 2)))])
            else:
                j = int(self.rng.integers(lo, hi + 1))
            src.append(clip[i])
            drv.append(clip[j])
        return np.stack(src), np.stack(drv)


def to_tensor(frames: np.ndarray, device) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(frames)).to(device).permute(0, 3, 1, 2).float() / 255


def augment(src: torch.Tensor, drv: torch.Tensor, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """The same flip, zoom/shift and colour jitter for both frames of a pair."""
    b = src.shape[0]
    dev = src.device
    r = lambda *shape: torch.rand(*shape, generator=gen).to(dev)  # noqa: E731
    zoom = 1 / (1 + 0.25 * r(b))                       # sample a region 80%-100% wide
    flip = torch.where(r(b) < 0.5, -1.0, 1.0).to(dev)
    shift = (r(b, 2) * 2 - 1) * (1 - zoom)[:, None]
    theta = torch.zeros(b, 2, 3, device=dev)
    theta[:, 0, 0] = zoom * flip
    theta[:, 1, 1] = zoom
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, list(src.shape), align_corners=False)
    both = torch.cat([src, drv])
    both = F.grid_sample(both, torch.cat([grid, grid]), mode="bilinear", padding_mode="border",
                         align_corners=False)
    brightness = (r(b) * 0.3 - 0.15)[:, None, None, None]
    contrast = (r(b) * 0.4 + 0.8)[:, None, None, None]
    saturation = (r(b) * 0.6 + 0.7)[:, None, None, None]
    both = both.view(2, b, *src.shape[1:])
    gray = both.mean(dim=2, keepdim=True)
    both = gray + (both - gray) * saturation
    mean = both.mean(dim=(2, 3, 4), keepdim=True)
    both = ((both - mean) * contrast + mean + brightness).clamp(0, 1)
    return both[0], both[1]


def random_affine(b: int, gen: torch.Generator, device) -> torch.Tensor:
    """[B,2,3] maps output coordinates to input ones: near identity."""
    r = lambda *shape: torch.rand(*shape, generator=gen).to(device)  # noqa: E731
    angle = (r(b) * 2 - 1) * 0.25
    scale = 1 + (r(b) * 2 - 1) * 0.15
    theta = torch.zeros(b, 2, 3, device=device)
    theta[:, 0, 0] = scale * torch.cos(angle)
    theta[:, 0, 1] = -scale * torch.sin(angle)
    theta[:, 1, 0] = scale * torch.sin(angle)
    theta[:, 1, 1] = scale * torch.cos(angle)
    theta[:, :, 2] = (r(b, 2) * 2 - 1) * 0.15
    return theta


# ---------------------------------------------------------------- losses

def pyramid_per_pair(a: torch.Tensor, b: torch.Tensor, error, levels: int = 4) -> torch.Tensor:
    """[B]: each pair's mean of `error(a - b)` over a `levels`-level average-pooling pyramid."""
    total = 0.0
    for lvl in range(levels):
        if lvl:
            a, b = F.avg_pool2d(a, 2), F.avg_pool2d(b, 2)
        total = total + error(a - b).mean(dim=(1, 2, 3))
    return total / levels


def pyramid_l1(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return pyramid_per_pair(a, b, torch.abs).mean()


def pyramid_mse(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return pyramid_per_pair(a, b, torch.square).mean()


def pyramid_log_mse(a: torch.Tensor, b: torch.Tensor, floor: float = 1e-4) -> torch.Tensor:
    """Mean over the batch of 10 log10 of each pair's pyramid squared error (floored at 40 dB):
    minus the mean PSNR, so that every pair's dB count the same."""
    return (10 * torch.log10(pyramid_per_pair(a, b, torch.square) + floor)).mean()


def output_loss(kind: str, out: torch.Tensor, target: torch.Tensor) -> dict[str, torch.Tensor]:
    """The loss on the output named by --output-loss, under its log name, weighted."""
    if kind == "l1":
        return {"l1": pyramid_l1(out, target)}
    if kind == "mse":
        return {"mse": 10.0 * pyramid_mse(out, target)}
    return {"log_mse": 0.1 * pyramid_log_mse(out, target)}


def separation_loss(kp: torch.Tensor, min_sq_distance: float = 0.04) -> torch.Tensor:
    """Keypoint prior (as in face-vid2vid): penalise pairs of keypoints closer than
    sqrt(min_sq_distance), so that they do not collapse onto one spot."""
    kp = kp[..., :2]
    d2 = ((kp[:, :, None, :] - kp[:, None, :, :]) ** 2).sum(-1)           # [B,K,K]
    k = kp.shape[1]
    off = ~torch.eye(k, dtype=torch.bool, device=kp.device)
    return F.relu(min_sq_distance - d2)[:, off].sum(-1).mean() / (k * (k - 1))


def equivariance_loss(model: AGCModel, frame: torch.Tensor, kp: torch.Tensor, gen) -> torch.Tensor:
    """The keypoints of an affinely transformed frame, mapped back, are the frame's own; so are
    their local affine maps where the model has them (J = A J_t, as FOMM's)."""
    theta = random_affine(frame.shape[0], gen, frame.device)
    grid = F.affine_grid(theta, list(frame.shape), align_corners=False)
    transformed = F.grid_sample(frame, grid, padding_mode="border", align_corners=False)
    kp_t = model.kp_detector(transformed)
    mapped = torch.einsum("bij,bkj->bki", theta[:, :, :2], kp_t[..., :2]) + theta[:, None, :, 2]
    loss = (mapped - kp[..., :2]).abs().mean()
    if model.cfg.jacobians:
        carried = theta[:, None, :, :2] @ kp_jacobians(kp_t)
        eye = torch.eye(2, device=frame.device)
        loss = loss + (eye - torch.linalg.inv(kp_jacobians(kp)) @ carried).abs().mean()
    return loss


# ---------------------------------------------------------------- validation

def luma(x: torch.Tensor) -> torch.Tensor:
    """BT.601 studio-range Y in [16, 235] on the 0..255 scale, as FFmpeg's rgb->yuv."""
    return 16 + 219 * (0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2])


def psnr_y(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    mse = ((luma(a.clamp(0, 1)) - luma(b)) ** 2).mean(dim=(1, 2))
    return 10 * torch.log10(255 ** 2 / mse.clamp_min(1e-10))


@torch.no_grad()
def validate(model: AGCModel, clips: dict[str, np.ndarray], device, gop: int = 50, stride: int = 4,
             camera: bool = False) -> dict:
    model.eval()
    result = {}
    for name, frames in clips.items():
        ours, repeat = [], []
        for start in range(0, len(frames), gop):
            idx = [i for i in range(start + 1, min(start + gop, len(frames))) if i % stride == 0]
            if not idx:
                continue
            key = to_tensor(frames[start:start + 1], device)
            drv = to_tensor(frames[idx], device)
            kp_key = model.kp_detector(key)
            kp_drv = model.kp_detector(drv)
            keys, kp_keys = key.expand(len(idx), -1, -1, -1), kp_key.expand(len(idx), -1, -1)
            if camera:
                keys, kp_keys = prewarp(keys, kp_keys, estimate_batch(key, drv))
            out, _, _, _ = model.animate(keys, kp_keys, kp_drv)
            ours.append(psnr_y(out, drv))
            repeat.append(psnr_y(key.expand(len(idx), -1, -1, -1), drv))
        result[name] = {"psnr_y": float(torch.cat(ours).mean()), "repeat_psnr_y": float(torch.cat(repeat).mean())}
    result["mean"] = {k: float(np.mean([v[k] for v in result.values()])) for k in ("psnr_y", "repeat_psnr_y")}
    model.train()
    return result


# ---------------------------------------------------------------- main

CORRECTION_PREFIXES = ("generator.", "dense_motion.occlusion.")


def group_lr(name: str, args) -> float:
    return args.gen_lr if name == "correction" and args.gen_lr is not None else args.lr


def make_optimizer(model: AGCModel, args) -> torch.optim.Optimizer:
    """Adam with two parameter groups: the correction path (generator and occlusion head, which
    may learn at --gen-lr) and the rest (keypoints and motion)."""
    groups = {"motion": [], "correction": []}
    for name, p in model.named_parameters():
        groups["correction" if name.startswith(CORRECTION_PREFIXES) else "motion"].append(p)
    return torch.optim.Adam([{"params": v, "name": k, "lr": group_lr(k, args)} for k, v in groups.items()],
                            betas=(0.5, 0.999))


def config_with(cfg: AGCConfig, settings: list[str]) -> AGCConfig:
    """`cfg` with the --set KEY=VALUE changes applied (each value of its field's type; a flag
    takes true/false/1/0)."""
    values = dataclasses.asdict(cfg)
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep or key not in values:
            sys.exit(f"--set {item}: expected KEY=VALUE with KEY one of {', '.join(values)}")
        kind = type(values[key])
        if kind is bool:
            if value.lower() not in ("true", "false", "1", "0"):
                sys.exit(f"--set {item}: {value!r} is not true or false")
            values[key] = value.lower() in ("true", "1")
            continue
        try:
            values[key] = kind(value)
        except ValueError:
            sys.exit(f"--set {item}: {value!r} is not a {kind.__name__}")
    return AGCConfig(**values)


def saved_config(state: dict, requested: AGCConfig, settings: list[str], path: Path,
                 may_grow: bool) -> tuple[AGCConfig, AGCConfig | None]:
    """The architecture to train on a saved state, and the state's own where it is grown into
    another (a new run started with --init-from and a --set that grow.py supports). Otherwise a
    --set must ask for the saved architecture."""
    saved = AGCConfig(**state["config"])
    if not settings or saved == requested:
        return saved, None
    if may_grow and growable(saved, requested):
        return requested, saved
    saved_fields = dataclasses.asdict(saved)
    changed = [k for k, v in dataclasses.asdict(requested).items() if saved_fields[k] != v]
    sys.exit(f"{path}: its architecture differs from the --set one in {', '.join(changed)}; "
             "--set applies to new runs, and to --init-from where training/grow.py can carry the weights")


def reinitialize(model: AGCModel, ema: AGCModel, cfg: AGCConfig, prefixes: list[str], seed: int) -> list[str]:
    """Give the tensors under `prefixes` the values of a freshly built model (in the model and
    its weight average), e.g. to restart a dead part of the network from a trained rest."""
    torch.manual_seed(seed)
    fresh = AGCModel(cfg).state_dict()
    chosen = {k: v for k, v in fresh.items() if any(k.startswith(p) for p in prefixes if p)}
    if not chosen:
        sys.exit(f"--reinit {','.join(prefixes)}: no tensor of the model has such a name")
    for target in (model, ema):
        state = target.state_dict()
        state.update({k: v.to(state[k].device) for k, v in chosen.items()})
        target.load_state_dict(state)
    return sorted(chosen)


def freeze_motion(model: AGCModel) -> None:
    """Keypoints and motion as they are: no gradient, batch norm on its running statistics.
    The occlusion head stays trainable (it feeds only the generator's correction)."""
    for name, p in model.named_parameters():
        p.requires_grad_(name.startswith(CORRECTION_PREFIXES))
    model.kp_detector.eval()
    model.dense_motion.eval()


class CorrectionMonitor:
    """Watches the generator's correction: the share of its last hidden layer's units that are
    positive (ReLU alive) on the batch. A correction path whose units are all dead stays dead
    (no gradient reaches it), and the output is then just the warped key frame."""

    def __init__(self, model: AGCModel):
        self.alive = 0.0
        model.generator.out.register_forward_pre_hook(self.hook)

    def hook(self, module, inputs):
        """The output convolution's input is the last hidden layer after its ReLU."""
        self.alive = float((inputs[0].detach() > 0).float().mean())


@torch.no_grad()
def update_ema(ema: AGCModel, model: AGCModel, decay: float) -> None:
    """ema <- decay * ema + (1 - decay) * model for parameters; batch-norm statistics copied."""
    for e, m in zip(ema.parameters(), model.parameters()):
        e.mul_(decay).add_(m, alpha=1 - decay)
    for e, m in zip(ema.buffers(), model.buffers()):
        e.copy_(m)


def logged_best_gain(run):
    """The best mean PSNR-Y gain over the repeated key frame in `run`'s log.jsonl (-1e9 if none)."""
    best = -1e9
    log_path = run / "log.jsonl"
    if log_path.exists():
        for line in log_path.read_text().splitlines():
            rec = json.loads(line)
            if "val" in rec:
                best = max(best, rec["val"]["mean"]["psnr_y"] - rec["val"]["mean"]["repeat_psnr_y"])
    return best


def save_atomic(obj, path: Path):
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    run = HERE / "runs" / args.run
    run.mkdir(parents=True, exist_ok=True)
    ckpt_path = run / "checkpoint.pt"

    # Where the run starts: its own full checkpoint, a compact resume.pt (its own on a fresh
    # clone, or another run's with --init-from), or nothing (a new run of the --set architecture).
    cfg = config_with(AGCConfig(), args.set)
    full = args.resume and ckpt_path.exists()
    compact = None
    if not full and ((args.resume and (run / "resume.pt").exists())
                     or (args.init_from and not (run / "resume.pt").exists())):
        compact = run / "resume.pt" if (run / "resume.pt").exists() else HERE / "runs" / args.init_from / "resume.pt"
    if not full and not compact and ckpt_path.exists():
        sys.exit(f"{ckpt_path} exists: pass --resume to continue it, or choose another --run")
    state = torch.load(ckpt_path if full else compact, map_location=device) if full or compact else None
    grown_from = None
    if state is not None:
        cfg, grown_from = saved_config(state, cfg, args.set, ckpt_path if full else compact,
                                       may_grow=bool(compact) and compact.parent.name != args.run)

    if state is None or not (run / "config.json").exists():
        (run / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2) + "\n")

    model = AGCModel(cfg).to(device)
    opt = make_optimizer(model, args)
    ema = AGCModel(cfg).to(device)
    ema.load_state_dict(model.state_dict())
    step, samples, elapsed_before = 0, 0, 0.0
    if full:
        model.load_state_dict(state["model"])
        ema.load_state_dict(state.get("ema", state["model"]))
        try:
            opt.load_state_dict(state["optimizer"])
        except ValueError:  # a checkpoint from before the two parameter groups
            print("optimizer state of another layout: the optimizer restarts", flush=True)
        step, samples, elapsed_before = state["step"], state["samples"], state.get("elapsed", 0.0)
        for g in opt.param_groups:
            g["lr"] = group_lr(g["name"], args)
        print(f"resumed {ckpt_path} at step {step}", flush=True)
    elif compact:
        # Weights in float16, no optimizer moments.
        for target, key in ((model, "model"), (ema, "ema")):
            weights = {k: v.float() if v.is_floating_point() else v for k, v in state[key].items()}
            target.load_state_dict(grow(weights, grown_from, cfg, args.seed) if grown_from else weights)
        step, samples, elapsed_before = state["step"], state["samples"], state.get("elapsed", 0.0)
        print(f"resumed {compact} at step {step} (optimizer restarted)", flush=True)
        if grown_from:
            print(f"grown from {compact.parent.name}'s architecture (training/grow.py)", flush=True)
        if args.freeze_motion:
            # The frozen parts are what was validated: the weight average, not the last raw weights
            # (the average of a frozen part would otherwise drift towards the raw ones).
            model.load_state_dict(ema.state_dict())
        if args.reinit and compact.parent.name != args.run:
            names = reinitialize(model, ema, cfg, args.reinit.split(","), args.seed)
            print(f"started afresh: {len(names)} tensors under {args.reinit}", flush=True)
    else:
        print("GMAC per frame:", json.dumps({k: round(v, 3) for k, v in count_macs(cfg).items()}), flush=True)
    del state

    crops = args.crops.split(",")
    if args.pack:  # a GPU machine: the compact pack of training/pack.py instead of the clips
        from pack import load_pack
        train, val = load_pack(Path(args.pack), "train", crops), load_pack(Path(args.pack), "val")
    else:
        train = load_training_clips(Path(args.train_dir), Path(args.cache), cfg.size, crops)
        val = load_clips(Path(args.val_dir), Path(args.cache), cfg.size, "centre")
    rng = np.random.default_rng(args.seed + step)
    gen = torch.Generator().manual_seed(args.seed + step)
    sampler = PairSampler(train, args.max_gap, rng, motion_fraction=args.motion_fraction)
    log = open(run / "log.jsonl", "a")
    with open(run / "invocations.jsonl", "a") as f:  # how each stretch of the run was started
        f.write(json.dumps({"start_step": step, "argv": sys.argv[1:]}) + "\n")

    def checkpoint():
        save_atomic({"config": cfg.to_dict(), "model": model.state_dict(), "ema": ema.state_dict(),
                     "optimizer": opt.state_dict(),
                     "step": step, "samples": samples,
                     "elapsed": elapsed_before + time.time() - t0}, ckpt_path)
        half = lambda sd: {k: v.half() if v.is_floating_point() else v for k, v in sd.items()}  # noqa: E731
        save_atomic({"config": cfg.to_dict(), "model": half(model.state_dict()), "ema": half(ema.state_dict()),
                     "step": step, "samples": samples, "elapsed": elapsed_before + time.time() - t0},
                    run / "resume.pt")

    t0 = time.time()
    model.train()
    if args.freeze_motion:
        freeze_motion(model)
    running = {}
    monitor = CorrectionMonitor(model)
    while step < args.steps and (time.time() - t0) < args.minutes * 60:
        src_np, drv_np = sampler.batch(args.batch)
        src, drv = augment(to_tensor(src_np, device), to_tensor(drv_np, device), gen)
        with torch.set_grad_enabled(not args.freeze_motion):
            kp_src = model.kp_detector(src)
            kp_drv = model.kp_detector(drv)
        key, kp_key = src, kp_src
        if args.camera:  # as the decoder will: the key frame moved by the camera the encoder measured
            key, kp_key = prewarp(src, kp_src, estimate_batch(src, drv))
        out, warped, _, _ = model.animate(key, kp_key, kp_drv)
        losses = output_loss(args.output_loss, out, drv)
        if not args.freeze_motion:
            losses |= {
                "warp_l1": 0.5 * pyramid_l1(warped, drv),
                "equivariance": 5.0 * equivariance_loss(model, drv, kp_drv, gen),
                "separation": 50.0 * separation_loss(torch.cat([kp_src, kp_drv])),
            }
        total = sum(losses.values())
        opt.zero_grad(set_to_none=True)
        total.backward()
        opt.step()
        update_ema(ema, model, args.ema)
        step += 1
        samples += args.batch
        for k, v in losses.items():
            running[k] = running.get(k, 0.0) + float(v)
        if args.output_loss != "l1":
            running["out_l1"] = running.get("out_l1", 0.0) + float(pyramid_l1(out.detach(), drv))
            running["warp_mse"] = running.get("warp_mse", 0.0) + 10.0 * float(pyramid_mse(warped.detach(), drv))
            if "mse" not in losses:  # the squared-error loss term is this value already
                running["out_mse"] = running.get("out_mse", 0.0) + 10.0 * float(pyramid_mse(out.detach(), drv))
        running["correction"] = running.get("correction", 0.0) + float((out - warped).detach().abs().mean())
        running["alive"] = running.get("alive", 0.0) + monitor.alive
        if step % 20 == 0:
            rec = {"step": step, "samples": samples, "elapsed_s": round(elapsed_before + time.time() - t0, 1)}
            rec.update({k: round(v / 20, 5) for k, v in running.items()})
            running = {}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            print(json.dumps(rec), flush=True)
            if rec["alive"] < 0.01:
                print("warning: the generator's correction is dead (no unit of its last hidden layer is "
                      "positive): the output is the warped key frame; see docs/model.md", file=sys.stderr, flush=True)
        if step % args.ckpt_every == 0:
            checkpoint()
        if step % args.val_every == 0:
            v = validate(ema, val, device, camera=args.camera)
            rec = {"step": step, "samples": samples, "val": v}
            gain = v["mean"]["psnr_y"] - v["mean"]["repeat_psnr_y"]
            best_path = run / "best.pt"
            # best.pt stays on the machine that made it (not committed); on a fresh clone the
            # log's best gain is the bar, so an earlier, better step is not overwritten in name.
            best = torch.load(best_path, map_location="cpu")["val_gain"] if best_path.exists() else logged_best_gain(run)
            if gain > best:
                save_atomic({"config": cfg.to_dict(), "ema": ema.state_dict(), "step": step, "samples": samples,
                             "elapsed": elapsed_before + time.time() - t0, "val_gain": gain}, best_path)
                rec["best"] = True
            log.write(json.dumps(rec) + "\n")
            log.flush()
            print(json.dumps(rec), flush=True)
    checkpoint()
    print(f"stopped at step {step} ({samples} samples)", flush=True)


if __name__ == "__main__":
    main()
