#!/usr/bin/env bash
# Scores the shipped network (Swift float path) on the validation clips against the repeated key
# frame and the global-affine baseline; with --int8, also the INT8 decoder on the emulator.
# Arguments are passed to agc-model-eval; without a clip or folder among them, it evaluates
# ../shared/data/val.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
bin="$(scripts/build.sh --product agc-model-eval)"
args=("$@")
has_input=0
for a in "$@"; do [[ -d "$a" || "$a" =~ \.(mp4|mov|mkv|webm|y4m|avi)$ ]] && has_input=1; done
((has_input)) || args+=(../shared/data/val)
exec "$bin/agc-model-eval" "${args[@]}"
