#!/usr/bin/env bash
# format.sh - clang-format user/, tests/ and bench/ (C++) after .clang-format.
#   scripts/format.sh            # rewrite the files in place
#   scripts/format.sh --check    # list what differs, exit 1 if any does
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mapfile -t files < <(git ls-files 'user/*.cpp' 'user/*.hpp' 'tests/unit/*.cpp' 'tests/unit/*.hpp' \
	'tests/fuzz/*.cpp' 'tests/fuzz/*.hpp' 'bench/*.cpp' 2>/dev/null || find user tests/unit tests/fuzz bench -name '*.[ch]pp')
if [ "${1:-}" = "--check" ]; then
	clang-format --dry-run --Werror "${files[@]}"
	echo "format.sh: ${#files[@]} files as .clang-format says"
else
	clang-format -i "${files[@]}"
fi
