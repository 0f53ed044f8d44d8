# shellcheck shell=bash
# lib.sh - helpers for the guest scripts of the VM tests (sourced).
# Every step runs under a timeout; results are counted, and the closing
# line is "N passed, M failed".

passes=0
failures=0

# This directory: the guest scripts, check_report.py and snapshot.py.
vm_dir=$(dirname "$(realpath "${BASH_SOURCE[0]}")")

# guest_args BUILD_DIR OUT_DIR - what every guest script works with: the
# build (build, rt the CLI, disturb), where results go (outdir), this
# directory (here) and the report checker (checker)
# shellcheck disable=SC2034 # for the scripts that source this file
guest_args() {
	build=$1
	outdir=$2
	here=$vm_dir
	rt=$build/rtnoise
	disturb=$build/tests/rtnoise_disturb
	checker=$vm_dir/check_report.py
}

# snap - the host state a partition touches (snapshot.py);
# same_as_before - snap equals $outdir/before.snap, or the diff
snap() { python3 "$vm_dir/snapshot.py"; }
same_as_before() {
	snap >"$outdir/after.snap"
	diff -u "$outdir/before.snap" "$outdir/after.snap"
}

# Each result line starts with the seconds since the script began, so a
# slow step shows where the time went.
ok() { passes=$((passes + 1)); printf '[%4d] PASS: %s\n' "$SECONDS" "$*"; touch "${outdir:-/tmp}/progress"; }
ko() { failures=$((failures + 1)); printf '[%4d] FAIL: %s\n' "$SECONDS" "$*"; touch "${outdir:-/tmp}/progress"; }

# cpu_online CPU 0|1 - take CPU offline or bring it back
cpu_online() { echo "$2" >"/sys/devices/system/cpu/cpu$1/online"; }

# run CMD... - run under a timeout (RUN_TIMEOUT s, 120 by default),
# stdout+stderr in $out, status in $st
run() {
	out=$(timeout --foreground --preserve-status -k 10 "${RUN_TIMEOUT:-120}" "$@" 2>&1)
	st=$?
}

# expect_fail DESC STATUS REGEX CMD... - CMD exits STATUS with exactly one
# line of output that matches REGEX
expect_fail() {
	local desc=$1 want=$2 re=$3
	shift 3
	run "$@"
	local lines
	lines=$(printf '%s\n' "$out" | grep -c .)
	if [ "$st" -eq "$want" ] && [ "$lines" -eq 1 ] &&
		printf '%s\n' "$out" | grep -qE -- "$re"; then
		ok "$desc: $out"
	else
		ko "$desc: exit $st (want $want), $lines lines: $out"
	fi
}

# expect_ok DESC CMD... - CMD exits 0
expect_ok() {
	local desc=$1
	shift
	run "$@"
	if [ "$st" -eq 0 ]; then ok "$desc"; else ko "$desc: exit $st: $out"; fi
}

# check DESC CMD... - a condition (no output captured)
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else ko "$desc"; fi
}

# bpf_progs - the tracing programs loaded now (rtnoise's are tp_btf,
# fentry and raw_tp); wait_progs N - until at most N remain (programs are
# freed after an RCU grace period)
# steer_irqs CPU - every virtio queue's IRQ (an action virtioN-req,
# -virtq, -input or -output) onto CPU: their numbers in steered, what
# they had in saved; restore_irqs puts those back.
steered=()
declare -A saved
steer_irqs() {
	local d a n
	steered=()
	for d in /proc/irq/[0-9]*; do
		n=${d##*/}
		for a in "$d"/virtio*; do
			[[ ${a##*/} =~ ^virtio[0-9]+-(req|virtq|input|output) ]] || continue
			saved[$n]=$(cat "$d/smp_affinity_list")
			echo "$1" >"$d/smp_affinity_list" 2>/dev/null && steered+=("$n")
			break
		done
	done
}
restore_irqs() {
	local n
	for n in "${!saved[@]}"; do
		echo "${saved[$n]}" >"/proc/irq/$n/smp_affinity_list" 2>/dev/null
	done
}

bpf_progs() { bpftool prog show 2>/dev/null | grep -cE '^[0-9]+: (tracing|raw_tracepoint) '; }
wait_progs() {
	for _ in $(seq 50); do
		[ "$(bpf_progs)" -le "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# dmesg_clean FILE - no splat in the kernel log
dmesg_clean() {
	! grep -E 'BUG:|WARNING:|Oops|Call Trace|general protection|list_del corruption|blocked for more than|refcount_t:|scheduling while atomic|rcu.*stall|lockdep|KASAN|kmemleak|possible recursive locking|circular locking|UBSAN' "$1"
}

finish() {
	local outdir=$1
	dmesg >"$outdir/dmesg"
	check "kernel log free of BUG/WARNING/Oops" dmesg_clean "$outdir/dmesg"
	echo "$passes passed, $failures failed"
	[ "$failures" -eq 0 ]
}
