#!/usr/bin/env bash
# guest-debug.sh - the sampler's and the attribution's VM tests on the
# debug kernel (scripts/debug-kernel.sh), then the checkers' verdict: no
# lockdep, atomic-sleep, KASAN, debug-objects or kmemleak report in the
# whole run, and lockdep still on at the end.
#   guest-debug.sh BUILD_DIR OUT_DIR [TEST...]
# TESTs: sampler, attribution (the default: both, in one boot).
# Leaves in OUT_DIR: dmesg-boot (before the tests), dmesg-TEST (each
# test's part), dmesg (after them and the kmemleak scan), dmesg-all (the
# whole), kmemleak (what the scan found), lockdep_stats.
set -u
build=$1
outdir=$2
shift 2
tests=("$@")
[ "${#tests[@]}" -gt 0 ] || tests=(sampler attribution)
# shellcheck source=lib.sh
. "$(dirname "$(realpath "$0")")/lib.sh"
guest_args "$build" "$outdir"

# Every step is several times slower than on a stock kernel (KASAN's
# shadow checks, lockdep's on every lock, all under TCG).
export RUN_TIMEOUT=${RUN_TIMEOUT:-900}
# Every period must still be sampled or counted as missed; but at 1 ms,
# in this guest, a thread sample takes 3-5 ms on average, and one run
# took 19.7 % of CPU 3's periods, under the stock kernels' floor of a
# fifth: a twentieth here.
export RTNOISE_MIN_SAMPLED=${RTNOISE_MIN_SAMPLED:-0.05}
# The attribution test steers every virtio IRQ onto CPU 3 and reads files
# over 9p there: with a 1 ms sampler taking 3-5 ms a sample, that load
# starved (no progress in an hour). A 10 ms period leaves CPU 3 most of
# its time and still sees the hog's 40 ms bursts past the 5 ms threshold;
# a tenth of the files is enough I/O for the IRQs to be named.
export RTNOISE_TEST_PERIOD=${RTNOISE_TEST_PERIOD:-10ms}
export RTNOISE_TEST_FILES=${RTNOISE_TEST_FILES:-300}
kml=/sys/kernel/debug/kmemleak

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
echo "guest: $(uname -r) $(nproc) CPUs"
# The kernel booted is the debug one, with every checker on.
missing=""
for opt in PROVE_LOCKING DEBUG_ATOMIC_SLEEP KASAN DEBUG_KMEMLEAK DEBUG_OBJECTS_TIMERS; do
	zgrep -qx "CONFIG_$opt=y" /proc/config.gz || missing="$missing $opt"
done
check "the kernel has the checkers on${missing:+ (missing:$missing)}" test -z "$missing"
check "lockdep on after boot" grep -qE '^ *debug_locks: +1$' /proc/lockdep_stats
check "kmemleak on after boot" test -r "$kml"

# What boot left in kmemleak is not the tests': scan, then mark it seen.
echo scan >"$kml" && echo clear >"$kml"
# The boot's log is kept apart and then cleared: its checkers' banners
# ("RCU lockdep checking is enabled", kmemleak's start, the command
# line's rcu_cpu_stall_timeout) are not splats, but a test's own check
# of the log (dmesg_clean) would take them for ones.
dmesg >"$outdir/dmesg-boot"
dmesg -C

# The tests' own watchdog, as in guest-all.sh: if no step finishes for
# 30 min, leave the kernel's view of the blocked tasks behind.
touch "$outdir/progress"
(
	while sleep 60; do
		[ -n "$(find "$outdir/progress" -mmin -30)" ] && continue
		ps -eo pid,stat,wchan:32,args >"$outdir/ps"
		echo w >/proc/sysrq-trigger
		dmesg >"$outdir/dmesg"
		break
	done
) &
watchdog=$!

status=0
for t in "${tests[@]}"; do
	echo "==== guest-$t.sh"
	# Also into OUT_DIR as it goes: a run of hours can be followed from
	# the host, and what it found survives a run cut short.
	"$here/guest-$t.sh" "$build" "$outdir" 2>&1 | tee "$outdir/guest-$t.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
	# Each test's part of the log apart (guest-sampler.sh clears the log
	# at its start: nothing of the test before it may be lost there).
	dmesg >"$outdir/dmesg-$t"
	dmesg -C
done
kill "$watchdog" 2>/dev/null
wait "$watchdog" 2>/dev/null

echo "==== the checkers"
# kmemleak reports an object once no pointer to it was seen for 5 s;
# scan twice, apart, so that objects in flight at the first scan (only
# in a register or on a stack) are found again before being reported.
sleep 6
run sh -c "echo scan >$kml && sleep 6 && echo scan >$kml"
check "kmemleak scans ran${out:+: $out}" test "$st" -eq 0
cat "$kml" >"$outdir/kmemleak" 2>&1
cat /proc/lockdep_stats >"$outdir/lockdep_stats"
# The whole log: the boot's part, each test's, what came after them.
dmesg >"$outdir/dmesg"
for t in boot "${tests[@]}"; do cat "$outdir/dmesg-$t"; done >"$outdir/dmesg-all"
cat "$outdir/dmesg" >>"$outdir/dmesg-all"

not_in() { ! grep -qE "$1" "$2"; }
not_in_log() { not_in "$1" "$outdir/dmesg-all"; }
# count KIND REGEX - how many reports of KIND the whole log has
count() {
	local n
	n=$(grep -cE "$2" "$outdir/dmesg-all")
	echo "reports: $1 $n"
	[ "$n" -eq 0 ] && return 0
	grep -E -A3 "$2" "$outdir/dmesg-all" | head -40
	return 1
}
lockdep='WARNING: (possible (circular|recursive|irq lock inversion)|inconsistent lock state|suspicious RCU usage|bad unlock balance|held lock freed|lock held when returning|Nested lock|bad contention|lock held at task exit)|BUG: (MAX_LOCKDEP|MAX_STACK_TRACE|looking up invalid subclass|key [0-9a-f]+ has not been registered)|INFO: trying to register non-static key'
check "no lockdep report" count lockdep "$lockdep"
check "lockdep still on at the end" grep -qE '^ *debug_locks: +1$' "$outdir/lockdep_stats"
check "no atomic-sleep report" count atomic-sleep \
	'BUG: (sleeping function called from invalid context|scheduling while atomic|using (smp_processor_id|__this_cpu_[a-z_]+)\(\) in preemptible|workqueue leaked)'
check "no KASAN report" count KASAN 'BUG: KASAN:|KASAN: .*(out-of-bounds|use-after-free|double-free|invalid-free)'
check "no debug-objects report" count debug-objects 'ODEBUG:'
leaks=$(grep -c '^unreferenced object' "$outdir/kmemleak")
echo "reports: kmemleak $leaks"
if [ "$leaks" -eq 0 ]; then
	ok "no kmemleak report"
else
	head -60 "$outdir/kmemleak"
	ko "kmemleak: $leaks unreferenced objects ($(grep -c rtnoise "$outdir/kmemleak") lines name rtnoise)"
fi
check "kmemleak still on" not_in_log 'kmemleak: .*(disabled|Memory pool empty)'
# The boot's log has the checkers' own banners (lockdep's MAX_LOCKDEP_*
# sizes, kmemleak's start): only splats count there.
check "boot log free of BUG/WARNING/Oops" not_in \
	'BUG:|WARNING:|Oops|Call Trace|general protection' "$outdir/dmesg-boot"
check "kernel log free of BUG/WARNING/Oops" dmesg_clean "$outdir/dmesg"
echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ] || status=1
touch "$outdir/done"
exit "$status"
