#!/usr/bin/env bash
# Builds the Verilator co-simulation harness: hardware/sim/build/agc-rtl-sim (the RTL of
# hardware/rtl with harness.cpp). Rebuilds only when a source is newer than the binary.
# Usage: hardware/sim/build.sh [--force]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rtl=$here/../rtl
out=$here/build
binary=$out/agc-rtl-sim
command -v verilator >/dev/null || { echo "build.sh: verilator is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
if [ "${1:-}" != "--force" ] && [ -x "$binary" ] && \
   [ -z "$(find "$rtl" "$here/harness.cpp" "$here/build.sh" -newer "$binary" -type f)" ]; then
  echo "$binary is up to date"
  exit 0
fi
mkdir -p "$out"
jobs=$(nproc 2>/dev/null || echo 2)
# Verilator's own optimisations on; the generated C++ at -O1, which compiles in a fraction of
# -O2's time and simulates nearly as fast for this design.
verilator --cc --exe --build -j "$jobs" -O3 --x-assign fast --x-initial fast --noassert \
  -Wno-fatal -Wno-lint -Wno-style -Wno-WIDTHCONCAT \
  -CFLAGS "-std=c++17" -MAKEFLAGS "OPT_FAST=-O1 OPT_SLOW=-O1" -I"$rtl" --top-module agc_top -Mdir "$out/obj" -o "$binary" \
  "$rtl"/*.sv "$here/harness.cpp" > "$out/build.log" 2>&1 || { tail -40 "$out/build.log" >&2; exit 1; }
echo "built $binary"
