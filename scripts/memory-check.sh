#!/usr/bin/env bash
# Peak resident memory of agc-encode and agc-decode on the bundled sample (3 s) and on the same
# sample looped to 10 minutes: streaming means the two are close (neither tool holds the video).
#
#   scripts/memory-check.sh [MINUTES]        (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
bin="$(scripts/build.sh)"
minutes=${1:-10}
mkdir -p out/memory
long=out/memory/looped-${minutes}min.mp4
if [[ ! -f "$long" ]]; then
    # 75 frames at 25 fps: 3 s a loop.
    ffmpeg -v error -stream_loop $(( minutes * 20 - 1 )) -i samples/talking-head.mp4 -c copy -y "$long"
fi
peak() {  # peak RSS in MB of the command
    /usr/bin/time -f "%M" -o out/memory/rss "$@" >/dev/null 2>out/memory/stderr || { cat out/memory/stderr >&2; return 1; }
    echo "$(( $(cat out/memory/rss) / 1024 ))"
}
printf "%-28s %10s %12s %12s\n" input frames "encode MB" "decode MB"
for input in samples/talking-head.mp4 "$long"; do
    name=$(basename "$input" .mp4)
    enc=$(peak "$bin/agc-encode" "$input" -o "out/memory/$name.agc" -y --no-progress)
    dec=$(peak "$bin/agc-decode" "out/memory/$name.agc" -o "out/memory/$name.y4m" -y --no-progress)
    frames=$("$bin/agc-decode" "out/memory/$name.agc" --inspect --json | python3 -c "import json,sys; print(json.load(sys.stdin)['format']['frame_count'])" 2>/dev/null || echo "?")
    rm -f "out/memory/$name.y4m"
    printf "%-28s %10s %12s %12s\n" "$name" "$frames" "$enc" "$dec"
done
