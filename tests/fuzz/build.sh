#!/usr/bin/env bash
# build.sh - configure (once) and build the libFuzzer targets of tests/fuzz
# with clang++, in a build directory of their own: the fuzz_build test,
# which every fuzz_<target> test needs first.
#
#   tests/fuzz/build.sh CLANGXX BUILD_DIR [GENERATOR] [WERROR]
#
# WERROR (ON or OFF, the main build's RTNOISE_WERROR): warnings are errors.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 CLANGXX BUILD_DIR [GENERATOR]" >&2
	exit 2
fi
cxx=$1 out=$2 gen=${3:-} werror=${4:-}
src=$(cd "$(dirname "$0")" && pwd)

if [ ! -f "$out/CMakeCache.txt" ]; then
	cmake -S "$src" -B "$out" ${gen:+-G "$gen"} -DCMAKE_CXX_COMPILER="$cxx" \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
if [ -n "$werror" ]; then
	cmake -S "$src" -B "$out" -DRTNOISE_WERROR="$werror" >/dev/null
fi
cmake --build "$out" -j"$(nproc)"
