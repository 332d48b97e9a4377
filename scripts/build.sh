#!/usr/bin/env bash
# Builds the release products with the same flags as the test suite (scripts/test.sh), so that
# the tools, the benchmarks and the tests share one build instead of rebuilding each other's
# (-enable-testing exports internal symbols to the tests; the optimisation level is the same).
# Prints the folder of the built executables on stdout. Arguments go to swift build.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release -Xswiftc -enable-testing "$@" >&2
swift build -c release -Xswiftc -enable-testing --show-bin-path
