#!/usr/bin/env bash
# stress.sh - the full proof that rtnoise leaves nothing behind: for each
# Debian kernel the build has a module for (or each --kernel), one TCG
# boot that runs tests/vm/guest-stress.sh with its full counts: 50
# attach/detach cycles with BPF and the sampler, 200 sampler-only, 10
# with --isolate, 50 hotplug cycles of the watched CPUs under BPF,
# 30 rounds of attach/detach racing hotplug and rmmod, and SIGINT,
# SIGTERM, SIGHUP and SIGKILL of `attach --duration --isolate` and of
# `partition --isolate` at 20 random moments each.
#
#   scripts/stress.sh [--kernel RELEASE]...
#
# RTNOISE_STRESS_* variables set a count or the seed (guest-stress.sh
# lists them):
#   RTNOISE_STRESS_SEED=123456789 scripts/stress.sh --kernel 6.1.0-56-amd64
# replays the random moments of a run that printed that seed. Each
# kernel's output (the log of every signal moment, the kernel log) is
# kept in BUILD_DIR/stress-RELEASE. Takes 2-3 hours a kernel on 2 cores
# (an attach with BPF alone takes 20-30 s under TCG).
# BUILD_DIR overrides the build directory (default: build/); like
# scripts/test.sh, it installs what is missing and builds first.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
kernels=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernels+=("$2"); shift 2 ;;
	*) echo "stress.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

"$top/scripts/install-deps.sh"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)"
if [ "${#kernels[@]}" -eq 0 ]; then
	for ko in "$build"/kmod/*/rtnoise.ko; do
		[ -e "$ko" ] && kernels+=("$(basename "$(dirname "$ko")")")
	done
fi
if [ "${#kernels[@]}" -eq 0 ]; then
	echo "stress.sh: no rtnoise.ko built in $build/kmod: are kernel headers installed?" >&2
	exit 2
fi

# The full proof's counts (guest-all.sh's own are CI's small ones).
export RTNOISE_STRESS_BPF_CYCLES=${RTNOISE_STRESS_BPF_CYCLES:-50}
export RTNOISE_STRESS_SAMPLER_CYCLES=${RTNOISE_STRESS_SAMPLER_CYCLES:-200}
export RTNOISE_STRESS_ISOLATE_CYCLES=${RTNOISE_STRESS_ISOLATE_CYCLES:-10}
export RTNOISE_STRESS_HOTPLUG_CYCLES=${RTNOISE_STRESS_HOTPLUG_CYCLES:-50}
export RTNOISE_STRESS_RACE_ROUNDS=${RTNOISE_STRESS_RACE_ROUNDS:-30}
export RTNOISE_STRESS_SIGNAL_MOMENTS=${RTNOISE_STRESS_SIGNAL_MOMENTS:-20}
export RTNOISE_STRESS_SIGNAL_BPF=${RTNOISE_STRESS_SIGNAL_BPF:-1}
status=0
for k in "${kernels[@]}"; do
	mkdir -p "$build/stress-$k"
	echo "stress.sh: $k, output in $build/stress-$k"
	"$top/tests/vm/run-in-vm.sh" --kernel "$k" --build "$build" \
		--script "$top/tests/vm/guest-all.sh" --out "$build/stress-$k" \
		--timeout 14400 -- stress || status=1
done
exit "$status"
