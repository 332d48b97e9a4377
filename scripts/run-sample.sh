#!/usr/bin/env bash
# The main job on the bundled sample: installs what is needed, builds in release mode, and runs
# the network over samples/talking-head.mp4 (key frame every 2 s, every other frame rebuilt).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release
bin="$(swift build -c release --show-bin-path)"
"$bin/agc-model-eval" samples/talking-head.mp4 "$@"
