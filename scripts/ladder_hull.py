#!/usr/bin/env python3
"""The measured hull behind `agc-encode --crf` (QualityLadder): AGC points of one or more agc-rd
runs on the same training clips and frames, each setting averaged over the clips (mean log10
rate, mean MS-SSIM-Y), and the upper convex hull of quality over log-rate: the settings no mix
of others beats.

    scripts/ladder_hull.py out/rd-train/points.csv out/rd-grid-high/points.csv [--curve agc-hevc]

Only settings measured on every clip count. Prints every setting (hull points marked) and the
hull as (QP, keypoint step, threshold) from low to high rate.
"""
import argparse
import csv
import math
import re
import sys
from collections import defaultdict


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("points", nargs="+", help="points.csv files of agc-rd runs")
    parser.add_argument("--curve", default="agc-hevc", help="the AGC curve to read (e.g. agc-hevc-p+4)")
    args = parser.parse_args()

    by_setting = defaultdict(dict)  # (qp, step, threshold) -> clip -> (log rate, msssim)
    clips = set()
    for path in args.points:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                if row["curve"] != args.curve:
                    continue
                m = re.match(r"qp (\d+), step 1/(\d+), msssim:([0-9.]+)", row["label"])
                if not m:
                    continue
                key = (int(m[1]), int(m[2]), float(m[3]))
                clips.add(row["clip"])
                by_setting[key][row["clip"]] = (math.log10(float(row["kbps"])), float(row["msssim_y"]))
    complete = {k: v for k, v in by_setting.items() if set(v) == clips}
    if len(complete) < 2:
        sys.exit(f"fewer than two settings of {args.curve} measured on every clip ({len(clips)} clips)")
    means = sorted(((sum(r for r, _ in v.values()) / len(v), sum(q for _, q in v.values()) / len(v), k)
                    for k, v in complete.items()))
    # Upper convex hull of quality over log-rate (monotone chain over points sorted by rate).
    hull = []
    for p in means:
        while len(hull) >= 2:
            (x1, y1, _), (x2, y2, _) = hull[-2], hull[-1]
            if (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1) >= 0:
                hull.pop()
            else:
                break
        hull.append(p)
    # Keep the rising part only: a dearer setting must also be better.
    best = []
    for p in hull:
        if not best or p[1] > best[-1][1]:
            best.append(p)
    on_hull = {p[2] for p in best}
    print(f"{args.curve} over {len(clips)} clips ({', '.join(sorted(clips))}); * = on the hull\n")
    print("| QP | step | threshold | mean kb/s (geometric) | mean MS-SSIM-Y | hull |")
    print("|---|---|---|---|---|---|")
    for rate, quality, (qp, step, threshold) in means:
        print(f"| {qp} | 1/{step} | {threshold} | {10 ** rate:.2f} | {quality:.4f} | {'*' if (qp, step, threshold) in on_hull else ''} |")
    print("\nhull, low to high rate: " + ", ".join(f"({qp}, {step}, {t})" for _, _, (qp, step, t) in best))


if __name__ == "__main__":
    main()
