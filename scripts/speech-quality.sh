#!/usr/bin/env bash
# Wideband PESQ and STOI of Opus speech at several bit rates and both libopus applications,
# to choose agc-encode's default --audio opus rate (see scripts/speech_quality.py), e.g.
#   scripts/speech-quality.sh --jobs 2 --json out/speech-quality.json
# Sets up .venv-audio (pesq, pystoi, numpy, scipy from PyPI) on first use; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-audio

# Debian packages: the ffmpeg CLI, and what building pesq's C extension and a venv need.
need=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || need+=(ffmpeg)
command -v cc >/dev/null || need+=(gcc)
python3 -c 'import ensurepip' 2>/dev/null || need+=(python3-venv)
python3 -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(
  os.path.join(sysconfig.get_paths()["include"], "Python.h")))' || need+=(python3-dev)
scripts/apt-install.sh speech-quality ${need[@]+"${need[@]}"}

if ! "$venv/bin/python" -c 'import pesq, pystoi, numpy, scipy' 2>/dev/null; then
  echo "speech-quality: setting up $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pesq pystoi numpy scipy
fi
exec "$venv/bin/python" scripts/speech_quality.py "$@"
