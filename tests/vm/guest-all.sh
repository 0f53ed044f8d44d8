#!/usr/bin/env bash
# guest-all.sh - guest tests in one boot: the ones named, or the
# sampler's, the attribution's, the partition's and the workload's.
#   guest-all.sh BUILD_DIR OUT_DIR [TEST...]
# TEST names a guest-TEST.sh (sampler, install, stress, monitor, ...).
# guest-stress.sh gets CI's small counts unless the environment sets
# others (scripts/stress.sh sets the full proof's).
here=$(dirname "$(realpath "$0")")
tests=("${@:3}")
[ "${#tests[@]}" -gt 0 ] || tests=(sampler attribution partition workload)
# Enough to fail on what the full proof looks for, in about 10 minutes
# a kernel under TCG: each kind of attach/detach cycle, hotplug under
# BPF, the race, each signal at two moments of each command (one of the
# two attach runs with BPF).
export RTNOISE_STRESS_BPF_CYCLES=${RTNOISE_STRESS_BPF_CYCLES:-2}
export RTNOISE_STRESS_SAMPLER_CYCLES=${RTNOISE_STRESS_SAMPLER_CYCLES:-8}
export RTNOISE_STRESS_ISOLATE_CYCLES=${RTNOISE_STRESS_ISOLATE_CYCLES:-1}
export RTNOISE_STRESS_HOTPLUG_CYCLES=${RTNOISE_STRESS_HOTPLUG_CYCLES:-10}
export RTNOISE_STRESS_RACE_ROUNDS=${RTNOISE_STRESS_RACE_ROUNDS:-6}
export RTNOISE_STRESS_SIGNAL_MOMENTS=${RTNOISE_STRESS_SIGNAL_MOMENTS:-2}
export RTNOISE_STRESS_SIGNAL_BPF=${RTNOISE_STRESS_SIGNAL_BPF:-2}
status=0
# If no step finishes for 12 min (the slowest step, an attach while a vCPU
# spins, takes up to 700 s), leave the kernel's view of the blocked tasks
# behind (once: the dump itself would fail the dmesg check).
touch "$2/progress"
(
	while sleep 30; do
		[ -n "$(find "$2/progress" -mmin -12)" ] && continue
		ps -eo pid,stat,wchan:32,args >"$2/ps"
		echo w >/proc/sysrq-trigger
		dmesg >"$2/dmesg"
		break
	done
) &
watchdog=$!
for t in "${tests[@]}"; do
	[ -x "$here/guest-$t.sh" ] || { echo "guest-all.sh: no guest-$t.sh"; status=1; continue; }
	echo "==== guest-$t.sh"
	"$here/guest-$t.sh" "$1" "$2" || status=1
done
kill "$watchdog" 2>/dev/null
dmesg >"$2/dmesg"
touch "$2/done"
exit "$status"
