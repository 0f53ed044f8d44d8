#!/usr/bin/env bash
# demo.sh - boot Debian's PREEMPT_RT kernel in a virtme-ng VM with CPUs 2-3
# isolated, disturb CPU 3 on purpose, sample both CPUs with rtnoise and
# print the report; the same report as an HTML page is written to
# DEMO_OUT/report.html (default: BUILD_DIR/demo). Then the same again
# after `rtnoise partition --isolate 2-3`, and `rtnoise compare` of the two
# runs, as text and as DEMO_OUT/compare.html. Installs what is missing
# first, and builds only what the VM runs (scripts/test.sh builds the rest).
#
#   scripts/demo.sh [KERNEL-RELEASE]    # default: the installed -rt kernel
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}

"$top/scripts/install-deps.sh"

kernel=${1:-}
if [ -z "$kernel" ]; then
	# The newest -rt kernel with headers installed, else the newest one:
	# of those, CMake builds rtnoise.ko (target kmod-RELEASE).
	kernels=$(for m in /lib/modules/*/build/Makefile; do
		[ ! -e "$m" ] || basename "${m%/build/Makefile}"
	done | sort -V)
	kernel=$(grep -- '-rt-' <<<"$kernels" | tail -n 1) ||
		kernel=$(tail -n 1 <<<"$kernels")
fi
if [ -z "$kernel" ] || [ ! -e "/lib/modules/$kernel/build/Makefile" ]; then
	echo "demo.sh: no kernel headers for ${kernel:-any kernel}:" \
		"install linux-headers-${kernel:-rt-amd64}" >&2
	exit 1
fi

# Only what the VM runs (tests/vm/guest-demo.sh): the CLI, with its BPF
# programs built in, the module for the kernel it boots, and the
# disturbances; the rest, the tests above all, is scripts/test.sh's.
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target rtnoise "kmod-$kernel" rtnoise_disturb
if [ ! -f "$build/kmod/$kernel/rtnoise.ko" ]; then
	echo "demo.sh: no rtnoise.ko was built for $kernel" >&2
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
