#!/usr/bin/env python3
"""Packs the training and validation clips compactly for a GPU machine.

The frame cache (`.cache/frames`, uint8 arrays of the 256x256 crops) is about 2 GB: far more
than the 64 MiB a device call carries. The pack holds the same crops as H.264 (libx264 4:4:4,
CRF `--crf`, every frame kept) plus `manifest.json` (frame counts and each clip's crop). With
the training clips in the face crop only, the 45 training and 5 validation clips of 2026-12 were
18.4 MB (1.65 KB a frame) at CRF 14, 43.3 dB PSNR from the cache on average (40.9 at worst);
the training clips' centre crops (`train.py --crops face,centre`, 6,521 more frames) add about
a third. On the GPU machine `train.py --pack DIR` decodes it with OpenCV (its wheel bundles
FFmpeg) into arrays in memory.

    /usr/bin/python3 training/pack.py                 # -> training/.pack (git-ignored)
    /usr/bin/python3 training/pack.py --check         # decode it back and print PSNR vs the cache
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from agc_data import crop_of, load_training_clips  # noqa: E402

PIXEL_FORMAT = "yuv444p"  # no chroma subsampling: the codec and the losses see full-resolution colour
# The crops each split is packed in: training on both (train.py --crops), validation on the centre.
SPLITS = {"train": ["face", "centre"], "val": ["centre"]}


def encode(frames: np.ndarray, target: Path, crf: int) -> None:
    """Writes [N, S, S, 3] RGB frames as an H.264 MP4 (written to a temporary name, then renamed)."""
    n, h, w, _ = frames.shape
    tmp = target.with_suffix(".tmp.mp4")
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", "25",
           "-i", "-", "-c:v", "libx264", "-preset", "slow", "-crf", str(crf), "-pix_fmt", PIXEL_FORMAT,
           "-x264-params", "keyint=250", str(tmp)]
    subprocess.run(cmd, input=np.ascontiguousarray(frames).tobytes(), check=True)
    tmp.replace(target)


def decode(path: Path) -> np.ndarray:
    """Every frame of a packed clip as uint8 RGB [N, S, S, 3], through OpenCV (as on the GPU machine)."""
    import cv2

    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        frames.append(bgr[:, :, ::-1])
    capture.release()
    if not frames:
        raise SystemExit(f"{path}: OpenCV decoded no frame")
    return np.stack(frames)


def load_pack(pack: Path, split: str, crops: list[str] | None = None) -> dict[str, np.ndarray]:
    """The clips of one split of a pack, in the crop modes `crops` (all where None), decoded
    into memory."""
    manifest = json.loads((pack / "manifest.json").read_text())
    entries = manifest["splits"][split]
    missing = set(crops or []) - {info["crop"] for info in entries.values()}
    if missing:
        raise SystemExit(f"{pack}: the pack has no {split} clips in the crop {', '.join(sorted(missing))}; "
                         "make it again with training/pack.py")
    clips = {}
    for name, info in sorted(entries.items()):
        if crops is not None and info["crop"] not in crops:
            continue
        frames = decode(pack / split / f"{name}.mp4")
        if len(frames) != info["frames"]:
            raise SystemExit(f"{pack / split / name}.mp4: {len(frames)} frames decoded, the manifest says {info['frames']}")
        clips[name] = frames
    return clips


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255.0 ** 2 / max(mse, 1e-10))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--train-dir", default=str(HERE.parent.parent / "shared/data/train"))
    p.add_argument("--val-dir", default=str(HERE.parent.parent / "shared/data/val"))
    p.add_argument("--cache", default=str(HERE.parent / ".cache/frames"))
    p.add_argument("--out", default=str(HERE / ".pack"))
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--crf", type=int, default=14)
    p.add_argument("--check", action="store_true", help="decode the pack and compare it with the cache")
    args = p.parse_args()
    out = Path(args.out)
    folders = {"train": Path(args.train_dir), "val": Path(args.val_dir)}
    if args.check:
        manifest = json.loads((out / "manifest.json").read_text())
        for split, modes in SPLITS.items():
            cached = load_training_clips(folders[split], Path(args.cache), args.size, modes)
            packed = load_pack(out, split)
            values = [psnr(packed[n], np.asarray(cached[n])) for n in sorted(packed)]
            print(json.dumps({"split": split, "clips": len(values), "psnr_min": round(min(values), 2),
                              "psnr_mean": round(float(np.mean(values)), 2), "crf": manifest["crf"]}))
        return
    manifest = {"format": "agc-training-pack-1", "size": args.size, "crf": args.crf, "splits": {}}
    total_bytes = 0
    for split, modes in SPLITS.items():
        clips = load_training_clips(folders[split], Path(args.cache), args.size, modes)
        (out / split).mkdir(parents=True, exist_ok=True)
        entries = {}
        for name, frames in sorted(clips.items()):
            target = out / split / f"{name}.mp4"
            encode(np.asarray(frames), target, args.crf)
            entries[name] = {"frames": int(len(frames)), "crop": crop_of(name, modes[0]), "bytes": target.stat().st_size}
            total_bytes += target.stat().st_size
        manifest["splits"][split] = entries
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    frames = sum(e["frames"] for s in manifest["splits"].values() for e in s.values())
    print(json.dumps({"out": str(out), "frames": frames, "bytes": total_bytes,
                      "bytes_per_frame": round(total_bytes / max(frames, 1))}))


if __name__ == "__main__":
    main()
