#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ with swiftc directly (not SwiftPM) and runs each for a
# bounded time against a scratch copy of its committed seed corpus (Fuzz/corpus/TARGET/).
#
#   scripts/fuzz.sh [--seconds N] [--target NAME]
#
# --seconds: total run time, split evenly over the targets (default 60).
# --target:  run only bitstream, keypoints or keyframe (default: all three).
#
# Prints, per target, the executions and whether it failed (a crash, a sanitizer report, a
# timeout or running out of memory); the failing input is kept in .build/fuzz/crashes/ and the
# script exits 1. Exits 0 with a message when the toolchain has no
# libFuzzer. Modules are rebuilt only when their sources change.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
targets=(bitstream keypoints keyframe)
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --target) targets=("$2"); shift 2 ;;
    *) echo "usage: scripts/fuzz.sh [--seconds N] [--target bitstream|keypoints|keyframe]" >&2; exit 2 ;;
  esac
done
for t in "${targets[@]}"; do
  [ -f "Fuzz/$t.swift" ] || { echo "fuzz: no target $t (Fuzz/$t.swift)" >&2; exit 2; }
done

swiftc=${SWIFTC:-swiftc}
out=.build/fuzz
modules=$out/modules
mkdir -p "$modules" "$out/crashes" "$out/logs"
flags=(-sanitize=fuzzer,address -parse-as-library -O)

# A toolchain without libFuzzer (e.g. Xcode's) cannot link -sanitize=fuzzer: skip, loudly.
probe=$out/probe
printf '@_cdecl("LLVMFuzzerTestOneInput") public func f(_ d: UnsafePointer<UInt8>?, _ n: Int) -> CInt { 0 }\n' \
  > "$probe.swift"
if ! "$swiftc" "${flags[@]}" "$probe.swift" -o "$probe" >"$out/logs/probe.log" 2>&1; then
  echo "fuzz: skipped: $swiftc cannot build with -sanitize=fuzzer (no libFuzzer in this toolchain;" \
    "see $out/logs/probe.log)"
  exit 0
fi

# Runs a build step quietly (the linker warns about ASan symbols); shows its log on failure.
build() {
  local name=$1; shift
  echo "fuzz: building $name"
  "$@" >"$out/logs/$name.log" 2>&1 || { cat "$out/logs/$name.log" >&2; echo "fuzz: building $name failed" >&2; exit 1; }
}

# True when `$1` is missing or older than any of the other files.
stale() {
  local product=$1; shift
  [ -e "$product" ] || return 0
  [ -n "$(find "$@" -newer "$product" -print -quit)" ]
}

# One instrumented static library per module, whole-module optimised like SwiftPM's release
# builds (generics specialised), with -enable-testing so that the entries reach internal API
# through @testable import.
library() {
  local name=$1; shift
  local sources=()
  mapfile -t sources < <(find "Sources/$name" -name '*.swift' | sort)
  stale "$modules/lib$name.a" "${sources[@]}" || return 0
  build "$name" "$swiftc" "${flags[@]}" -wmo -enable-testing -module-name "$name" "$@" \
    -emit-module -emit-module-path "$modules/$name.swiftmodule" \
    -emit-library -static -o "$modules/lib$name.a" "${sources[@]}"
}

library AGCBitstream
for t in "${targets[@]}"; do
  extra=(-lAGCBitstream)
  deps=("$modules/libAGCBitstream.a")
  if [ "$t" = keyframe ]; then
    library AGCMedia -I Sources/CFFmpeg
    read -ra ffmpeg < <(pkg-config --libs libavformat libavcodec libswscale libavutil)
    extra+=(-lAGCMedia -I Sources/CFFmpeg "${ffmpeg[@]}")
    deps+=("$modules/libAGCMedia.a")
  fi
  if stale "$out/$t" "Fuzz/$t.swift" "${deps[@]}"; then
    build "$t" "$swiftc" "${flags[@]}" -I "$modules" -L "$modules" "Fuzz/$t.swift" "${extra[@]}" -o "$out/$t"
  fi
done

per=$((seconds / ${#targets[@]}))
((per >= 1)) || per=1
crashed=0
for t in "${targets[@]}"; do
  # A scratch copy, so that what the run finds does not grow the committed corpus.
  work=$out/corpus/$t
  rm -rf "$work"
  mkdir -p "$work"
  cp Fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
  log=$out/logs/$t.run.log
  start=$out/logs/$t.start
  touch "$start"  # inputs saved after this are this run's
  rc=0
  # Swift's crash backtracer trips over ASan and can hang: libFuzzer reports crashes itself.
  SWIFT_BACKTRACE=enable=no "$out/$t" "$work" -max_total_time="$per" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$out/crashes/$t-" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  # libFuzzer names them TARGET-crash-SHA1, TARGET-timeout-SHA1, TARGET-oom-SHA1, ...
  artifact=$(find "$out/crashes" -name "$t-*" -newer "$start" -print -quit)
  if ((rc != 0)) || [ -n "$artifact" ]; then
    crashed=1
    grep -E '^==[0-9]+==ERROR|^(Fatal error|SUMMARY)|deadly signal|out-of-memory|timeout' "$log" | head -5 || true
    echo "fuzz: $t: FAILED after ${runs:-?} executions (exit $rc): input kept in ${artifact:-?}," \
      "replay with SWIFT_BACKTRACE=enable=no $out/$t ${artifact:-FILE}; log $log"
  else
    echo "fuzz: $t: ${runs:-?} executions in ${per}s, no crash (corpus $(ls "$work" | wc -l) inputs)"
  fi
done
exit $crashed
