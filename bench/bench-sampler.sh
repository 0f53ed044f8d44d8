#!/usr/bin/env bash
# bench-sampler.sh - what the latency sampler costs next to rtla timerlat
# and cyclictest: a virtme-ng boot of Debian's PREEMPT_RT kernel (TCG,
# isolcpus=2,3 nohz_full=2,3), each tool measuring CPUs 2-3 at 1 ms for
# SECONDS, the CPU time of its measuring threads per sample.
#
#   bench/bench-sampler.sh [BUILD_DIR] [SECONDS]   env: KERNEL=<release>
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$top/build}")
secs=${2:-20}
kernel=${KERNEL:-$(ls /boot/vmlinuz-*-rt-* 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -1)}
[ -n "$kernel" ] || { echo "bench-sampler.sh: no -rt kernel in /boot: scripts/install-deps.sh" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$top/tests/vm/run-in-vm.sh" --kernel "$kernel" --build "$build" \
	--script "$top/bench/guest-sampler-cost.sh" --out "$out" -- "$secs" >/dev/null
echo "kernel $kernel under TCG (single-threaded), CPUs 2-3, 1 ms period, $secs s each"
cat "$out/result"
