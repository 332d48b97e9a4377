#!/usr/bin/env bash
# The RTL's cycles per descriptor on a real decode: the shipped model's key stream and first
# rebuilt frame of the parity fixture (the DDR images RTLFrameImageTests writes), each stream run
# whole on agc-rtl-sim. Writes DIR/key-cycles.json and DIR/frame-cycles.json (agc-rtl-sim's
# reports) and DIR/frame.ddr(.key, .json); hardware/power.sh reuses them from the same DIR.
# About 15 CPU minutes (Verilator runs this design at roughly 50 k cycles per second).
# Usage: hardware/measure-cycles.sh [--out DIR] [--read-latency L]   (default out/power, 24)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/out/power
latency=24
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --read-latency) latency=$2; shift 2 ;;
    *) echo "usage: hardware/measure-cycles.sh [--out DIR] [--read-latency L]" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
"$root/hardware/sim/build.sh" > /dev/null
image=$out/frame.ddr
if [ ! -f "$image" ] || [ ! -f "$image.key" ] || [ ! -f "$image.json" ]; then
  (cd "$root" && swift build -c release --build-tests -Xswiftc -enable-testing >/dev/null && \
   AGC_RTL_FRAME_IMAGE="$image" swift test -c release -Xswiftc -enable-testing --skip-build \
     --disable-swift-testing --filter RTLFrameImageTests >/dev/null)
fi
for stream in key frame; do
  source=$image; [ "$stream" = key ] && source=$image.key
  read -r base count < <(python3 -c "import json,sys; f=json.load(open(sys.argv[1]))[sys.argv[2]]; print(f['descriptors'], f['count'])" "$image.json" "$stream")
  cp "$source" "$out/$stream-run.ddr"
  "$root/hardware/sim/build/agc-rtl-sim" --ddr "$out/$stream-run.ddr" --descriptors "$base" --count "$count" \
    --read-latency "$latency" > "$out/$stream-cycles.json"
  echo "$stream stream: $(cat "$out/$stream-cycles.json")"
done
mv "$out/frame-run.ddr" "$out/after-frame.ddr"
rm -f "$out/key-run.ddr"
