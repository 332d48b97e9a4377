#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds in release mode (the network tests run
# real convolutions), runs every test with the optimised kernels and every test again with the
# scalar reference kernels (the emulator, the float networks and the codec end to end), then
# runs the fuzz targets for a minute (scripts/fuzz.sh). The accelerator's RTL co-simulation
# (RTLCosimTests) needs the Verilator harness, built first (hardware/sim/build.sh); its whole-frame
# test runs once, with the optimised kernels. The training helpers' tests (training/tests: growing a
# run into a larger architecture, the keypoints' affine fit, --set, the output losses) run first,
# on Debian's PyTorch (training/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== training helpers (training/tests)"
training/setup.sh
/usr/bin/python3 -m unittest discover -s training/tests
swift build -c release --build-tests -Xswiftc -enable-testing
echo "== RTL harness (hardware/sim/build.sh)"
hardware/sim/build.sh
echo "== tests, optimised kernels"
AGC_KERNELS=optimized swift test -c release -Xswiftc -enable-testing --skip-build --disable-swift-testing
echo "== tests, reference kernels"
AGC_KERNELS=reference swift test -c release -Xswiftc -enable-testing --skip-build --disable-swift-testing \
  --skip RTLCosimTests.testWholeFrameThroughTheDriverAndTheRTLServedDevice
echo "== fuzzing, 60 s in all (docs/bad-input.md)"
scripts/fuzz.sh --seconds 60
