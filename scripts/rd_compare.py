#!/usr/bin/env python3
"""BD-rates between curves of one agc-rd run: every curve against a base curve, per clip and on
average, on MS-SSIM-Y and PSNR-Y (the method of agc-rd's Bjontegaard: PCHIP of log-rate over
quality on each curve's monotone envelope, integrated over the overlapping quality range).

    scripts/rd_compare.py out/rd-offset/points.csv --base agc-hevc [--json FILE]

Prints a markdown table; negative: the curve needs less rate than the base at equal quality.
"""
import argparse
import csv
import json
import math
import sys
from collections import defaultdict

from scipy.interpolate import PchipInterpolator


def envelope(points):
    """Points sorted by rate, keeping only those that improve on every cheaper one."""
    kept = []
    for rate, quality in sorted(p for p in points if p[0] > 0 and math.isfinite(p[1])):
        if kept and (quality <= kept[-1][1] or rate == kept[-1][0]):
            continue
        kept.append((rate, quality))
    return kept


def bd_rate(anchor, test):
    a, t = envelope(anchor), envelope(test)
    if len(a) < 2 or len(t) < 2:
        return None
    low, high = max(a[0][1], t[0][1]), min(a[-1][1], t[-1][1])
    if high <= low:
        return None
    fa = PchipInterpolator([q for _, q in a], [math.log10(r) for r, _ in a])
    ft = PchipInterpolator([q for _, q in t], [math.log10(r) for r, _ in t])
    mean = (ft.integrate(low, high) - fa.integrate(low, high)) / (high - low)
    return (10 ** mean - 1) * 100


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("points", help="points.csv of an agc-rd run")
    parser.add_argument("--base", default="agc-hevc", help="the curve the others are measured against")
    parser.add_argument("--json", help="also write the figures as JSON here")
    args = parser.parse_args()

    curves = defaultdict(lambda: defaultdict(list))  # clip -> curve -> [(kbps, msssim, psnr)]
    with open(args.points, newline="") as f:
        for row in csv.DictReader(f):
            curves[row["clip"]][row["curve"]].append(
                (float(row["kbps"]), float(row["msssim_y"]), float(row["psnr_y"])))
    if not curves:
        sys.exit(f"{args.points}: no points")
    names = sorted({c for clip in curves.values() for c in clip if c != args.base})
    results = {}
    for clip, by_curve in sorted(curves.items()):
        if args.base not in by_curve:
            sys.exit(f"{args.points}: clip {clip} has no curve {args.base}")
        base = by_curve[args.base]
        for name in names:
            if name not in by_curve:
                continue
            test = by_curve[name]
            results.setdefault(name, {})[clip] = {
                "msssim_y": bd_rate([(r, m) for r, m, _ in base], [(r, m) for r, m, _ in test]),
                "psnr_y": bd_rate([(r, p) for r, _, p in base], [(r, p) for r, _, p in test]),
            }
    clips = sorted(curves)
    fmt = lambda v: "-" if v is None else f"{v:+.1f}%"
    print(f"BD-rate against {args.base}, MS-SSIM-Y / PSNR-Y (negative: less rate):\n")
    print("| curve | " + " | ".join(clips) + " | mean |")
    print("|---" * (len(clips) + 2) + "|")
    for name in names:
        cells, ms, ps = [], [], []
        for clip in clips:
            r = results.get(name, {}).get(clip)
            if r is None:
                cells.append("-")
                continue
            cells.append(f"{fmt(r['msssim_y'])} / {fmt(r['psnr_y'])}")
            if r["msssim_y"] is not None:
                ms.append(r["msssim_y"])
            if r["psnr_y"] is not None:
                ps.append(r["psnr_y"])
        mean = lambda v: sum(v) / len(v) if v else None
        results.setdefault(name, {})["mean"] = {"msssim_y": mean(ms), "psnr_y": mean(ps)}
        print(f"| {name} | " + " | ".join(cells) + f" | {fmt(mean(ms))} / {fmt(mean(ps))} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"base": args.base, "bd_rate_percent": results}, f, indent=1)


if __name__ == "__main__":
    main()
