#!/usr/bin/env bash
# Decoder speed against the peers, in one invocation: AGC's emulator (INT8) and float network per
# rebuilt frame, whole-process decode and encode of the validation clips (agc-bench), and the
# same decoder network in PyTorch, ONNX Runtime float and ONNX Runtime static INT8 (installed
# here into .venv-bench from PyPI), all with the same thread count; then the ratios.
#
#   scripts/bench-decode.sh [--threads N]        (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
threads=2
[[ "${1:-}" == "--threads" ]] && threads=$2
scripts/setup.sh >/dev/null
training/setup.sh >/dev/null
bin="$(scripts/build.sh --product agc-bench --product agc-decode)"
if [[ ! -x .venv-bench/bin/python ]] || ! .venv-bench/bin/python -c "import onnxruntime, onnx" 2>/dev/null; then
    /usr/bin/python3 -m venv --system-site-packages .venv-bench
    .venv-bench/bin/pip install -q onnxruntime onnx "numpy<2"  # Debian's torch 1.13 needs NumPy 1.x
fi
mkdir -p out/bench
clips=(../shared/data/val/*.mp4)
.venv-bench/bin/python training/bench_peers.py "${clips[0]}" --threads "$threads" > out/bench/peers.json
"$bin/agc-bench" "${clips[@]}" --threads "$threads" --json out/bench/agc.json >/dev/null
python3 - out/bench/agc.json out/bench/peers.json <<'PY'
import json, sys
agc, peers = (json.load(open(p)) for p in sys.argv[1:3])
e, f = agc["emulator_ms_per_frame"] / 1000, agc["float_ms_per_frame"] / 1000
g8, gf = agc["int8_gmac_per_frame"], agc["float_gmac_per_frame"]
rows = [("AGC emulator (INT8, %s)" % agc["isa"], e, g8), ("AGC float (Swift)", f, gf),
        ("PyTorch %s float" % peers["torch"], peers["pytorch_float_s"], peers["gmac_per_frame"]),
        ("ONNX Runtime %s float" % peers["onnxruntime"], peers["ort_float_s"], peers["gmac_per_frame"]),
        ("ONNX Runtime %s static INT8 (QDQ)" % peers["onnxruntime"], peers["ort_int8_s"], peers["gmac_per_frame"])]
print(f"one 256x256 rebuilt frame, {agc['threads']} threads; INT8 peak of this machine {agc['peak_int8_gmacs']:.0f} GMAC/s")
print(f"{'engine':44} {'ms':>8} {'fps':>7} {'GMAC':>6} {'GMAC/s':>7}")
for name, s, g in rows:
    print(f"{name:44} {s * 1000:8.1f} {1 / s:7.1f} {g:6.2f} {g / s:7.0f}")
print(f"ratios: emulator vs ORT INT8 {peers['ort_int8_s'] / e:.2f}x, emulator vs ORT float {peers['ort_float_s'] / e:.2f}x, "
      f"AGC float vs ORT float {peers['ort_float_s'] / f:.2f}x, emulator at {100 * g8 / e / agc['peak_int8_gmacs']:.0f}% of the INT8 peak")
print(f"ORT INT8 output against its float output: {peers['ort_int8_psnr_vs_float']} dB")
print("whole clips (default settings, centre square; decode = a separate agc-decode process, key frames and output included):")
print(f"{'clip':18} {'frames':>6} {'keys':>5} {'rebuilt':>7} {'encode fps':>10} {'decode fps':>10}")
for c in agc["clips"]:
    print(f"{c['clip']:18} {c['frames']:6} {c['key_frames']:5} {c['rebuilt']:7} {c['encode_fps']:10.1f} {c['decode_fps']:10.1f}")
PY
