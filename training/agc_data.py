"""Talking-head clips as 256x256 square crops (around the face, or the centre), cached as uint8 arrays.

Each clip is decoded with the ffmpeg command-line tool (which honours rotation
metadata), a stable square face crop is chosen for the whole clip, and every
frame is scaled to `size` x `size`. The cache (`<cache>/<clip>.npy`, shape
[frames, size, size, 3], RGB) is what training reads and what is carried to a
GPU machine.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np

VIDEO_EXTENSIONS = {".mp4", ".mov", ".mkv", ".webm", ".y4m", ".avi", ".mpg"}
HAAR = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"


def list_videos(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in VIDEO_EXTENSIONS)


def probe_size(path: Path) -> tuple[int, int]:
    """Display size (after rotation) of the first video stream."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=width,height:stream_side_data=rotation", "-of", "json", str(path)],
        check=True, capture_output=True, text=True).stdout
    stream = json.loads(out)["streams"][0]
    w, h = stream["width"], stream["height"]
    rotation = 0
    for side in stream.get("side_data_list", []):
        rotation = int(side.get("rotation", 0))
    if abs(rotation) % 180 == 90:
        w, h = h, w
    return w, h


def decode_rgb(path: Path, crop: tuple[int, int, int, int] | None, size: int | None) -> np.ndarray:
    """All frames of the clip as uint8 RGB, optionally cropped then scaled."""
    w, h = probe_size(path)
    filters = []
    if crop is not None:
        x, y, cw, ch = crop
        filters.append(f"crop={cw}:{ch}:{x}:{y}")
        w, h = cw, ch
    if size is not None:
        filters.append(f"scale={size}:{size}:flags=area")
        w, h = size, size
    cmd = ["ffmpeg", "-v", "error", "-i", str(path), "-vsync", "passthrough"]
    if filters:
        cmd += ["-vf", ",".join(filters)]
    cmd += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(cmd, check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)


def centre_square(w: int, h: int) -> tuple[int, int, int, int]:
    s = min(w, h)
    return ((w - s) // 2, (h - s) // 2, s, s)


def face_square(path: Path, samples: int = 12) -> tuple[int, int, int, int]:
    """One stable square crop around the face: median of Haar detections on a
    few frames, 1.9x the face box, clamped inside the frame. Square clips are
    taken whole (they are already face-centred)."""
    import cv2

    w, h = probe_size(path)
    if w == h:
        return (0, 0, w, h)
    frames = decode_rgb(path, None, None)
    cascade = cv2.CascadeClassifier(HAAR)
    boxes = []
    for i in np.linspace(0, len(frames) - 1, samples).astype(int):
        gray = cv2.cvtColor(frames[i], cv2.COLOR_RGB2GRAY)
        found = cascade.detectMultiScale(gray, 1.1, 5, minSize=(min(w, h) // 12,) * 2)
        if len(found):
            boxes.append(max(found, key=lambda b: b[2] * b[3]))
    if not boxes:
        return centre_square(w, h)
    bx, by, bw, bh = np.median(np.array(boxes, dtype=np.float64), axis=0)
    side = int(min(min(w, h), round(max(bw, bh) * 1.9)))
    cx, cy = bx + bw / 2, by + bh / 2 - 0.05 * bh
    x = int(round(min(max(cx - side / 2, 0), w - side)))
    y = int(round(min(max(cy - side / 2, 0), h - side)))
    return (x, y, side, side)


def load_clips(folder: Path, cache: Path, size: int, crop_mode: str) -> dict[str, np.ndarray]:
    """Decode (or load from the cache) every clip of `folder`. crop_mode:
    'face' (training) or 'centre' (validation, as the reported baselines).

    The cache is `cache/<folder name>/<clip>.<mode><size>.npy`; where `folder` does not exist
    (a GPU machine that was sent only the cache), the cached arrays are used as they are."""
    cache = cache / folder.name
    suffix = f".{crop_mode}{size}.npy"
    if not folder.is_dir():
        found = sorted(cache.glob(f"*{suffix}"))
        if not found:
            raise SystemExit(f"{folder}: no such folder, and no cached clips in {cache}")
        return {p.name[: -len(suffix)]: np.load(p, mmap_mode="r") for p in found}
    cache.mkdir(parents=True, exist_ok=True)
    clips = {}
    for path in list_videos(folder):
        target = cache / f"{path.stem}{suffix}"
        if not target.exists():
            w, h = probe_size(path)
            crop = face_square(path) if crop_mode == "face" else centre_square(w, h)
            frames = decode_rgb(path, crop, size)
            tmp = target.with_suffix(".tmp.npy")
            np.save(tmp, frames)
            os.replace(tmp, target)
            print(f"cached {path.name}: {len(frames)} frames, crop {crop}", flush=True)
        clips[path.stem] = np.load(target, mmap_mode="r")
    return clips


def crop_name(clip: str, mode: str, first: str) -> str:
    """A clip's name in a set of several crops: the clip alone in the first crop mode,
    'clip@mode' in the others."""
    return clip if mode == first else f"{clip}@{mode}"


def crop_of(name: str, first: str) -> str:
    """The crop mode of a clip named by `crop_name`."""
    return name.split("@", 1)[1] if "@" in name else first


def load_training_clips(folder: Path, cache: Path, size: int, crops: list[str]) -> dict[str, np.ndarray]:
    """Every clip of `folder` in each crop mode of `crops` (named by `crop_name`). A crop that
    is the same picture as the first mode's (a square source, taken whole by both) is left out,
    so that no clip counts twice."""
    first = load_clips(folder, cache, size, crops[0])
    clips = dict(first)
    for mode in crops[1:]:
        for name, frames in load_clips(folder, cache, size, mode).items():
            if name in first and np.array_equal(frames[0], first[name][0]):
                continue
            clips[crop_name(name, mode, crops[0])] = frames
    return clips
