#!/usr/bin/env bash
# sanitize-unit.sh - build the unit tests again with AddressSanitizer and
# UndefinedBehaviorSanitizer (-fno-sanitize-recover=all: the first report
# fails the run) in a build directory of their own, and run them: the
# sanitize_unit test.
#
#   tests/sanitize-unit.sh SOURCE_DIR BUILD_DIR [GENERATOR]
#
# Only the unit-test target and the libraries it links are built (no
# module, no CLI binary); the directory is kept, so later runs rebuild
# only what changed.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 SOURCE_DIR BUILD_DIR [GENERATOR]" >&2
	exit 2
fi
src=$1 out=$2 gen=${3:-}
flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

if [ ! -f "$out/CMakeCache.txt" ]; then
	cmake -S "$src" -B "$out" ${gen:+-G "$gen"} -DCMAKE_BUILD_TYPE=Debug \
		-DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
		-DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
		-DRTNOISE_FUZZ=OFF -DRTNOISE_SANITIZE=OFF -DRTNOISE_WERROR=ON
fi
cmake --build "$out" -j"$(nproc)" --target rtnoise_unit_tests

# The GoogleTest binary itself: the other tests labelled unit need what
# this build does not make (the CLI binary, the packages).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$out/tests"
./rtnoise_unit_tests --gtest_brief=1
