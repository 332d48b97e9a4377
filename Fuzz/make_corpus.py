#!/usr/bin/env python3
"""Rebuilds the seed corpus in Fuzz/corpus/ from the bundled sample.

    swift build -c release && python3 Fuzz/make_corpus.py

Encodes samples/talking-head.mp4 a few ways with .build/release/agc-encode and cuts the streams
into the inputs each fuzz target reads:

- bitstream: whole .agc files (HEVC and AV1 with audio, both with predicted key pictures, HEVC
  with keypoint runs naming their key pictures, one without its trailer, and the committed
  format 1.0, 1.1 and 1.2 streams of the tests);
- keypoints: settings bytes (step 1/128, 10 keypoints, the frame count, zero predictor; see
  Fuzz/keypoints.swift) followed by a keypoint run's coded data (also the runs inside predicted
  key pictures' units, which code one frame more) or a key frame's keypoints field;
- keyframe: key picture unit payloads, random-access and predicted (frame number, HEVC or AV1
  packet, keypoints field or, format 1.3, the run after the optional fields), and
  packets the encoder never makes: grey and high bit-depth 4:2:2 / 4:4:4 pictures, and a
  picture of the wrong size.
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Fuzz", "corpus")
ENCODE = os.path.join(ROOT, ".build", "release", "agc-encode")
SAMPLE = os.path.join(ROOT, "samples", "talking-head.mp4")
KEY_FRAME, KEYPOINT_RUN, PREDICTED_KEY_FRAME, REFERENCED_KEYPOINT_RUN = 0x82, 0x83, 0x84, 0x85
PREDICTED_KEY_FRAME_WITH_RUN = 0x86
FIXTURES = os.path.join(ROOT, "Tests", "AGCCodecTests", "Fixtures")
# Indices into Fuzz/keypoints.swift's tables: step 1/128, 10 keypoints.
STEP_128, TEN_KEYPOINTS = 2, 2


def varint(data, pos):
    """The LEB128 value at `pos` and the position after it."""
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def blob(data, pos):
    """A varint length and that many bytes; returns the bytes and the position after them."""
    length, pos = varint(data, pos)
    return data[pos:pos + length], pos + length


def units(stream):
    """(type, payload) of every unit after the 6-byte file header, up to the end-of-stream unit."""
    pos = 6
    while True:
        kind = stream[pos]
        payload, pos = blob(stream, pos + 1)
        pos += 4  # CRC
        yield kind, payload
        if kind == 0x08:
            return


def encode(source, name, *options):
    out = os.path.join(tempfile.gettempdir(), f"agc-corpus-{os.getpid()}-{name}.agc")
    subprocess.run([ENCODE, source, "-o", out, "--no-progress", "--crop", "full", *options], check=True)
    with open(out, "rb") as f:
        data = f.read()
    os.remove(out)
    return data


def encode_varint(value):
    out = bytearray()
    while True:
        out.append((value & 0x7F) | (0x80 if value >= 0x80 else 0))
        value >>= 7
        if not value:
            return bytes(out)


def foreign_key_frames():
    """Key frame payloads (frame 0, no keypoints field) holding one picture of the sample coded
    by ffmpeg in formats agc-encode does not use."""
    hevc = ["-c:v", "libx265", "-x265-params", "log-level=error", "-f", "hevc"]
    av1 = ["-c:v", "libaom-av1", "-cpu-used", "8", "-f", "obu"]
    cases = [("hevc-gray", "256:256", "gray", hevc), ("hevc-444p12", "256:256", "yuv444p12le", hevc),
             ("hevc-320x240", "320:240", "yuv420p", hevc), ("av1-gray", "256:256", "gray", av1),
             ("av1-422p12", "256:256", "yuv422p12le", av1)]
    for name, size, pixels, codec in cases:
        out = os.path.join(tempfile.gettempdir(), f"agc-corpus-{os.getpid()}-{name}")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", SAMPLE, "-frames:v", "1", "-vf",
                        f"scale={size},format={pixels}", *codec, out], check=True)
        with open(out, "rb") as f:
            packet = f.read()
        os.remove(out)
        write("keyframe", f"{name}.bin", encode_varint(0) + encode_varint(len(packet)) + packet + encode_varint(0))


def write(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data)


def main():
    if not os.path.exists(ENCODE):
        sys.exit(f"make_corpus: build first ({ENCODE} is missing)")
    with_audio = os.path.join(tempfile.gettempdir(), f"agc-corpus-{os.getpid()}-audio.mp4")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", SAMPLE, "-f", "lavfi", "-i", "sine=d=1.2",
                    "-frames:v", "30", "-c:v", "libx264", "-c:a", "aac", "-shortest", with_audio], check=True)
    shutil.rmtree(CORPUS, ignore_errors=True)
    streams = {
        "hevc": encode(SAMPLE, "hevc", "--max-keyint", "12", "--idr-interval", "1"),
        "av1-audio": encode(with_audio, "av1", "--keyframe-codec", "av1", "--max-keyint", "12",
                            "--keypoint-step", "128", "--hash-group", "4"),
        # Keypoint runs naming their key picture (unit 0x85): rebuilt frames with a choice.
        "hevc-references": encode(SAMPLE, "hevc-references", "--references", "3", "--idr-interval", "1",
                                  "--min-quality", "msssim:0.97"),
    }
    os.remove(with_audio)
    for name, stream in streams.items():
        write("bitstream", f"{name}.agc", stream)
        for kind, payload in units(stream):
            if kind in (KEY_FRAME, PREDICTED_KEY_FRAME, PREDICTED_KEY_FRAME_WITH_RUN):
                frame, pos = varint(payload, 0)
                _, pos = blob(payload, pos)
                # The keyframe target reads each payload as every kind; keep a few of each.
                if kind == KEY_FRAME or frame % 4 == 1:
                    write("keyframe", f"{name}-{'key' if kind == KEY_FRAME else 'pkey'}-{frame}.bin", payload)
                count, pos = varint(payload, pos)
                for _ in range(count):
                    tag, pos = varint(payload, pos)
                    value, pos = blob(payload, pos)
                    if tag == 1:
                        write("keypoints", f"{name}-key-{frame}-field.bin", bytes([STEP_128, TEN_KEYPOINTS, 1, 0]) + value)
                if kind == PREDICTED_KEY_FRAME_WITH_RUN:
                    frames, pos = varint(payload, pos)
                    _, pos = varint(payload, pos)  # flags
                    coded, _ = blob(payload, pos)
                    if frames < 255 and frame % 3 == 1:
                        write("keypoints", f"{name}-pkey-run-{frame}.bin", bytes([STEP_128, TEN_KEYPOINTS, frames + 1, 0]) + coded)
            elif kind in (KEYPOINT_RUN, REFERENCED_KEYPOINT_RUN):
                first, pos = varint(payload, 0)
                frames, pos = varint(payload, pos)
                coded, _ = blob(payload, pos)
                if frames < 256:
                    # The keypoints target decodes each payload with and without references.
                    write("keypoints", f"{name}-run-{first}.bin", bytes([STEP_128, TEN_KEYPOINTS, frames, 0]) + coded)
    write("bitstream", "hevc-no-trailer.agc", streams["hevc"][:-16])
    for fixture in sorted(os.listdir(FIXTURES)):
        if fixture.endswith(".agc"):
            shutil.copy(os.path.join(FIXTURES, fixture), os.path.join(CORPUS, "bitstream", fixture))
    foreign_key_frames()


if __name__ == "__main__":
    main()
