#!/usr/bin/env bash
# Encodes and decodes each clip (default: ../shared/data/val) at the default settings and prints
# per clip: kb/s split into key frames, keypoints, audio and overhead; key frames; encode and decode
# frames per second; PSNR-Y / MS-SSIM-Y of the decoded video against the cropped source.
# Extra agc-encode options go after "--", e.g. scripts/codec-table.sh -- --keyframe-qp 37
set -euo pipefail
cd "$(dirname "$0")/.."
clips=()
while (($#)) && [ "$1" != "--" ]; do clips+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
((${#clips[@]})) || clips=(../shared/data/val/*.mp4)
scripts/setup.sh
bin="$(scripts/build.sh)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for clip in "${clips[@]}"; do
  name="$(basename "${clip%.*}")"
  "$bin/agc-encode" "$clip" -o "$work/$name.agc" -y --no-progress --stats-json "$work/$name.json" "$@"
  start=$(date +%s.%N)
  "$bin/agc-decode" "$work/$name.agc" -o "$work/$name.y4m" -y --no-progress
  end=$(date +%s.%N)
  python3 - "$work/$name.json" "$start" "$end" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
dec_fps = s["frames"] / (float(sys.argv[3]) - float(sys.argv[2]))
print(json.dumps({"clip": s["input"].split("/")[-1], "frames": s["frames"], "kbps": round(s["kbps"], 2),
                  "kbps_key_frames": round(s["kbps_key_frames"], 2), "kbps_keypoints": round(s["kbps_keypoints"], 2), "kbps_audio": round(s["kbps_audio"], 2),
                  "kbps_overhead": round(s["kbps_overhead"], 2), "key_frames": len(s["key_frames"]),
                  "encode_fps": round(s["encode_fps"], 1), "decode_fps": round(dec_fps, 1),
                  "psnr_y": round(s["mean_psnr_y"], 2), "msssim_y": round(s["mean_msssim_y"], 4)}))
PY
done | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
cols = ["clip", "frames", "kbps", "kbps_key_frames", "kbps_keypoints", "kbps_audio", "kbps_overhead", "key_frames",
        "encode_fps", "decode_fps", "psnr_y", "msssim_y"]
print("| " + " | ".join(cols) + " |")
print("|" + "---|" * len(cols))
for r in rows:
    print("| " + " | ".join(str(r[c]) for c in cols) + " |")
'
