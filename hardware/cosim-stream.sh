#!/usr/bin/env bash
# Decodes a short real stream through the accelerator's RTL: makes a stream from a clip (the
# first N frames of samples/talking-head.mp4 by default), serves a simulated device with
# `agc-fpga-sim serve --rtl` (Verilator's model of hardware/rtl behind the register window) and
# runs the unchanged driver on it: `agc-decode --backend fpga --device DIR --verify`. Then prints
# the RTL's cycles per key stream and per rebuilt frame against CycleModel's (from the
# emulator's --hw-report-json), per descriptor too, and the simulation's frames per second.
# Usage: hardware/cosim-stream.sh [--frames N] [--clip FILE] [--out DIR]
# Needs agc-decode's --device-timeout (the driver's default time-out of 5 s is far shorter than a
# simulated frame).
# Binaries: $AGC_BIN (default .build-rtl/release, built with --scratch-path .build-rtl).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
frames=4
clip=$root/samples/talking-head.mp4
out=$root/out/rtl-stream
while (($#)); do
  case "$1" in
    --frames) frames=$2; shift 2 ;;
    --clip) clip=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: cosim-stream.sh [--frames N] [--clip FILE] [--out DIR]" >&2; exit 2 ;;
  esac
done
bin=${AGC_BIN:-$root/.build-rtl/release}
for tool in agc-encode agc-decode agc-fpga-sim; do
  [ -x "$bin/$tool" ] || { echo "cosim-stream.sh: $bin/$tool missing (swift build -c release --scratch-path .build-rtl)" >&2; exit 1; }
done
"$root/hardware/sim/build.sh" >/dev/null
mkdir -p "$out"
rm -rf "$out/device" "$out/rtl-runs.jsonl"
ffmpeg -v error -y -i "$clip" -frames:v "$frames" -an "$out/clip.mp4"
"$bin/agc-encode" "$out/clip.mp4" -o "$out/clip.agc" -y 2>/dev/null | tail -1
"$bin/agc-decode" "$out/clip.agc" -o "$out/emulator.y4m" -y --verify --hw-report-json "$out/model.json" 2>/dev/null | tail -1
"$bin/agc-fpga-sim" create "$out/device" --ddr-mb 8 >/dev/null
"$bin/agc-fpga-sim" serve "$out/device" --rtl --rtl-harness "$root/hardware/sim/build/agc-rtl-sim" \
  --rtl-log "$out/rtl-runs.jsonl" > "$out/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "^serving" "$out/serve.log" && break; sleep 0.1; done
start=$(date +%s.%N)
# One frame of the RTL takes a minute or more of simulation; the driver's time-out must allow it.
if "$bin/agc-decode" --help 2>&1 | grep -q -- "--device-timeout"; then
  "$bin/agc-decode" "$out/clip.agc" -o "$out/rtl.y4m" -y --backend fpga --device "$out/device" --verify \
    --device-timeout 7200 | tail -1
else
  echo "cosim-stream.sh: agc-decode has no --device-timeout: its driver gives a run 5 s (DeviceRunner's default," >&2
  echo "  IntegerBackend.device in Sources/AGCCodec/Backend.swift) and an RTL frame takes ~1-2 min to simulate." >&2
  exit 3
fi
end=$(date +%s.%N)
kill "$server"; wait "$server" 2>/dev/null || true
trap - EXIT
cmp -s "$out/emulator.y4m" "$out/rtl.y4m" && echo "RTL pictures identical to the emulator's" || { echo "RTL pictures DIFFER from the emulator's" >&2; exit 1; }
python3 - "$out/model.json" "$out/rtl-runs.jsonl" "$start" "$end" "$frames" <<'PY'
import json, sys
model = json.load(open(sys.argv[1]))
runs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
seconds = float(sys.argv[4]) - float(sys.argv[3])
clock = model["config"]["clockMHz"] * 1e6
key = [r for r in runs if r["count"] == len(model["keyFrame"]["instructions"])]
frame = [r for r in runs if r["count"] == len(model["frame"]["instructions"])]
print(f"decoded {sys.argv[5]} frames through the RTL in {seconds:.1f} s: {int(sys.argv[5]) / seconds:.3f} simulated frames/s "
      f"({len(key)} key-stream runs, {len(frame)} frame-stream runs)")
def table(name, stream, rtl_runs):
    if not rtl_runs:
        return
    rtl = rtl_runs[0]
    m = stream["cycles"]
    print(f"\n{name}: RTL {rtl['cycles']:,} cycles ({clock / rtl['cycles']:.2f} /s at {clock / 1e6:.0f} MHz), "
          f"CycleModel {m:,} cycles ({clock / m:.2f} /s): RTL / model = {rtl['cycles'] / m:.2f}")
    print(f"{'#':>3} {'opcode':<13} {'engine':<12} {'model':>11} {'RTL':>11} {'ratio':>6}")
    per_engine = {}
    for ins, c in zip(stream["instructions"], rtl["descriptor_cycles"]):
        e = per_engine.setdefault(ins["engine"], [0, 0])
        e[0] += ins["cycles"]; e[1] += c
        print(f"{ins['index']:>3} {ins['opcode']:<13} {ins['engine']:<12} {ins['cycles']:>11,} {c:>11,} {c / ins['cycles']:>6.2f}")
    for engine, (mc, rc) in per_engine.items():
        print(f"    {engine:<25} {mc:>11,} {rc:>11,} {rc / mc:>6.2f}")
table("key stream", model["keyFrame"], key)
table("frame stream (one rebuilt frame)", model["frame"], frame)
PY
