#!/usr/bin/env bash
# The main job on the bundled sample: installs what is needed, builds in release mode, encodes
# samples/talking-head.mp4 to out/talking-head.agc, inspects it, decodes it to
# out/talking-head.mp4, and scores the network on the clip against its baselines.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
bin="$(scripts/build.sh)"
mkdir -p out
"$bin/agc-encode" samples/talking-head.mp4 -o out/talking-head.agc -y --stats-json out/talking-head.stats.json "$@"
"$bin/agc-decode" --inspect out/talking-head.agc
"$bin/agc-decode" out/talking-head.agc -o out/talking-head.mp4 -y
"$bin/agc-model-eval" samples/talking-head.mp4
