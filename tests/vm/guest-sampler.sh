#!/usr/bin/env bash
# guest-sampler.sh - the sampler's VM test, run inside a guest with CPUs
# 2-3 isolated: every error path, every report format, hotplug, concurrent
# readers, a killed client, bad ioctls, random ioctls from a seed and rmmod
# in the middle of a run.
#   guest-sampler.sh BUILD_DIR OUT_DIR
set -u
build=$1
outdir=$2
# shellcheck source=lib.sh
. "$(dirname "$(realpath "$0")")/lib.sh"
guest_args "$build" "$outdir"

abuse=$build/tests/rtnoise_ioctl_abuse
fuzz=$build/tests/rtnoise_ioctl_fuzz
ring=$build/tests/rtnoise_spike_ring

echo "guest: $(uname -r), isolated $(cat /sys/devices/system/cpu/isolated)," \
	"nohz_full $(cat /sys/devices/system/cpu/nohz_full)"
dmesg -C

# --- errors before anything is loaded --------------------------------------
expect_fail "report without the module" 3 "not loaded" "$rt" report
expect_fail "detach without the module" 3 "not loaded" "$rt" detach
for bad in 3-1 a 1,,2 99999; do
	expect_fail "malformed --cpus $bad" 2 "CPU|cpus" "$rt" attach --cpus "$bad"
done
expect_fail "absent CPU" 2 "CPU 7 does not exist" "$rt" attach --cpus 2,7
cpu_online 3 0
expect_fail "offline CPU" 2 "CPU 3 is offline" "$rt" attach --cpus 2-3
cpu_online 3 1
expect_fail "missing module file" 3 "no module for kernel" \
	"$rt" attach --cpus 2 --module /nonexistent/rtnoise.ko
expect_fail "not root" 3 "needs root" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$rt" attach --cpus 2
check "nothing loaded by the failures" test ! -e /sys/module/rtnoise

# --- attach, which loads the module ----------------------------------------
run "$rt" attach --cpus 2,3 --period 1ms --threshold 500us --hist-us 20000
if [ "$st" -eq 0 ] && grep -q "loaded .*rtnoise.ko" <<<"$out"; then
	ok "attach loads the module and says so"
else
	ko "attach: exit $st: $out"
fi
check "/dev/rtnoise exists" test -c /dev/rtnoise
expect_fail "second attach refused" 3 "already attached" "$rt" attach --cpus 2
expect_fail "not root on report" 3 "needs root" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$rt" report

for c in 2 3; do
	pid=$(pgrep -x "rtnoise/$c")
	policy=$(chrt -p "$pid" 2>/dev/null | tr '\n' ' ')
	psr=$(ps -o psr= -p "$pid" | tr -d ' ')
	if grep -q "SCHED_FIFO" <<<"$policy" && grep -q "priority: 95" <<<"$policy" &&
		[ "$psr" = "$c" ]; then
		ok "rtnoise/$c is SCHED_FIFO 95 on CPU $c"
	else
		ko "rtnoise/$c: pid '$pid' psr '$psr' policy '$policy'"
	fi
done

sleep 6
expect_ok "report json" "$rt" report --format json
echo "$out" >"$outdir/running.json"
expect_ok "sample counts match duration/period" "$checker" counts "$outdir/running.json" 2,3
expect_ok "report text" "$rt" report
if grep -qE '^ +2 +[0-9]+' <<<"$out" && grep -qE '^ +3 +[0-9]+' <<<"$out"; then
	ok "text report has rows for CPUs 2 and 3"
else
	ko "text report: $out"
fi
echo "$out"

# --- cyclictest format: read the way cyclictest's own output is read -------
"$rt" report --format cyclictest >"$outdir/rtnoise.hist"
timeout 60 cyclictest -t2 -a 2,3 -p 95 -i 1000 -h 20000 -D 3 -q -m 2>/dev/null |
	grep -v cpu_dma_latency >"$outdir/cyclictest.hist"
expect_ok "cyclictest's own output parses" "$checker" cyclictest "$outdir/cyclictest.hist" 2
expect_ok "rtnoise --format cyclictest parses the same" \
	"$checker" cyclictest "$outdir/rtnoise.hist" 2 "$outdir/cyclictest.hist"

# --- concurrent readers -----------------------------------------------------
# Three readers, two reports each, overlapping (a report takes seconds
# under TCG, so they do).
pids=()
for _ in 1 2 3; do
	(for _ in 1 2; do "$rt" report --format json >/dev/null || exit 1; done) &
	pids+=($!)
