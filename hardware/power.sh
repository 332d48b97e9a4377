#!/usr/bin/env bash
# Energy per rebuilt frame of the RTL from its switching activity: builds the harness with
# Verilator's toggle and line coverage, runs descriptors of the shipped model's frame stream on a
# real frame's DDR image, and applies per-operation energies of the 7-series (hardware/power_report.py
# names their sources) to the counts. See hardware/README.md, "Energy".
#
# Usage: hardware/power.sh [--out DIR] [--sample CYCLES] [--read-latency L]
#   --out DIR       where the images, coverage and report go (default out/power)
#   --sample C      cycles of each engine's sample (default 400000)
# Steps: hardware/measure-cycles.sh makes the DDR image a real rebuilt frame starts from and runs
# the whole frame stream on the plain harness (cycles per descriptor, the image the frame leaves;
# about 12 CPU minutes); then, on that image, the first C cycles of each engine's longest
# descriptor run on the harness with coverage (Verilator's toggle coverage makes a whole frame too
# slow to trace); the report prices each engine's activity per cycle and weights it by the
# engine's cycles in the frame.
# Needs: verilator, python3, swift.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/out/power
sample=400000
latency=24
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --sample) sample=$2; shift 2 ;;
    --read-latency) latency=$2; shift 2 ;;
    *) echo "usage: hardware/power.sh [--out DIR] [--sample CYCLES] [--read-latency L]" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

# 1. The plain harness and one with coverage (toggle counts per bit, execution counts per
# statement block).
"$root/hardware/sim/build.sh" > /dev/null
build=$root/hardware/sim/build/power
binary=$build/agc-rtl-sim-cov
if [ ! -x "$binary" ] || [ -n "$(find "$root/hardware/rtl" "$root/hardware/sim/harness.cpp" -newer "$binary" -type f)" ]; then
  mkdir -p "$build"
  verilator --cc --exe --build -j "$(nproc 2>/dev/null || echo 2)" -O3 --x-assign fast --x-initial fast --noassert \
    -Wno-fatal -Wno-lint -Wno-style -Wno-WIDTHCONCAT --coverage-toggle --coverage-line --coverage-max-width 20000 \
    -CFLAGS "-std=c++17" -MAKEFLAGS "OPT_FAST=-O1 OPT_SLOW=-O1" -I"$root/hardware/rtl" --top-module agc_top \
    -Mdir "$build/obj" -o "$binary" "$root"/hardware/rtl/*.sv "$root/hardware/sim/harness.cpp" > "$build/build.log" 2>&1 \
    || { tail -40 "$build/build.log" >&2; exit 1; }
fi

# 2. The DDR image of a real rebuilt frame, the whole frame stream's cycles per descriptor and the
# image that stream leaves: hardware/measure-cycles.sh makes them (about 12 CPU minutes), reused
# when DIR already holds them.
image=$out/frame.ddr
if [ ! -f "$image.json" ] || [ ! -f "$out/frame-cycles.json" ] || [ ! -f "$out/after-frame.ddr" ]; then
  "$root/hardware/measure-cycles.sh" --out "$out" --read-latency "$latency"
fi

# 4. A sample of each engine: the first C cycles of its longest descriptor, with coverage.
samples=()
while read -r engine index; do
  cp "$out/after-frame.ddr" "$out/sample.ddr"
  "$binary" --ddr "$out/sample.ddr" --descriptors $((index * 64)) --count 1 --read-latency "$latency" \
    --stop-after "$sample" --coverage "$out/coverage-$engine.dat" > "$out/sample-$engine.json"
  samples+=(--sample "$engine:$index:$out/coverage-$engine.dat:$out/sample-$engine.json")
done < <(python3 - "$image.json" "$out/frame-cycles.json" <<'PY'
import json, sys
stream = json.load(open(sys.argv[1]))["frame"]
cycles = json.load(open(sys.argv[2]))["descriptor_cycles"]
longest = {}
for k, (engine, c) in enumerate(zip(stream["engines"], cycles)):
    if c > longest.get(engine, (0, 0))[0]:
        longest[engine] = (c, stream["first"] + k)
for engine, (_, index) in longest.items():
    print(engine, index)
PY
)
rm -f "$out/sample.ddr"

# 5. The report.
python3 "$root/hardware/power_report.py" --image "$image" --streams "$image.json" --frame-cycles "$out/frame-cycles.json" \
  "${samples[@]}" --json "$out/power.json"
