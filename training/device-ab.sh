#!/usr/bin/env bash
# An A/B of training runs at equal time on one lent GPU: each SPEC ("RUN [train.py options]") runs
# through training/device-train.sh at the same time as the others, for MINUTES each, sharing the
# machine's cores; then the runs' validations are printed side by side (training/compare_runs.py).
#   run(command: "training/device-ab.sh 8 'ab-base' 'ab-kp15 --set num_kp=15'", carry: ["training/.pack"],
#       timeout_s: 8 * 60 + 180)
# Each run's files come back in $OUT/RUN (resume.pt, log.jsonl, config.json, best.pt, train.out).
# Give every run the same --val-every so that the table compares the same steps' kind of figure.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: training/device-ab.sh MINUTES 'RUN [train.py options]'..." >&2; exit 2; }
minutes=$1
shift
out=${OUT:-/tmp/agc-device-out}
threads=$(( $(nproc) / $# ))
((threads >= 1)) || threads=1
runs=() pids=()
for spec in "$@"; do
  read -r -a words <<< "$spec"
  run=${words[0]}
  for seen in ${runs[@]+"${runs[@]}"}; do
    [[ $seen != "$run" ]] || { echo "device-ab.sh: run $run is named twice" >&2; exit 2; }
  done
  runs+=("$run")
  mkdir -p "$out/$run"
  OUT="$out/$run" training/device-train.sh "$run" "$minutes" --threads "$threads" "${words[@]:1}" \
    > "$out/$run/device-train.out" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!runs[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "device-ab.sh: run ${runs[$i]} failed; the end of its output:" >&2
    tail -5 "$out/${runs[$i]}/device-train.out" >&2
    status=1
  fi
done
python3 training/compare_runs.py "${runs[@]}" | tee "$out/compare.md" || status=1
exit "$status"
