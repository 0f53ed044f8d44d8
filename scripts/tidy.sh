#!/usr/bin/env bash
# tidy.sh - clang-tidy over user/ with the checks of .clang-tidy; any
# finding fails (WarningsAsErrors).
#   scripts/tidy.sh BUILD_DIR     # a build configured by CMake
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: tidy.sh BUILD_DIR}
[ -f "$build/compile_commands.json" ] || {
	echo "tidy.sh: no $build/compile_commands.json: configure with CMake first" >&2
	exit 2
}
cd "$top"
mapfile -t files < <(find user -name '*.cpp' | sort)
# One clang-tidy per CPU, a few files each; the first failure is kept.
printf '%s\n' "${files[@]}" |
	xargs -P"$(nproc)" -n4 clang-tidy -p "$build" --quiet 2>/dev/null
echo "tidy.sh: ${#files[@]} files clean"
