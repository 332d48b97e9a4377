#!/usr/bin/env python3
"""Models side by side on the validation clips, float, with eval-model's protocol: the centre
square at 256x256, a key frame every 2 s, every other frame rebuilt from its own keypoints (and,
for a model with the camera candidate, the camera's move measured as the encoder would). Mean
PSNR-Y per clip, and the repeated key frame's.

For the models that the Swift decoder cannot run yet (training-only flags): its numbers are close
to, not the same as, `scripts/eval-model.sh`'s (the frames are scaled by another filter), so
compare models within one table.

    /usr/bin/python3 training/eval_float.py shipped training/runs/joint-logmse/resume.pt training/runs/camera/checkpoint.pt
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
from camera import estimate_batch  # noqa: E402
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
def evaluate(model: AGCModel, frames: np.ndarray, gop: int) -> tuple[list[float], list[float]]:
    """PSNR-Y of each rebuilt frame, and of the repeated key frame."""
    ours, repeat = [], []
    for start in range(0, len(frames), gop):
        idx = list(range(start + 1, min(start + gop, len(frames)), 2))
        if not idx:
            continue
        key, drv = to_tensor(frames[start:start + 1], "cpu"), to_tensor(frames[idx], "cpu")
        keys = key.expand(len(idx), -1, -1, -1)
        camera = estimate_batch(key, drv) if model.cfg.camera_candidate else None
        out = model.animate(keys, model.kp_detector(key).expand(len(idx), -1, -1), model.kp_detector(drv), camera)[0]
        ours += psnr_y(out, drv).tolist()
        repeat += psnr_y(keys, drv).tolist()
    return ours, repeat


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models", nargs="+", help="'shipped' or checkpoint files")
    p.add_argument("--val-dir", default=str(HERE.parent.parent / "shared/data/val"))
    p.add_argument("--cache", default=str(HERE.parent / ".cache/frames"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    clips = load_clips(Path(args.val_dir), Path(args.cache), 256, "centre")
    rates = {v.stem: frame_rate(v) for v in list_videos(Path(args.val_dir))}
    table = {}
    for spec in args.models:
        model = load_model(spec)
        rows = {}
        for name, frames in clips.items():
            ours, repeat = evaluate(model, frames, gop=max(1, round(2 * rates[name])))
            rows[name] = {"psnr_y": float(np.mean(ours)), "repeat_psnr_y": float(np.mean(repeat))}
        rows["mean"] = {k: float(np.mean([r[k] for r in rows.values()])) for k in ("psnr_y", "repeat_psnr_y")}
        table[spec] = rows
    if args.json:
        print(json.dumps(table, indent=1))
        return
    names = list(clips) + ["mean"]
    first = args.models[0]
    print("| clip | " + " | ".join(args.models) + " | repeated key frame |")
    print("| --- |" + " --- |" * (len(args.models) + 1))
    for n in names:
        cells = [f"{table[first][n]['psnr_y']:.2f}"]
        cells += [f"{table[s][n]['psnr_y']:.2f} ({table[s][n]['psnr_y'] - table[first][n]['psnr_y']:+.2f})"
                  for s in args.models[1:]]
        print(f"| {n} | " + " | ".join(cells) + f" | {table[first][n]['repeat_psnr_y']:.2f} |")


if __name__ == "__main__":
    main()
