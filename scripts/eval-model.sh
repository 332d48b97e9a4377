#!/usr/bin/env bash
# Scores the shipped network (Swift float path) on the validation clips against the repeated key
# frame and the global-affine baseline; with --int8, also the INT8 decoder on the emulator.
# Arguments are passed to agc-model-eval; without a clip or folder among them, it evaluates
# ../shared/data/val.
#   scripts/eval-model.sh --compare DIR [--int8] [...]: the shipped model and the candidate in DIR
#   (training/export.py and quantize.py --candidate DIR) in one table (scripts/compare_models.py),
#   through the INT8 decoder with --int8; the two reports are kept in out/eval-shipped.json and
#   out/eval-candidate.json.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
bin="$(scripts/build.sh --product agc-model-eval)"
args=() candidate=""
while (($#)); do
  if [[ $1 == --compare ]]; then
    (($# >= 2)) || { echo "eval-model.sh: --compare needs a folder" >&2; exit 2; }
    candidate=$2
    shift 2
  else
    args+=("$1")
    shift
  fi
done
has_input=0
for a in ${args[@]+"${args[@]}"}; do [[ -d "$a" || "$a" =~ \.(mp4|mov|mkv|webm|y4m|avi)$ ]] && has_input=1; done
((has_input)) || args+=(../shared/data/val)
if [[ -z $candidate ]]; then
  exec "$bin/agc-model-eval" "${args[@]}"
fi
mkdir -p out
"$bin/agc-model-eval" "${args[@]}" --json out/eval-shipped.json
"$bin/agc-model-eval" "${args[@]}" --model "$candidate" --json out/eval-candidate.json
echo
python3 scripts/compare_models.py out/eval-shipped.json out/eval-candidate.json
