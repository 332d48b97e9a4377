#!/usr/bin/env bash
# Scores the shipped network (Swift float path) on the validation clips against the repeated key
# frame and the global-affine baseline. Arguments are passed to agc-model-eval; with none, it
# evaluates ../shared/data/val.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product agc-model-eval >&2
args=("$@")
((${#args[@]})) || args=(../shared/data/val)
exec "$(swift build -c release --show-bin-path)/agc-model-eval" "${args[@]}"
