#!/usr/bin/env bash
# Installs the system packages the toolchain needs on Debian (FFmpeg's libraries and tools,
# pkg-config, OpenCV, and Verilator + Yosys for the accelerator's RTL in hardware/). Idempotent: does nothing when everything is present. Needs root (or sudo).
set -euo pipefail

packages=(ffmpeg pkg-config libavformat-dev libavcodec-dev libswscale-dev libswresample-dev libavutil-dev
          libopencv-objdetect-dev libopencv-video-dev libopencv-imgproc-dev libopencv-core-dev opencv-data
          verilator yosys)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
"$(cd "$(dirname "$0")" && pwd)/apt-install.sh" setup ${missing[@]+"${missing[@]}"}
command -v swift >/dev/null || { echo "setup: swift is not on PATH (Swift 6 toolchain needed)" >&2; exit 1; }