done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=1; done
check "3 concurrent readers x2 reports" test "$bad" -eq 0

# --- CPU hotplug during the run --------------------------------------------
cpu_online 3 0
sleep 1
"$rt" report --format json >"$outdir/offline.json"
cpu_online 3 1
sleep 3
"$rt" report --format json >"$outdir/online.json"
expect_ok "CPU 3 offline: not sampled, counted" "$checker" hotplug "$outdir/offline.json" "$outdir/online.json" 3
# Quick offline/online cycles while sampling: each one stops and restarts
# the sampler thread from the hotplug callbacks.
for _ in 1 2 3 4 5; do cpu_online 3 0; cpu_online 3 1; done
check "sampler survives 5 quick hotplug cycles" pgrep -x rtnoise/3
"$rt" report --format json >"$outdir/cycled.json"
expect_ok "5 more offline periods counted" "$checker" hotplug-count "$outdir/cycled.json" 3 6

# --- detach, a client killed mid-run, --duration ---------------------------
expect_ok "detach" "$rt" detach
check "sampler threads gone" test -z "$(pgrep -x 'rtnoise/[0-9]+')"
expect_fail "report after detach" 3 "nothing attached" "$rt" report
expect_fail "detach twice" 3 "nothing attached" "$rt" detach

# --- a CPU offline that fails after the sampler was pushed off it -----------
# CPU 3's sampler thread is woken but has not run (two SCHED_RR 2 spinners
# hold CPU 3 above its priority 1) when CPU 3 starts going offline: the
# scheduler pushes them all off CPU 3, and the thread first runs
# elsewhere. The offline then fails in rtnoise's own hotplug state (the
# kernel's hotplug/fail) and rolls back, so rtnoise's teardown never
# runs: CPU 3 stays online with that thread, which must take no sample
# for it, must not be reported as sampling CPU 3, and must not stay
# pinned where it landed. RT throttling leaves CPU 3's hotplug thread
# 1 ms a second, too little to reach rtnoise's state before the pushes
# (two round-robin spinners keep the tick on a nohz_full CPU, and with it
# the throttling); a spinner ends once it is off CPU 3.
rt_period=$(cat /proc/sys/kernel/sched_rt_period_us)
rt_runtime=$(cat /proc/sys/kernel/sched_rt_runtime_us)
echo 1000000 >/proc/sys/kernel/sched_rt_period_us
echo 999000 >/proc/sys/kernel/sched_rt_runtime_us
spinners=()
for _ in 1 2; do
	# shellcheck disable=SC2016 # expanded by the spinner's bash
	chrt -r 2 taskset -c 3 bash -c \
		'while read -r -a f </proc/$BASHPID/stat && [ "${f[38]}" = 3 ]; do :; done' &
	spinners+=($!)
done
sleep 1
expect_ok "attach CPU 3 below two spinners" "$rt" attach --cpus 3 --no-bpf --priority 1
hp_state=$(awk -F': ' '$2 == "rtnoise:online" { print $1 + 0 }' \
	/sys/devices/system/cpu/hotplug/states)
echo "${hp_state:-none}" >/sys/devices/system/cpu/cpu3/hotplug/fail
RUN_TIMEOUT=300 run sh -c 'echo 0 >/sys/devices/system/cpu/cpu3/online'
echo "offline of CPU 3: exit $st: $out"
check "CPU 3's offline failed in rtnoise's state ($hp_state) and rolled back" \
	test -n "$hp_state" -a "$st" -ne 0 -a "$(cat /sys/devices/system/cpu/cpu3/online)" = 1
kill "${spinners[@]}" 2>/dev/null
wait "${spinners[@]}" 2>/dev/null
echo "$rt_period" >/proc/sys/kernel/sched_rt_period_us
echo "$rt_runtime" >/proc/sys/kernel/sched_rt_runtime_us
grep -qx 1 /sys/devices/system/cpu/cpu3/online || cpu_online 3 1
dmesg >"$outdir/dmesg-rollback"
grep -F "rtnoise/3 started on CPU" "$outdir/dmesg-rollback"
check "the sampler thread was pushed off CPU 3 before it ran" \
	grep -qF "rtnoise/3 started on CPU" "$outdir/dmesg-rollback"
sleep 2
expect_ok "report after the rolled-back offline" "$rt" report --format json
echo "$out" >"$outdir/rollback.json"
run python3 - "$outdir/rollback.json" <<'PY'
import json, sys
c = next(c for c in json.load(open(sys.argv[1]))["cpus"] if c["cpu"] == 3)
print(f"CPU 3: sampling {c['sampling']}, {c['thread']['count']} thread samples, "
      f"error {c.get('sampler_error')!r}")
