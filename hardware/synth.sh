#!/usr/bin/env bash
# Synthesizes the accelerator's RTL (hardware/rtl, top agc_top at the spec's parameters) for the
# PYNQ-Z1's XC7Z020 with Yosys synth_xilinx, and prints LUTs, flip-flops, DSP48E1 slices and
# block RAMs against the device's capacity, per module as well.
# Usage: hardware/synth.sh [--json FILE] [--top-param NAME=VALUE ...]
# Yosys's log and statistics go to hardware/synth-build/ (ignored by git). Open tools cannot
# place, route or sign off timing: these are post-synthesis counts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
json=""
params=()
while (($#)); do
  case "$1" in
    --json) json=$2; shift 2 ;;
    --top-param) params+=("$2"); shift 2 ;;
    *) echo "usage: synth.sh [--json FILE] [--top-param NAME=VALUE]" >&2; exit 2 ;;
  esac
done
command -v yosys >/dev/null || { echo "synth.sh: yosys is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
out=$here/synth-build
mkdir -p "$out"
chparams=""
for p in ${params[@]+"${params[@]}"}; do chparams+="chparam -set ${p%%=*} ${p#*=} agc_top; "; done
files=$(ls "$here"/rtl/*.sv | tr '\n' ' ')
# One synthesis that keeps the hierarchy: `stat` then gives each module's own cells and, under
# "design hierarchy", the totals with every submodule counted (no cross-module optimisation).
yosys -q -l "$out/yosys.log" -p "read_verilog -sv -I$here/rtl $files; $chparams
  synth_xilinx -family xc7 -top agc_top -noiopad; tee -o $out/stat.txt stat -tech xilinx" >/dev/null
python3 "$here/synth_report.py" "$out/stat.txt" ${json:+--json "$json"}
