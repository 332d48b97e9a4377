#!/usr/bin/env bash
# Decoder speed against the peers, in one invocation: AGC's emulator (INT8) and float network per
# rebuilt frame, whole-process decode and encode of the validation clips (agc-bench), and the
# same decoder network in PyTorch, ONNX Runtime float and ONNX Runtime static INT8 (installed
# here into .venv-bench from PyPI), all with the same thread count; then the ratios.
#
#   scripts/bench-decode.sh [--threads N] [--rounds N]      (defaults 2 and 3)
set -euo pipefail
cd "$(dirname "$0")/.."
threads=2
rounds=3
while [[ $# -gt 0 ]]; do
    case "$1" in
        --threads) threads=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        *) echo "usage: scripts/bench-decode.sh [--threads N] [--rounds N]" >&2; exit 2 ;;
    esac
done
scripts/setup.sh >/dev/null
training/setup.sh >/dev/null
scripts/build.sh --product agc-decode >/dev/null   # swift build takes one --product at a time
bin="$(scripts/build.sh --product agc-bench)"
if [[ ! -x .venv-bench/bin/python ]] || ! .venv-bench/bin/python -c "import onnxruntime, onnx" 2>/dev/null; then
    /usr/bin/python3 -m venv --system-site-packages .venv-bench
    .venv-bench/bin/pip install -q onnxruntime onnx "numpy<2"  # Debian's torch 1.13 needs NumPy 1.x
fi
mkdir -p out/bench
rm -f out/bench/round-*.json
clips=(../shared/data/val/*.mp4)
# Rounds of (peers, AGC) back to back: the machine is shared, so each ratio is taken within a
# round and the spread over rounds is printed with it.
for ((r = 1; r <= rounds; r++)); do
    .venv-bench/bin/python training/bench_peers.py "${clips[0]}" --threads "$threads" > "out/bench/round-$r-peers.json" 2>/dev/null
    "$bin/agc-bench" "${clips[0]}" --threads "$threads" --no-clips --json "out/bench/round-$r-agc.json" >/dev/null
done
"$bin/agc-bench" "${clips[@]}" --threads "$threads" --json out/bench/agc.json >/dev/null
python3 - "$rounds" <<'PY'
import json, statistics, sys
rounds = int(sys.argv[1])
load = lambda p: json.load(open(p))
agc_all = [load(f"out/bench/round-{r}-agc.json") for r in range(1, rounds + 1)]
peers_all = [load(f"out/bench/round-{r}-peers.json") for r in range(1, rounds + 1)]
clips = load("out/bench/agc.json")["clips"]
# The round with the median emulator / ORT INT8 ratio gives the table; every round gives a ratio.
ratio = lambda a, p: p["ort_int8_s"] / (a["emulator_ms_per_frame"] / 1000)
order = sorted(range(rounds), key=lambda i: ratio(agc_all[i], peers_all[i]))
agc, peers = agc_all[order[rounds // 2]], peers_all[order[rounds // 2]]
e, f = agc["emulator_ms_per_frame"] / 1000, agc["float_ms_per_frame"] / 1000
g8, gf = agc["int8_gmac_per_frame"], agc["float_gmac_per_frame"]
rows = [("AGC emulator (INT8, %s)" % agc["isa"], e, g8, agc["peak_int8_gmacs"]),
        ("AGC float (Swift + C)", f, gf, agc["peak_float_gmacs"]),
        ("PyTorch %s float" % peers["torch"], peers["pytorch_float_s"], peers["gmac_per_frame"], agc["peak_float_gmacs"]),
        ("ONNX Runtime %s float" % peers["onnxruntime"], peers["ort_float_s"], peers["gmac_per_frame"], agc["peak_float_gmacs"]),
        ("ONNX Runtime %s static INT8 (QDQ)" % peers["onnxruntime"], peers["ort_int8_s"], peers["gmac_per_frame"], agc["peak_int8_gmacs"])]
print(f"one 256x256 rebuilt frame, {agc['threads']} threads, the median of {rounds} rounds; peaks of this machine "
      f"(registers only): INT8 {agc['peak_int8_gmacs']:.0f} GMAC/s, float FMA {agc['peak_float_gmacs']:.0f} GMAC/s")
print(f"{'engine':44} {'ms':>8} {'fps':>7} {'GMAC':>6} {'GMAC/s':>7} {'of peak':>8}")
for name, s, g, peak in rows:
    print(f"{name:44} {s * 1000:8.1f} {1 / s:7.1f} {g:6.2f} {g / s:7.0f} {100 * g / s / peak:7.0f}%")
def spread(name, fn):
    values = sorted(fn(a, p) for a, p in zip(agc_all, peers_all))
    print(f"  {name:34} {statistics.median(values):5.2f}x  (rounds: {', '.join(f'{v:.2f}' for v in values)})")
print("ratios (within each round):")
spread("emulator vs ONNX Runtime INT8", ratio)
spread("emulator vs ONNX Runtime float", lambda a, p: p["ort_float_s"] / (a["emulator_ms_per_frame"] / 1000))
spread("AGC float vs ONNX Runtime float", lambda a, p: p["ort_float_s"] / (a["float_ms_per_frame"] / 1000))
print(f"ONNX Runtime INT8 output against its float output: {peers['ort_int8_psnr_vs_float']} dB")
print("whole clips (default settings, centre square; decode = a separate agc-decode process, key frames and output included):")
print(f"{'clip':18} {'frames':>6} {'keys':>5} {'rebuilt':>7} {'encode fps':>10} {'decode fps':>10}")
for c in clips:
    print(f"{c['clip']:18} {c['frames']:6} {c['key_frames']:5} {c['rebuilt']:7} {c['encode_fps']:10.1f} {c['decode_fps']:10.1f}")
PY
