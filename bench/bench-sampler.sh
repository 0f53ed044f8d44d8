#!/usr/bin/env bash
# bench-sampler.sh - what the latency sampler costs next to rtla timerlat
# and cyclictest: a virtme-ng boot of Debian's PREEMPT_RT kernel (TCG)
# with all CPUs but 0-1 isolated (isolcpus nohz_full rcu_nocbs), each tool
# measuring those CPUs at each period for SECONDS, one after another:
# samples taken against periods, IRQ and thread latency p50/p99/max, and
# the CPU time of its measuring threads per sample (also per CPU).
#
#   bench/bench-sampler.sh [options] [BUILD_DIR] [SECONDS]
#     --periods LIST   periods in us, comma-separated (default 1000,100)
#     --tools LIST     rtnoise,timerlat,cyclictest (the default)
#     --vcpus N        vCPUs of the guest, 3 or more (default 4: CPUs 2-3)
#     --out DIR        keep the raw outputs there
#   env: KERNEL=<release>
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
periods=1000,100 tools=rtnoise,timerlat,cyclictest vcpus=4 out=""
while [ $# -gt 0 ]; do
	case "$1" in
	--periods) periods=$2; shift 2 ;;
	--tools) tools=$2; shift 2 ;;
	--vcpus) vcpus=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-*) echo "bench-sampler.sh: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
build=$(realpath "${1:-$top/build}")
secs=${2:-20}
case $vcpus in
'' | *[!0-9]*) echo "bench-sampler.sh: --vcpus wants a number" >&2; exit 2 ;;
esac
[ "$vcpus" -ge 3 ] || { echo "bench-sampler.sh: --vcpus must be 3 or more (CPUs 0-1 stay housekeeping)" >&2; exit 2; }
[ "$secs" -ge 3 ] || { echo "bench-sampler.sh: SECONDS must be 3 or more" >&2; exit 2; }
kernel=${KERNEL:-$(ls /boot/vmlinuz-*-rt-* 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -1)}
[ -n "$kernel" ] || { echo "bench-sampler.sh: no -rt kernel in /boot: scripts/install-deps.sh" >&2; exit 1; }
if [ -z "$out" ]; then
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
cpus=2-$((vcpus - 1))
nruns=$(( $(tr , '\n' <<<"$periods" | wc -l) * $(tr , '\n' <<<"$tools" | wc -l) ))
# Boot and module loads take minutes under TCG; each run secs + its setup.
limit=$((600 + nruns * (secs + 120)))
"$top/tests/vm/run-in-vm.sh" --kernel "$kernel" --build "$build" \
	--cpus "$vcpus" --append "isolcpus=$cpus nohz_full=$cpus rcu_nocbs=$cpus" \
	--timeout "$limit" --script "$top/bench/guest-sampler-cost.sh" \
	--out "$out" -- "$secs" "$periods" "$tools" "$cpus" >"$out/vm.log" 2>&1 ||
	{ cat "$out/vm.log" >&2; exit 1; }
echo "kernel $kernel under TCG (single-threaded), $vcpus vCPUs, CPUs $cpus," \
	"periods $periods us, $secs s each"
[ ! -s "$out/errors" ] || cat "$out/errors"
cat "$out/result"
