#!/usr/bin/env python3
"""Models side by side on the validation clips, float, with eval-model's protocol: the centre
square at 256x256, a key frame every 2 s, every other frame rebuilt from its own keypoints. Mean
PSNR-Y per clip, and the repeated key frame's. With `--camera`, each model also with the key
frame moved by the camera's motion (camera.py) where the encoder would keep it: on the frames
that it rebuilds better (the encoder has the frame).

For what the Swift decoder cannot run yet (training-only flags, the camera's motion): its
numbers are close to, not the same as, `scripts/eval-model.sh`'s (the frames are scaled by
another filter), so compare models within one table.

    /usr/bin/python3 training/eval_float.py shipped training/runs/joint-logmse/resume.pt --camera
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from agc_data import list_videos, load_clips  # noqa: E402
from agc_model import AGCConfig, AGCModel  # noqa: E402
from camera import estimate_batch, prewarp  # noqa: E402
from train import psnr_y, to_tensor  # noqa: E402


def load_model(spec: str) -> AGCModel:
    """'shipped' (the package's float model) or a checkpoint / resume.pt (its weight average)."""
    if spec == "shipped":
        from quantize import load_shipped
        return load_shipped(HERE.parent / "Sources/AGCModel/Resources")[0]
    path = Path(spec)
    if not path.exists():
        sys.exit(f"{path}: no such checkpoint")
    state = torch.load(path, map_location="cpu")
    model = AGCModel(AGCConfig(**state["config"]))
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state["ema"].items()})
    return model.eval()


def frame_rate(path: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "stream=avg_frame_rate", "-of", "csv=p=0", str(path)],
                         check=True, capture_output=True, text=True).stdout.strip()
    return float(Fraction(out))


@torch.no_grad()
def evaluate(model: AGCModel, frames: np.ndarray, gop: int, camera: bool) -> dict[str, list[float]]:
    """PSNR-Y of each rebuilt frame ('psnr_y'), with the camera's motion where the encoder keeps
    it ('camera_psnr_y', with `camera`), and of the repeated key frame ('repeat_psnr_y')."""
    scores = {"psnr_y": [], "camera_psnr_y": [], "repeat_psnr_y": []}
    for start in range(0, len(frames), gop):
        idx = list(range(start + 1, min(start + gop, len(frames)), 2))
        if not idx:
            continue
        key, drv = to_tensor(frames[start:start + 1], "cpu"), to_tensor(frames[idx], "cpu")
        keys = key.expand(len(idx), -1, -1, -1)
        kp_keys, kp_drv = model.kp_detector(key).expand(len(idx), -1, -1), model.kp_detector(drv)
        plain = psnr_y(model.animate(keys, kp_keys, kp_drv)[0], drv)
        scores["psnr_y"] += plain.tolist()
        scores["repeat_psnr_y"] += psnr_y(keys, drv).tolist()
        if camera:  # rebuilt again only where the camera moves
            theta = estimate_batch(key, drv)
            moving = (theta != torch.eye(2, 3)).flatten(1).any(1)
            best = plain.clone()
            if moving.any():
                moved, kp_moved = prewarp(keys[moving], kp_keys[moving], theta[moving])
                with_camera = psnr_y(model.animate(moved, kp_moved, kp_drv[moving])[0], drv[moving])
                best[moving] = torch.maximum(plain[moving], with_camera)
            scores["camera_psnr_y"] += best.tolist()
    return scores


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models", nargs="+", help="'shipped' or checkpoint files")
    p.add_argument("--val-dir", default=str(HERE.parent.parent / "shared/data/val"))
    p.add_argument("--cache", default=str(HERE.parent / ".cache/frames"))
    p.add_argument("--camera", action="store_true", help="also with the camera's motion (camera.py)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    models = {spec: load_model(spec) for spec in args.models}
    clips = load_clips(Path(args.val_dir), Path(args.cache), 256, "centre")
    rates = {v.stem: frame_rate(v) for v in list_videos(Path(args.val_dir))}
    table = {}
    for spec, model in models.items():
        rows = {}
        for name, frames in clips.items():
            scores = evaluate(model, frames, max(1, round(2 * rates[name])), args.camera)
            rows[name] = {k: float(np.mean(v)) for k, v in scores.items() if v}
        rows["mean"] = {k: float(np.mean([r[k] for r in rows.values()])) for k in rows[next(iter(clips))]}
        table[spec] = rows
    if args.json:
        print(json.dumps(table, indent=1))
        return
    # one column per model (and per model with the camera), each against the first column
    columns = [(s, "psnr_y", s) for s in args.models]
    if args.camera:
        columns += [(s, "camera_psnr_y", f"{s} + camera") for s in args.models]
    first = table[columns[0][0]]
    print("| clip | " + " | ".join(title for _, _, title in columns) + " | repeated key frame |")
    print("| --- |" + " --- |" * (len(columns) + 1))
    for n in list(clips) + ["mean"]:
        base = first[n]["psnr_y"]
        cells = [f"{table[s][n][k]:.2f}" + (f" ({table[s][n][k] - base:+.2f})" if i else "")
                 for i, (s, k, _) in enumerate(columns)]
        print(f"| {n} | " + " | ".join(cells) + f" | {first[n]['repeat_psnr_y']:.2f} |")


if __name__ == "__main__":
    main()
