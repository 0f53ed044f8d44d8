#!/usr/bin/env bash
# layer-names.sh - each basename of user/ in one layer only: a name that
# repeats across layers (model/budget.hpp beside analysis/budget.cpp)
# sends a grep, and a reader, to the wrong file. Files of one layer may
# share a basename (attribution.hpp and attribution.cpp).
#   scripts/layer-names.sh [USER_DIR]    # default: the tree's user/
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/user}
# "basename layer", once per pair, then the basenames of more than one layer
repeats=$(find "$dir" -mindepth 2 -maxdepth 2 -type f \( -name '*.cpp' -o -name '*.hpp' \) |
	awk -F/ '{ b = $NF; sub(/\.[^.]*$/, "", b); print b, $(NF - 1) }' | sort -u |
	awk '{ n[$1]++; l[$1] = l[$1] " " $2 "/" }
	     END { for (b in n) if (n[b] > 1) print b ":" l[b] }' | sort)
if [ -n "$repeats" ]; then
	while IFS= read -r r; do
		echo "layer-names.sh: ${r%%:*} in more than one layer:${r#*:}" >&2
	done <<<"$repeats"
	exit 1
fi
echo "layer-names.sh: every basename of $(basename "$dir")/ in one layer"
