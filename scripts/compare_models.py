#!/usr/bin/env python3
"""One table of two `agc-model-eval --json` reports (the shipped model and a candidate): per clip
PSNR-Y / SSIM-Y / MS-SSIM-Y of each model (its INT8 decoder where both reports have it, else the
float path), the candidate's gain, the repeated key frame and the global-affine baseline, and
whether the candidate meets issue 14's bar (at least +1 dB PSNR-Y on average and better on every
clip)."""
from __future__ import annotations

import argparse
import json


def scores(clip: dict, use_int8: bool) -> dict:
    return clip["int8"] if use_int8 else clip["model"]


def cell(s: dict) -> str:
    return f"{s['psnr_y']:.2f} / {s['ssim_y']:.4f} / {s['msssim_y']:.4f}"


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("old", help="agc-model-eval --json of the shipped model")
    p.add_argument("new", help="agc-model-eval --json of the candidate")
    args = p.parse_args()
    old, new = (json.load(open(path)) for path in (args.old, args.new))
    clips_old = {c["clip"]: c for c in old["clips"]}
    clips_new = {c["clip"]: c for c in new["clips"]}
    names = [n for n in clips_old if n in clips_new]
    if not names:
        raise SystemExit("the two reports share no clip")
    use_int8 = all(clips_old[n].get("int8") and clips_new[n].get("int8") for n in names)
    path = "INT8 decoder (emulator)" if use_int8 else "float path"
    print(f"old: {old['model']}; new: {new['model']}; {path}; PSNR-Y / SSIM-Y / MS-SSIM-Y over the rebuilt frames\n")
    print("| clip | old | new | new - old PSNR-Y | repeated key frame | global affine |")
    print("| --- | --- | --- | --- | --- | --- |")
    gains, means = [], {"old": [], "new": [], "repeat": [], "affine": []}
    for n in names:
        a, b = scores(clips_old[n], use_int8), scores(clips_new[n], use_int8)
        repeat, affine = clips_old[n]["repeated_key_frame"], clips_old[n]["global_affine"]
        gains.append(b["psnr_y"] - a["psnr_y"])
        for key, value in (("old", a), ("new", b), ("repeat", repeat), ("affine", affine)):
            means[key].append(value)
        print(f"| {n} | {cell(a)} | {cell(b)} | {gains[-1]:+.2f} dB | {cell(repeat)} | {cell(affine)} |")
    avg = {k: {m: sum(s[m] for s in v) / len(v) for m in ("psnr_y", "ssim_y", "msssim_y")} for k, v in means.items()}
    mean_gain = sum(gains) / len(gains)
    print(f"| **mean** | {cell(avg['old'])} | {cell(avg['new'])} | {mean_gain:+.2f} dB | {cell(avg['repeat'])} | "
          f"{cell(avg['affine'])} |")
    meets = mean_gain >= 1.0 and min(gains) > 0
    print(f"\nissue 14's bar (+1 dB on average and better on every clip): {'met' if meets else 'not met'} "
          f"(mean {mean_gain:+.2f} dB, worst clip {min(gains):+.2f} dB); "
          f"new over the repeated key frame: {avg['new']['psnr_y'] - avg['repeat']['psnr_y']:+.2f} dB, "
          f"lowest MS-SSIM-Y {min(scores(clips_new[n], use_int8)['msssim_y'] for n in names):.4f}")


if __name__ == "__main__":
    main()
