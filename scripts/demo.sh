#!/usr/bin/env bash
# demo.sh - boot Debian's PREEMPT_RT kernel in a virtme-ng VM with CPUs 2-3
# isolated, disturb CPU 3 on purpose, sample both CPUs with rtnoise and
# print the report; the same report as an HTML page is written to
# DEMO_OUT/report.html (default: BUILD_DIR/demo). Then the same again
# after `rtnoise partition --isolate 2-3`, and `rtnoise compare` of the two
# runs, as text and as DEMO_OUT/compare.html. Installs and builds what is
# missing first.
#
#   scripts/demo.sh [KERNEL-RELEASE]    # default: the installed -rt kernel
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}

"$top/scripts/install-deps.sh"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"

kernel=${1:-}
if [ -z "$kernel" ]; then
	# shellcheck disable=SC2010 # kernel releases: no newline in the names
	kernel=$(ls "$build/kmod" | grep -- '-rt-' | sort -V | tail -n 1)
	[ -n "$kernel" ] || kernel=$(ls "$build/kmod" | sort -V | tail -n 1)
fi
if [ -z "$kernel" ] || [ ! -f "$build/kmod/$kernel/rtnoise.ko" ]; then
	echo "demo.sh: no rtnoise.ko was built; are kernel headers installed?" >&2
	exit 1
fi

out=${DEMO_OUT:-$build/demo}
mkdir -p "$out"
rm -f "$out/report.html" "$out/compare.html" "$out/before.json" "$out/after.json" \
	"$out/dmesg" "$out/done"
status=0
"$top/tests/vm/run-in-vm.sh" --kernel "$kernel" --build "$build" \
	--script "$top/tests/vm/guest-demo.sh" --timeout 1200 --out "$out" || status=$?
if [ -f "$out/report.html" ]; then
	echo
	echo "The report as an HTML page (open it in a browser): $out/report.html"
fi
if [ -f "$out/compare.html" ]; then
	echo "Before and after partition --isolate, as an HTML page: $out/compare.html"
fi
exit "$status"