sys.exit(0 if not c["sampling"] and c.get("sampler_error") else 1)
PY
check "the report says CPU 3 is not sampled, and why: $out" test "$st" -eq 0
# The CPU where the thread landed must go offline as any other: a thread
# left pinned there (migration disabled) would hold that offline in
# CPUHP_AP_SCHED_WAIT_EMPTY for ever, with the hotplug lock taken. The
# write cannot be killed then (the writer waits uninterruptibly), so it
# runs in the background and is given 120 s; if it hangs, nothing after
# it could take the hotplug lock, and the test ends here. The thread
# lands on CPU 0 (the first it may run on), which cannot go offline on
# x86 here, unless CPU 0 was busy with a higher RT task and another CPU
# took it: then it is tried. (Holding CPU 0 with a spinner made that
# sure on the stock kernel, but on the RT kernel it starved CPU 0's
# FIFO 1 RCU threads, and the offline with them.)
landed=$(sed -n 's|.*rtnoise/3 started on CPU \([0-9]*\):.*|\1|p' \
	"$outdir/dmesg-rollback" | tail -n 1)
if [ -n "$landed" ] && [ -w "/sys/devices/system/cpu/cpu$landed/online" ]; then
	cpu_online "$landed" 0 &
	offline=$!
	for _ in $(seq 120); do
		[ -d "/proc/$offline" ] || break
		sleep 1
	done
	if [ -d "/proc/$offline" ]; then
		ko "offline of CPU $landed, where the thread landed, still waiting after 120 s"
		ps -eo pid,stat,psr,wchan:32,comm >"$outdir/ps-landed"
		echo w >/proc/sysrq-trigger
		dmesg >"$outdir/dmesg-landed"
		echo "CPU hotplug is stuck: the rest of the test cannot run"
		finish "$outdir"
		exit 1
	fi
	wait "$offline"
	st=$?
	cpu_online "$landed" 1
	check "CPU $landed, where the thread landed, went offline (exit $st) and back" \
		test "$st" -eq 0 -a "$(cat "/sys/devices/system/cpu/cpu$landed/online")" = 1
else
	echo "the thread landed on CPU ${landed:-?}, which cannot go offline: not tried"
fi
expect_ok "detach stops the thread that was pushed off" "$rt" detach
check "sampler threads gone after the rollback" test -z "$(pgrep -x 'rtnoise/[0-9]+')"

# The sampler alone: what outlives the client is rtnoise.ko's (the BPF
# side's --duration is tested natively, tests/native/bpf-host.sh).
"$rt" attach --cpus 2,3 --duration 120s --no-bpf >/dev/null 2>&1 &
client=$!
for _ in $(seq 60); do
	"$rt" report --format json 2>/dev/null | grep -q '"state": "running"' && break
	sleep 0.5
done
kill -9 "$client"
wait "$client" 2>/dev/null
expect_ok "sampler outlives a killed client" "$rt" report --format json
check "still sampling after the kill" grep -q '"state": "running"' <<<"$out"
expect_ok "detach after the kill" "$rt" detach

run "$rt" attach --cpus 2 --duration 3s --format json
echo "$out" | sed -n '/^{/,$p' >"$outdir/duration.json"
if [ "$st" -eq 0 ] && "$checker" counts "$outdir/duration.json" 2; then
	ok "attach --duration reports and stops"
else
	ko "attach --duration: exit $st: $out"
fi
expect_fail "--duration detached at the end" 3 "nothing attached" "$rt" report

# --- bad ioctl arguments ----------------------------------------------------
expect_ok "bad ioctls refused (absent CPU)" "$abuse" 2 7
echo "$out" | tail -3
cpu_online 3 0
expect_ok "bad ioctls refused (offline CPU)" "$abuse" 2 3
echo "$out" | tail -1
cpu_online 3 1

# --- the spike rings read while the sampler laps them -------------------------
# Every 50 us sample a spike into rings of 16 on CPU 2, two readers always
# at the oldest record: none may get one the writer is rewriting.
expect_ok "spike rings: no read returns a record being rewritten" "$ring" 2 20
echo "$out" | tail -3

