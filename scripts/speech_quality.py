#!/usr/bin/env python3
"""Speech quality of Opus at several bit rates, to choose `agc-encode --audio opus`'s default.

For each clip with an audio track, the audio is coded with the ffmpeg CLI the way agc-encode
codes it (libswresample to 48 kHz mono with the default downmix, libopus with VBR on,
compression level 10 and 20 ms frames), once per (application, rate), and decoded again.
Source and decoded audio are both resampled by ffmpeg to 16 kHz mono and scored with
wideband PESQ (ITU-T P.862.2, the `pesq` package) and STOI (`pystoi`, not extended).
The actual rate is the Opus packets' bytes * 8 / the source audio's duration (VBR differs
from the target). Clips whose audio is silent, or in which PESQ finds no utterance, are
listed as "no speech" and left out of the means.

Prints markdown tables on stdout; `--json FILE` also writes every figure.
Run it through scripts/speech-quality.sh, which sets up the virtual environment.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from pesq import NoUtterancesError, pesq
from pystoi import stoi

SCORE_RATE = 16000          # P.862.2 and STOI work on 16 kHz audio
APPLICATIONS = ("voip", "audio")
DEFAULT_CLIPS = ("../shared/data/train", "../shared/data/val")


def run(args):
    """Runs a command, returning its stdout as bytes; raises with its stderr on failure."""
    done = subprocess.run(args, capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed:\n{done.stderr.decode()[-2000:]}")
    return done.stdout


def probe_audio(path):
    """The first audio stream's codec, sample rate, channels and bit rate, or None if none."""
    out = run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
               "stream=codec_name,sample_rate,channels,bit_rate", "-of", "json", str(path)])
    streams = json.loads(out).get("streams", [])
    if not streams:
        return None
    s = streams[0]
    bit_rate = s.get("bit_rate")
    return {"codec": s.get("codec_name"), "sample_rate": int(s["sample_rate"]),
            "channels": int(s["channels"]),
            "kbps": int(bit_rate) / 1000 if bit_rate not in (None, "N/A") else None}


def decode_pcm(path):
    """The audio of `path`, decoded and resampled by ffmpeg to 16 kHz mono float32."""
    out = run(["ffmpeg", "-v", "error", "-i", str(path), "-vn", "-ac", "1",
               "-ar", str(SCORE_RATE), "-f", "f32le", "-"])
    return np.frombuffer(out, dtype="<f4")


def encode_opus(src, dst, kbps, application):
    """Codes the audio of `src` into the Ogg Opus file `dst` as agc-encode will."""
    run(["ffmpeg", "-v", "error", "-y", "-i", str(src), "-vn", "-ac", "1", "-ar", "48000",
         "-c:a", "libopus", "-b:a", f"{kbps}k", "-vbr", "on", "-compression_level", "10",
         "-frame_duration", "20", "-application", application, str(dst)])


def payload_bytes(path):
    """The total size of the audio packets in `path`, without container overhead."""
    out = run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
               "packet=size", "-of", "json", str(path)])
    return sum(int(p["size"]) for p in json.loads(out)["packets"])


def score(ref, deg):
    """(wideband PESQ, STOI) of `deg` against `ref`, both 16 kHz, cut to the shorter length."""
    n = min(len(ref), len(deg))
    ref, deg = ref[:n], deg[:n]
    return (float(pesq(SCORE_RATE, ref, deg, "wb")),
            float(stoi(ref, deg, SCORE_RATE, extended=False)))


def measure_clip(path, rates):
    """Every figure for one clip: its source audio, and per (application, rate) the scores."""
    path = Path(path)
    source = probe_audio(path)
    result = {"clip": path.stem, "path": str(path), "source": source, "no_speech": None,
              "coded": []}
    if source is None:
        result["no_speech"] = "no audio stream"
        return result
    ref = decode_pcm(path)
    seconds = len(ref) / SCORE_RATE
    result["seconds"] = seconds
    if not np.any(ref):
        result["no_speech"] = "silent track"
        return result
    with tempfile.TemporaryDirectory(prefix="speech-quality-") as tmp:
        for application in APPLICATIONS:
            for kbps in rates:
                coded = Path(tmp) / f"{application}-{kbps}.opus"
                encode_opus(path, coded, kbps, application)
                actual = payload_bytes(coded) * 8 / seconds / 1000
                try:
                    p, s = score(ref, decode_pcm(coded))
                except NoUtterancesError:
                    result["no_speech"] = "PESQ found no utterance"
                    result["coded"] = []
                    return result
                result["coded"].append({"application": application, "kbps": kbps,
                                        "actual_kbps": actual, "pesq": p, "stoi": s})
    return result


