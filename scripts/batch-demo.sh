#!/usr/bin/env bash
# The archive run of issue 6: every clip of ../shared/data (train and val, linked into
# out/archive) plus one corrupted file, encoded as a batch; then the same command again.
# Expected: every good file done, the corrupted one reported, exit status non-zero; the rerun
# encodes nothing (every complete stream is skipped) and reports the same failure.
#
#   scripts/batch-demo.sh [--jobs N]      (default 2)
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
bin="$(scripts/build.sh --product agc-encode)"
jobs=2
[[ "${1:-}" == "--jobs" ]] && jobs=$2
data=$(realpath ../shared/data)
rm -rf out/archive && mkdir -p out/archive
for folder in train val; do
    mkdir -p "out/archive/$folder"
    for clip in "$data/$folder"/*.mp4; do ln -s "$clip" "out/archive/$folder/"; done
done
head -c 40000 "$data/val/vr-face2.mp4" > out/archive/val/corrupted.mp4
inputs=$(find out/archive -name '*.mp4' | wc -l)
echo "archive: $inputs files (one corrupted)"
for run in first rerun; do
    start=$(date +%s)
    "$bin/agc-encode" out/archive --output-dir out/archive-agc --jobs "$jobs" --no-progress \
        --summary-json "out/archive-agc.$run.json"
    status=$?
    echo "$run run: exit status $status, $(( $(date +%s) - start )) s"
    python3 - "out/archive-agc.$run.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
kb = sum(f["bytes_out"] for f in s["files"]) / 1000
print(f"  {len(s['files'])} files: {s['done']} done, {s['skipped']} skipped, {s['failed']} failed; {kb:.0f} kB of streams")
for f in s["files"]:
    if f["status"] == "failed":
        print(f"  failed: {f['input']}: {f['error']}")
PY
done