# --- random ioctls from a seed ---------------------------------------------
# RTNOISE_FUZZ_CALLS calls in all (60000 by default, about a minute under
# TCG; tests/README.md says how to make the 1,000,000-call run): half with
# CAP_SYS_ADMIN, CPU 3 taken offline and back now and then; a quarter
# after dropping the capability (capset), a quarter as nobody, while a
# privileged parent starts, stops and resets the sampler. In runs of at
# most 50000 calls, each its own seed (RTNOISE_FUZZ_SEED for the first).
# Each leaves the sampler idle. The module's line per START and STOP may
# push older lines out of the kernel's log: what came before is checked
# now, and what comes during the fuzzing is followed (new lines only), so
# each splat is found and charged to its part.
dmesg >"$outdir/dmesg-before-fuzz"
check "kernel log free of splats before the random ioctls" dmesg_clean "$outdir/dmesg-before-fuzz"
fuzz_calls=${RTNOISE_FUZZ_CALLS:-60000}
fuzz_seed=${RTNOISE_FUZZ_SEED:-$((RANDOM * 32768 + RANDOM))}
echo "ioctl_fuzz: $fuzz_calls calls from seed $fuzz_seed"
dmesg --follow-new >"$outdir/kmsg-fuzz" 2>&1 &
kmsg=$!
taint=$(cat /proc/sys/kernel/tainted)
fuzz_start=$SECONDS
fuzz_runs() {	# fuzz_runs CALLS DESC ARGS...
	local left=$1 desc=$2 n
	shift 2
	while [ "$left" -gt 0 ]; do
		n=$((left < 50000 ? left : 50000))
		left=$((left - n))
		RUN_TIMEOUT=$((120 + n / 100)) expect_ok "$desc: $n calls, seed $fuzz_seed" \
			"$fuzz" -s "$fuzz_seed" -n "$n" "$@"
		printf '%s\n' "$out" >"$outdir/fuzz-$fuzz_seed.out"
		grep -E '^ioctl_fuzz: (seed|controller)|UNEXPECTED|killed|progress' <<<"$out" | tail -8
		fuzz_seed=$((fuzz_seed + 1))
	done
}
fuzz_runs $((fuzz_calls / 2)) "random ioctls with CAP_SYS_ADMIN" -m root -o 3 -O 5000
fuzz_runs $((fuzz_calls / 4)) "random ioctls without CAP_SYS_ADMIN" -m capset
fuzz_runs $((fuzz_calls - fuzz_calls / 2 - fuzz_calls / 4)) "random ioctls as nobody" -m setuid
echo "ioctl_fuzz: $fuzz_calls calls took $((SECONDS - fuzz_start)) s"
sleep 1
kill "$kmsg"
wait "$kmsg" 2>/dev/null
check "kernel log free of splats during the random ioctls" dmesg_clean "$outdir/kmsg-fuzz"
# W (warning), D (oops) and L (soft lockup) taint the kernel even when
# the log lines are lost.
check "no new W, D or L taint after the random ioctls" \
	test $(($(cat /proc/sys/kernel/tainted) & ~taint & (1 << 9 | 1 << 7 | 1 << 14))) -eq 0
check "CPU 3 online after the random ioctls" grep -qx 1 /sys/devices/system/cpu/cpu3/online

# --- rmmod in the middle of a run ------------------------------------------
# With the BPF side attached its spike-time program holds the module's
# tracepoint: rmmod is refused and sampling goes on. Without it, rmmod
# stops the sampler mid-run.
expect_ok "attach again" "$rt" attach --cpus 2,3 --period 1ms
run rmmod rtnoise
if [ "$st" -ne 0 ] && [ -e /sys/module/rtnoise ] && grep -qi "in use" <<<"$out"; then
	ok "rmmod refused while BPF explains the spikes: $out"
else
	ko "rmmod with BPF attached: exit $st: $out"
fi
check "sampler threads still running" test -n "$(pgrep -x 'rtnoise/[0-9]+')"
expect_ok "detach" "$rt" detach
expect_ok "attach without BPF" "$rt" attach --cpus 2,3 --period 1ms --no-bpf
sleep 2
expect_ok "rmmod while sampling" rmmod rtnoise
check "module gone" test ! -e /sys/module/rtnoise
check "device gone" test ! -e /dev/rtnoise
check "sampler threads gone after rmmod" test -z "$(pgrep -x 'rtnoise/[0-9]+')"
expect_fail "detach after rmmod: nothing attached" 3 "nothing attached" "$rt" detach
check "nothing pinned" test ! -e /sys/fs/bpf/rtnoise

expect_ok "attach reloads" "$rt" attach --cpus 3
expect_ok "detach --unload" "$rt" detach --unload
check "module unloaded" test ! -e /sys/module/rtnoise

finish "$outdir"
