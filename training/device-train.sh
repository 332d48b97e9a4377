#!/usr/bin/env bash
# Trains on a lent GPU machine (the device tool's `run`, from the repository root there), on the
# compact pack of training/pack.py, and leaves the run's state in $OUT to bring back:
#   run(command: "training/device-train.sh RUN MINUTES [train.py options]", carry: ["training/.pack"],
#       timeout_s: MINUTES * 60 + 120)
# Then here: copy resume.pt, log.jsonl (and best.pt) from the returned files into training/runs/RUN.
# The run resumes from the committed runs/RUN/resume.pt (or --init-from another run's).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: training/device-train.sh RUN MINUTES [train.py options]" >&2; exit 2; }
run=$1 minutes=$2
shift 2
out=${OUT:-/tmp/agc-device-out}
mkdir -p "$out"
[ -f training/.pack/manifest.json ] || { echo "training/.pack: no pack (make it with training/pack.py and carry it)" >&2; exit 2; }
nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader || true
set +e
PYTHONUNBUFFERED=1 python3 training/train.py --run "$run" --resume --pack training/.pack --minutes "$minutes" \
  --threads "$(nproc)" "$@" 2>&1 | tee "$out/train.out"
status=${PIPESTATUS[0]}
set -e
for f in resume.pt log.jsonl config.json best.pt; do
  [ -f "training/runs/$run/$f" ] && cp "training/runs/$run/$f" "$out/"
done
exit "$status"
