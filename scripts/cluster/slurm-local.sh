#!/usr/bin/env bash
# Starts a single-node Slurm here (Debian's slurm-wlm and munge, daemons run directly: no
# systemd needed), submits an archive as a 4-task job array (scripts/cluster/agc-array.sbatch),
# waits, and checks that every file was done exactly once. Then stops the daemons.
#
#   scripts/cluster/slurm-local.sh [ARCHIVE_DIR] [OUTPUT_DIR]     (default ../shared/data, out/slurm)
set -euo pipefail
cd "$(dirname "$0")/../.."
archive=$(realpath "${1:-../shared/data}")
out=$(realpath -m "${2:-out/slurm}")
tasks=4
state=$(realpath -m out/slurm-state)

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    echo "installing slurm-wlm and munge" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null
fi
scripts/setup.sh >/dev/null
export AGC_ENCODE="$(scripts/build.sh --product agc-encode)/agc-encode"

mkdir -p "$state"/{ctld,d,log} "$out"
host=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
cat > "$state/slurm.conf" <<CONF
ClusterName=agc-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=agc Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$state/slurm.conf

# munge: a key if the package did not make one, the daemon as root (--force).
if [[ ! -s /etc/munge/munge.key ]]; then
    mkdir -p /etc/munge && dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
fi
chown root:root /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
pgrep -x munged >/dev/null || munged --force

stop() {
    [[ -f "$state/slurmd.pid" ]] && kill "$(cat "$state/slurmd.pid")" 2>/dev/null || true
    [[ -f "$state/slurmctld.pid" ]] && kill "$(cat "$state/slurmctld.pid")" 2>/dev/null || true
}
trap stop EXIT
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 30); do sinfo -h -o %T 2>/dev/null | grep -qE "idle|mix|alloc" && break; sleep 1; done
sinfo

inputs=$(find "$archive" -type f \( -iname '*.mp4' -o -iname '*.mov' -o -iname '*.mkv' -o -iname '*.webm' \) | wc -l)
rm -f "$out"/summaries/task-*.json
job=$(sbatch --parsable --array=0-$((tasks - 1)) --chdir="$state/log" scripts/cluster/agc-array.sbatch "$archive" "$out")
echo "submitted job array $job ($tasks tasks) over $inputs inputs in $archive"
start=$(date +%s)
while squeue -h -j "$job" 2>/dev/null | grep -q .; do sleep 5; done
echo "array finished in $(( $(date +%s) - start )) s"
sacct -j "$job" -n -o JobID,State,ExitCode,Elapsed 2>/dev/null || true
python3 scripts/cluster/check-shards.py "$out"/summaries/task-*.json --expect-inputs "$inputs"
