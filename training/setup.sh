#!/usr/bin/env bash
# Installs what training needs on Debian: PyTorch (CPU) and numpy from Debian's packages,
# OpenCV with its Haar cascades (face crops), FFmpeg (decoding), matplotlib (curves).
# Training scripts run with Debian's /usr/bin/python3, which sees these packages.
set -euo pipefail
packages=(python3-torch python3-numpy python3-opencv opencv-data python3-matplotlib ffmpeg)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
/usr/bin/python3 -c "import torch, numpy, cv2" || { echo "training setup: torch/numpy/cv2 not importable" >&2; exit 1; }
