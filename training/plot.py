#!/usr/bin/env python3
"""Plot a run's training and validation curves: runs/NAME/curve.png (and .svg)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = Path(__file__).resolve().parent


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--run", default="main")
    args = p.parse_args()
    run = HERE / "runs" / args.run
    train, val = [], []
    for line in (run / "log.jsonl").read_text().splitlines():
        rec = json.loads(line)
        (val if "val" in rec else train).append(rec)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    for key in ("l1", "warp_l1", "equivariance", "separation", "mse", "out_mse", "warp_mse", "correction"):
        have = [r for r in train if key in r]
        if have:
            ax1.plot([r["samples"] for r in have], [r[key] for r in have], label=key, linewidth=0.8)
    ax1.set_xlabel("training samples")
    ax1.set_ylabel("loss")
    ax1.set_yscale("log")
    ax1.legend()
    ax1.set_title("training losses")
    if val:
        vs = [r["samples"] for r in val]
        clips = [k for k in val[0]["val"] if k != "mean"]
        for clip in clips + ["mean"]:
            gain = [r["val"][clip]["psnr_y"] - r["val"][clip]["repeat_psnr_y"] for r in val]
            ax2.plot(vs, gain, label=clip, linewidth=2.5 if clip == "mean" else 1)
        ax2.axhline(0, color="grey", linewidth=0.8)
        ax2.set_xlabel("training samples")
        ax2.set_ylabel("PSNR-Y gain over repeated key frame (dB)")
        ax2.legend(fontsize=8)
        ax2.set_title("validation (centre square, key frame every 50 frames)")
    fig.tight_layout()
    fig.savefig(run / "curve.png", dpi=90)
    fig.savefig(run / "curve.svg")
    print(f"wrote {run / 'curve.png'}")


if __name__ == "__main__":
    main()
