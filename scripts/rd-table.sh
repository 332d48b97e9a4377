#!/usr/bin/env bash
# Rate-distortion comparison of AGC with HEVC (x265) and AV1 (SVT-AV1) on each clip (default:
# ../shared/data/val/*.mp4): runs agc-rd into out/rd-val (JSON, CSV, SVG plots, PNG frames,
# report.html) and prints the markdown tables for the README (out/rd-val/summary.md).
# Clips first, then agc-rd options after "--", e.g.
#   scripts/rd-table.sh -- --frames 250
#   scripts/rd-table.sh clip.mp4 -- --codecs agc,av1 -o out/rd-clip
set -euo pipefail
cd "$(dirname "$0")/.."
clips=()
while (($#)) && [ "$1" != "--" ]; do clips+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
((${#clips[@]})) || clips=(../shared/data/val/*.mp4)
for clip in "${clips[@]}"; do
  [ -f "$clip" ] || { echo "rd-table.sh: $clip: no such file" >&2; exit 1; }
done
scripts/setup.sh
# AGC_SCRATCH: a private build folder (swift build --scratch-path), e.g. .build-rd.
bin="$(scripts/build.sh --product agc-rd ${AGC_SCRATCH:+--scratch-path "$AGC_SCRATCH"})"
out=out/rd-val
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in -o|--output) out="${args[$((i + 1))]}" ;; esac
done
# --jobs 1: two SVT-AV1 encoders at once crashed inside libSvtAv1Enc 1.4.1 here (see README).
"$bin/agc-rd" "${clips[@]}" -o "$out" --jobs 1 "$@"
echo "Made with: scripts/rd-table.sh ${clips[*]} -- $*"
echo
cat "$out/summary.md"