def summarise(clips, rates):
    """Means over the clips with speech, per (application, rate)."""
    scored = [c for c in clips if not c["no_speech"]]
    means = []
    for application in APPLICATIONS:
        for kbps in rates:
            rows = [r for c in scored for r in c["coded"]
                    if r["application"] == application and r["kbps"] == kbps]
            means.append({"application": application, "kbps": kbps,
                          **{k: float(np.mean([r[k] for r in rows]))
                             for k in ("actual_kbps", "pesq", "stoi")},
                          "min_pesq": float(min(r["pesq"] for r in rows))})
    source_kbps = [c["source"]["kbps"] for c in scored if c["source"]["kbps"] is not None]
    return {"clips_scored": len(scored), "means": means,
            "source_kbps_mean": float(np.mean(source_kbps)) if source_kbps else None}


def better_application(means, kbps):
    """The application with the higher mean PESQ at `kbps`."""
    return max((m for m in means if m["kbps"] == kbps), key=lambda m: m["pesq"])["application"]


def markdown(clips, summary, rates):
    """The per-clip table (better application per rate), the means and the no-speech list."""
    best = {k: better_application(summary["means"], k) for k in rates}
    lines = ["Per clip: wideband PESQ / STOI at each target rate (kb/s) with the application",
             "that has the better mean PESQ at that rate.", "",
             "| clip | source | " + " | ".join(f"{k} ({best[k]})" for k in rates) + " |",
             "|---|---|" + "---|" * len(rates)]
    for c in clips:
        if c["no_speech"]:
            continue
        cells = {r["kbps"]: f"{r['pesq']:.2f} / {r['stoi']:.3f}"
                 for r in c["coded"] if r["application"] == best[r["kbps"]]}
        src = c["source"]
        lines.append(f"| {c['clip']} | {src['codec']} {src['sample_rate'] / 1000:g} kHz "
                     f"{src['kbps'] or 0:.0f} kb/s | " + " | ".join(cells[k] for k in rates) + " |")
    lines += ["", f"Means over {summary['clips_scored']} clips with speech "
              f"(source AAC: {summary['source_kbps_mean']:.1f} kb/s on average):", "",
              "| application | target kb/s | actual kb/s | PESQ-WB | min PESQ-WB | STOI |",
              "|---|---|---|---|---|---|"]
    for m in summary["means"]:
        lines.append(f"| {m['application']} | {m['kbps']} | {m['actual_kbps']:.1f} | "
                     f"{m['pesq']:.3f} | {m['min_pesq']:.2f} | {m['stoi']:.3f} |")
    skipped = [f"{c['clip']} ({c['no_speech']})" for c in clips
               if c["no_speech"] and c["source"] is not None]
    if skipped:
        lines += ["", "No speech, left out: " + ", ".join(skipped) + "."]
    return "\n".join(lines)


def clip_paths(dirs):
    """The .mp4 files in each directory (or the files themselves), sorted by name."""
    paths = []
    for d in map(Path, dirs):
        paths += sorted(d.glob("*.mp4")) if d.is_dir() else [d]
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="8,12,16,24,32",
                        help="target bit rates in kb/s, comma-separated (default: %(default)s)")
    parser.add_argument("--clips", nargs="+", default=DEFAULT_CLIPS, metavar="DIR",
                        help="directories of .mp4 clips, or clips (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=1, help="clips measured at once")
    parser.add_argument("--json", metavar="FILE", help="also write every figure here")
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    paths = clip_paths(args.clips)

    start = time.monotonic()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        clips = []
        for c in pool.map(measure_clip, paths, [rates] * len(paths)):
            print(f"speech-quality: {c['clip']}: {c['no_speech'] or 'scored'}", file=sys.stderr)
            clips.append(c)
    elapsed = time.monotonic() - start
    audio = [c for c in clips if c["source"] is not None]
    if not any(not c["no_speech"] for c in audio):
        sys.exit(f"speech-quality: none of the {len(clips)} clips has speech to score")
    summary = summarise(audio, rates)

    print(markdown(audio, summary, rates))
    print(f"\n{len(audio)} of {len(clips)} clips have audio; measured in {elapsed:.0f} s "
          f"with --jobs {args.jobs}.")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"rates": rates, "seconds": elapsed, "jobs": args.jobs, **summary, "clips": clips},
            indent=1) + "\n")


if __name__ == "__main__":
    main()
