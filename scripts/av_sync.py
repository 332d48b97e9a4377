#!/usr/bin/env python3
"""Audio/video sync of a decoded file against its source, in milliseconds.

Each file's first audio track is decoded by the ffmpeg CLI to 16 kHz mono float and placed
on that file's own timeline, relative to its first video frame: ffprobe gives the
presentation time of the first decoded video frame and of the first decoded audio sample.
Both come after the demuxer and decoders have applied what shifts a track's start (MP4 edit
lists, AAC priming, Opus pre-skip, Matroska codec delay): ffprobe and the ffmpeg CLI use the
same demuxers and decoders, the decoders drop the skipped samples and move the frame's
timestamp past them, and the ffmpeg CLI writes the decoded samples out back to back from
that first one, without padding or trimming.

The two tracks are then cross-correlated (by FFT), each lag normalised by the energies of
the parts of the two tracks that overlap at that lag, over lags within --max-lag of sync.
The reported offset is where the decoded file's audio sits, against its video, compared
with where the source's sits: positive means the decoded audio is late. The peak value
(1 for identical audio) tells how much to trust it.

Usage: .venv-audio/bin/python scripts/av_sync.py SOURCE DECODED [--json] [--max-lag MS]
(.venv-audio is made by scripts/speech-quality.sh.)
"""

import argparse
import json
import subprocess
import sys

import numpy as np
from scipy.signal import correlate

RATE = 16000


def run(args):
    """Runs a command, returning its stdout as bytes; raises with its stderr on failure."""
    done = subprocess.run(args, capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr.decode()[-2000:]}")
    return done.stdout


def first_frame_time(path, stream):
    """The earliest presentation time (s) among the first decoded frames of `stream` (v:0, a:0).

    Several packets are decoded because, with B-frames, the first one in decode order need
    not be the first one shown.
    """
    out = run(["ffprobe", "-v", "error", "-select_streams", stream, "-read_intervals", "%+#32",
               "-show_entries", "frame=best_effort_timestamp_time", "-of", "json", path])
    times = [float(f["best_effort_timestamp_time"]) for f in json.loads(out).get("frames", [])
             if f.get("best_effort_timestamp_time", "N/A") != "N/A"]
    if not times:
        raise ValueError(f"{path}: no decodable {'video' if stream[0] == 'v' else 'audio'} frame")
    return min(times)


def decode_audio(path):
    """The first audio track of `path`, decoded and resampled by ffmpeg to 16 kHz mono."""
    out = run(["ffmpeg", "-v", "error", "-i", path, "-map", "0:a:0", "-ac", "1",
               "-ar", str(RATE), "-f", "f32le", "-"])
    return np.frombuffer(out, dtype="<f4").astype(np.float64)


def place(path):
    """(audio samples, time of the first sample relative to the first video frame, in s)."""
    start = first_frame_time(path, "a:0") - first_frame_time(path, "v:0")
    audio = decode_audio(path)
    if not np.any(audio):
        raise ValueError(f"{path}: the audio track is silent; there is nothing to align")
    return audio, start


def normalised_xcorr(dec, src, lags):
    """For each lag k in `lags` (samples), sum dec[m]*src[m-k] over the overlap, divided by
    the square root of the product of both tracks' energies over that overlap."""
    full = correlate(dec, src, mode="full", method="fft")      # index i: lag i - (len(src)-1)
    e_dec = np.concatenate(([0.0], np.cumsum(dec * dec)))
    e_src = np.concatenate(([0.0], np.cumsum(src * src)))
    lo = np.maximum(0, lags)                                   # overlap in dec: [lo, hi)
    hi = np.minimum(len(dec), len(src) + lags)
    energy = (e_dec[hi] - e_dec[lo]) * (e_src[hi - lags] - e_src[lo - lags])
    with np.errstate(invalid="ignore", divide="ignore"):
        return full[lags + len(src) - 1] / np.sqrt(energy)


def measure(source, decoded, max_lag_ms):
    """The offset (ms, positive: decoded audio late) and correlation peak, with the details."""
    src, src_start = place(source)
    dec, dec_start = place(decoded)
    # dec[m] == src[m - k] means offset = dec_start - src_start + k / RATE.
    base = (dec_start - src_start) * RATE
    max_lag = max_lag_ms / 1000 * RATE
    min_overlap = min(len(src), len(dec)) // 2
    lags = np.arange(int(np.ceil(-max_lag - base)), int(np.floor(max_lag - base)) + 1)
    lags = lags[np.minimum(len(dec), len(src) + lags) - np.maximum(0, lags) >= min_overlap]
    if not len(lags):
        raise ValueError("the tracks do not overlap by half the shorter one within --max-lag")
    corr = normalised_xcorr(dec, src, lags)
    best = int(np.nanargmax(corr))
    return {"offset_ms": (base + lags[best]) / RATE * 1000, "peak": float(corr[best]),
            "source": {"audio_start_ms": src_start * 1000, "seconds": len(src) / RATE},
            "decoded": {"audio_start_ms": dec_start * 1000, "seconds": len(dec) / RATE},
            "max_lag_ms": max_lag_ms}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source")
    parser.add_argument("decoded")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--max-lag", type=float, default=1000, metavar="MS",
                        help="largest offset searched, in ms (default: %(default)g)")
    args = parser.parse_args()
    try:
        result = measure(args.source, args.decoded, args.max_lag)
    except (ValueError, RuntimeError) as error:
        sys.exit(f"av_sync: {error}")
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(f"offset {result['offset_ms']:+.1f} ms (positive: decoded audio late), "
              f"peak {result['peak']:.3f}; audio starts {result['source']['audio_start_ms']:+.1f} "
              f"ms (source), {result['decoded']['audio_start_ms']:+.1f} ms (decoded) "
              "from the first video frame")


if __name__ == "__main__":
    main()
