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
#   scripts/stress.sh [--kernel RELEASE]... [--part PART]...
#
# --part runs only some of the four parts (cycles, hotplug, race,
# signals; the others' counts become 0), so that one kernel's proof can
# take two boots at once, an hour each, on 2 cores:
#   scripts/stress.sh --kernel K --part cycles --part hotplug &
#   scripts/stress.sh --kernel K --part race --part signals
#
# RTNOISE_STRESS_* variables set a count or the seed (guest-stress.sh
# lists them):
#   RTNOISE_STRESS_SEED=123456789 scripts/stress.sh --kernel 6.1.0-56-amd64
# replays the random moments of a run that printed that seed. Each
# kernel's output (the log of every signal moment, the kernel log) is
# kept in BUILD_DIR/stress-RELEASE (stress-RELEASE-PART-... with
# --part). Takes 2-3 hours a kernel on 2 cores
# (an attach with BPF alone takes 20-30 s under TCG).
# BUILD_DIR overrides the build directory (default: build/); like
# scripts/test.sh, it installs what is missing and builds first.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
kernels=()
parts=()
while [ $# -gt 0 ]; do
	case "$1:${2-}" in
	--kernel:?*) kernels+=("$2"); shift 2 ;;
	--part:cycles | --part:hotplug | --part:race | --part:signals) parts+=("$2"); shift 2 ;;
	--part:*) echo "stress.sh: --part is one of cycles, hotplug, race, signals" >&2; exit 2 ;;
	*) echo "stress.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

"$top/scripts/install-deps.sh"
mkdir -p "$build"
# Two runs at once (--part) share the build: one builds, the other waits.
(
	flock 9
	cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build "$build" -j"$(nproc)"
) 9>"$build/.stress-build.lock"
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
suffix=""
if [ "${#parts[@]}" -gt 0 ]; then
	chosen=" ${parts[*]} "
	[[ $chosen == *" cycles "* ]] || export RTNOISE_STRESS_BPF_CYCLES=0 \
		RTNOISE_STRESS_SAMPLER_CYCLES=0 RTNOISE_STRESS_ISOLATE_CYCLES=0
	[[ $chosen == *" hotplug "* ]] || export RTNOISE_STRESS_HOTPLUG_CYCLES=0
	[[ $chosen == *" race "* ]] || export RTNOISE_STRESS_RACE_ROUNDS=0
	[[ $chosen == *" signals "* ]] || export RTNOISE_STRESS_SIGNAL_MOMENTS=0
	suffix=$(printf -- '-%s' "${parts[@]}")
fi
status=0
for k in "${kernels[@]}"; do
	out=$build/stress-$k$suffix
	mkdir -p "$out"
	echo "stress.sh: $k${suffix:+ (parts ${parts[*]})}, output in $out"
	"$top/tests/vm/run-in-vm.sh" --kernel "$k" --build "$build" \
		--script "$top/tests/vm/guest-all.sh" --out "$out" \
		--timeout 14400 -- stress || status=1
done
exit "$status"
