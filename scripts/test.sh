#!/usr/bin/env bash
# test.sh - build everything and run every test: the unit tests, the
# fuzzers (label fuzz: about 2 minutes), the unit tests again under ASan
# and UBSan (label sanitize) and, for each installed Debian kernel, the
# VM tests under virtme-ng (TCG).
#
#   scripts/test.sh                 # all tests
#   scripts/test.sh -L unit         # extra arguments go to ctest
#
# Installs what is missing first (scripts/install-deps.sh, needs root).
# BUILD_DIR overrides the build directory (default: build/).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}

"$top/scripts/install-deps.sh"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTNOISE_WERROR=ON
cmake --build "$build" -j"$(nproc)"
# One test per CPU at a time (a test that takes them all says so, see
# tests/CMakeLists.txt): the VM tests, one TCG thread each, run in pairs.
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" "$@"
