#!/usr/bin/env bash
# guest-stress.sh - what must never be left behind, run inside a guest
# with CPUs 2-3 isolated: attach/detach cycles (BPF and the sampler,
# the sampler alone, --isolate), CPU hotplug of the watched CPUs under
# a BPF-attached run, hotplug racing attach, detach and rmmod, and
# SIGINT/SIGTERM/SIGHUP/SIGKILL of `attach --duration --isolate` and of
# `partition --isolate` at random moments. After each: no BPF program,
# link, map or pin, no sampler thread, no module reference, no file under
# /run/rtnoise, every value a partition may change as it was, Slab and
# Percpu back near where they started, and a clean kernel log.
#   guest-stress.sh BUILD_DIR OUT_DIR [NAME=VALUE...]
#
# The counts (environment, or NAME=VALUE arguments); the defaults are
# the full proof, which takes hours under TCG (scripts/stress.sh);
# guest-all.sh runs small ones:
#   RTNOISE_STRESS_BPF_CYCLES=50        attach/detach with BPF and the sampler
#   RTNOISE_STRESS_SAMPLER_CYCLES=200   attach --no-bpf / detach
#   RTNOISE_STRESS_ISOLATE_CYCLES=10    attach --isolate / detach (every other with BPF)
#   RTNOISE_STRESS_HOTPLUG_CYCLES=50    offline/online of CPUs 2 and 3 while sampling with BPF
#   RTNOISE_STRESS_RACE_ROUNDS=30       attach/report/detach rounds while hotplug and
#                               rmmod run concurrently (every 5th with BPF)
#   RTNOISE_STRESS_SIGNAL_MOMENTS=20    moments per signal per command (x4 signals x2)
#   RTNOISE_STRESS_SIGNAL_BPF=1         attach --duration with BPF in every Nth moment
#                               (1: every one; 0: never)
#   RTNOISE_STRESS_SEED=<random>        the seed of every random moment and choice,
#                               printed first: set it to replay a run (the
#                               same moments; under TCG not the same timing)
set -u
build=$1
outdir=$2
shift 2
for kv in "$@"; do
	case "$kv" in
	RTNOISE_STRESS_*=*) export "${kv?}" ;;
	*) echo "guest-stress.sh: unknown argument '$kv'" >&2; exit 2 ;;
	esac
done
# shellcheck source=lib.sh
. "$(dirname "$(realpath "$0")")/lib.sh"
guest_args "$build" "$outdir"

n_bpf=${RTNOISE_STRESS_BPF_CYCLES:-50}
n_sampler=${RTNOISE_STRESS_SAMPLER_CYCLES:-200}
n_isolate=${RTNOISE_STRESS_ISOLATE_CYCLES:-10}
n_hotplug=${RTNOISE_STRESS_HOTPLUG_CYCLES:-50}
n_race=${RTNOISE_STRESS_RACE_ROUNDS:-30}
n_moments=${RTNOISE_STRESS_SIGNAL_MOMENTS:-20}
sig_bpf=${RTNOISE_STRESS_SIGNAL_BPF:-1}
seed=${RTNOISE_STRESS_SEED:-$(($(date +%s%N) % 1000000000))}
RANDOM=$seed
echo "guest-stress: seed $seed (RTNOISE_STRESS_SEED=$seed replays it):" \
	"$n_bpf BPF, $n_sampler sampler-only, $n_isolate --isolate cycles," \
	"$n_hotplug hotplug cycles, $n_race race rounds," \
	"$n_moments moments per signal (BPF every ${sig_bpf}th)"

cpus=2,3
# Where the run's report is read: few spike records (latencies under
# TCG pass 5 ms all the time, and a report of thousands of spikes takes
# a minute to render and check)
light=(--threshold 20ms --spikes 64)
# An attach with BPF takes 20-30 s under TCG, far more on a loaded host.
export RUN_TIMEOUT=600
progress() { touch "$outdir/progress"; }
all_online() { for c in 1 2 3; do cpu_online "$c" 1; done; }
rand_below() { echo $(((RANDOM * 32768 + RANDOM) % $1)); }

# --- what an attach may leave behind -------------------------------------------
bpf_count() { bpftool "$1" show 2>/dev/null | grep -cE '^[0-9]+: '; }
# residue - one line per kind of thing rtnoise may leave behind: the
# BPF objects (as counts, compared with the boot's) and, when present,
# pins, sampler threads, module references and state files.
residue() {
	echo "BPF programs $(bpf_count prog), links $(bpf_count link), maps $(bpf_count map)"
	quick_residue
}
# quick_residue - the same without bpftool: empty when nothing is left
quick_residue() {
	local t f
	[ -e /sys/fs/bpf/rtnoise ] &&
		echo "pinned: $(find /sys/fs/bpf/rtnoise -mindepth 1 | wc -l) under /sys/fs/bpf/rtnoise"
	t=$(pgrep -x 'rtnoise/[0-9]+' | tr '\n' ' ')
	[ -n "$t" ] && echo "sampler threads: $t"
	if [ -e /sys/module/rtnoise/refcnt ]; then
		f=$(cat /sys/module/rtnoise/refcnt)
		[ "$f" != 0 ] && echo "module refcnt $f (holders: $(ls /sys/module/rtnoise/holders 2>/dev/null))"
	fi
	# Not ksyms-key: the key of the boot's hidden-symbol names, made by
	# the first report and kept until reboot (SECURITY.md).
	f=$(find /run/rtnoise -mindepth 1 ! -path /run/rtnoise/ksyms-key 2>/dev/null |
		tr '\n' ' ')
	[ -n "$f" ] && echo "under /run/rtnoise: $f"
	return 0
}
# nothing_left - residue as at boot (programs are freed after an RCU
# grace period: waits up to 10 s); prints what is left otherwise
nothing_left() {
	local now
	for _ in $(seq 20); do
		now=$(residue)
		[ "$now" = "$residue0" ] && return 0
		sleep 0.5
	done
	echo "left behind: $now (at boot: $residue0)"
	return 1
}
# snapshot - nothing left, and every value a partition may change
snapshot() { residue; python3 "$here/snapshot.py"; }
# host_as_before FILE - the host as in snapshot FILE (waits for RCU)
host_as_before() {
	for _ in $(seq 20); do
		snapshot >"$outdir/stress-after.snap"
		cmp -s "$1" "$outdir/stress-after.snap" && return 0
		sleep 0.5
	done
	diff "$1" "$outdir/stress-after.snap" | head -20
	return 1
}
residue0=$(residue)
echo "at boot: $residue0"

# --- kernel memory ----------------------------------------------------------------
# mem - "Slab Percpu" in kB once the reclaimable caches are dropped and
# what RCU frees later (BPF programs and maps, kthread stacks) is freed.
mem() {
	for _ in 1 2; do
		sync
		echo 3 >/proc/sys/vm/drop_caches
		sleep 2
	done
	awk '/^Slab:/ { s = $2 } /^Percpu:/ { p = $2 } END { print s, p }' /proc/meminfo
}
# The bound on what a run of cycles may add. Measured here, after a
# warm-up cycle of each kind (the module, bpffs, /run/rtnoise and the
# kernel's lazily built caches are not leaks), a run of cycles that
# leaks nothing ends within about 300 kB of Slab of where it began
# (caches of other subsystems and per-CPU partial slabs drift) and with
# Percpu unchanged or one 4-CPU chunk page set (~40 kB) apart; one
# attach with BPF holds ~1.5 MB of Slab and ~100 kB of Percpu, a
# sampler-only one two kthreads (~20 kB of task_struct and friends).
# So a bound of 1 MiB of Slab fails a run that leaks a kthread in 1 of
# 20 sampler-only cycles, and any BPF object set in 1 of 50 cycles...
# bound: SLAB_KB PERCPU_KB (environment: RTNOISE_STRESS_SLAB_KB, RTNOISE_STRESS_PERCPU_KB)
slab_bound=${RTNOISE_STRESS_SLAB_KB:-1024}
percpu_bound=${RTNOISE_STRESS_PERCPU_KB:-128}
# mem_back NAME "SLAB0 PERCPU0" - Slab and Percpu within the bounds
mem_back() {
	local name=$1 s0 p0 s1 p1
	read -r s0 p0 <<<"$2"
	read -r s1 p1 <<<"$(mem)"
	echo "$name: Slab $s0 -> $s1 kB ($((s1 - s0))), Percpu $p0 -> $p1 kB ($((p1 - p0)))"
	if [ $((s1 - s0)) -le "$slab_bound" ] && [ $((p1 - p0)) -le "$percpu_bound" ]; then
		ok "$name: Slab $(printf %+d $((s1 - s0))) kB (<= $slab_bound), Percpu $(printf %+d $((p1 - p0))) kB (<= $percpu_bound)"
	else
		ko "$name: Slab +$((s1 - s0)) kB (bound $slab_bound), Percpu +$((p1 - p0)) kB (bound $percpu_bound)"
	fi
}

# --- 1. attach/detach cycles ------------------------------------------------------
# cycles NAME N MODE - N attach/detach cycles; MODE: bpf, sampler or
# isolate (every other one with BPF). Each cycle: attach exits 0, the
# sampler threads run on CPUs 2 and 3 (and the pins exist with BPF; the
# partition with --isolate), detach exits 0 and leaves nothing; the
# first failures are shown, then one line for all.
cycles() {
	local name=$1 n=$2 mode=$3 bad=0 i args what left m0 m_att s0 p0 s1 p1
	local before=$outdir/stress-cycles.snap
	[ "$n" -gt 0 ] || return 0
	[ "$mode" = isolate ] && snapshot >"$before"
	for i in $(seq "$n"); do
		progress
		args=(--cpus "$cpus" --period 1ms)
		what=BPF
		case "$mode" in
		sampler) args+=(--no-bpf); what="" ;;
		isolate) args+=(--isolate); [ $((i % 2)) -eq 0 ] && { args+=(--no-bpf); what=""; } ;;
		esac
		left=""
		run "$rt" attach "${args[@]}"
		if [ "$st" -ne 0 ]; then
			left="attach exit $st: $out"
		elif [ "$(pgrep -x 'rtnoise/[23]' | wc -l)" -ne 2 ]; then
			left="after attach: sampler threads '$(pgrep -x 'rtnoise/[0-9]+' | tr '\n' ' ')'"
		elif [ -n "$what" ] && [ ! -e /sys/fs/bpf/rtnoise/links ]; then
			left="after attach: nothing pinned"
		elif [ "$mode" = isolate ] &&
			! grep -qx isolated /sys/fs/cgroup/rtnoise.isolated/cpuset.cpus.partition; then
			left="after attach --isolate: no isolated partition"
		fi
		# What one attach of this kind holds, to set the bounds against.
		[ "$i" -eq 1 ] && m_att=$(mem)
		run "$rt" detach
		[ "$st" -ne 0 ] && left="$left detach exit $st: $out"
		if [ -z "$left" ]; then
			if [ "$mode" = sampler ]; then
				left=$(quick_residue)
			elif [ "$mode" = isolate ]; then
				left=$(host_as_before "$before")
			else
				left=$(nothing_left)
			fi
		fi
		if [ -n "$left" ]; then
			bad=$((bad + 1))
			[ "$bad" -le 3 ] && echo "$name cycle $i: $left"
			"$rt" detach >/dev/null 2>&1
		fi
		# The first cycle of a kind is the warm-up of the memory count.
		if [ "$i" -eq 1 ]; then
			m0=$(mem)
			read -r s0 p0 <<<"$m0"
			read -r s1 p1 <<<"$m_att"
			echo "$name: one attach holds Slab $((s1 - s0)) kB, Percpu $((p1 - p0)) kB"
		fi
	done
	if [ "$bad" -eq 0 ]; then
		ok "$name: $n cycles, each attached, detached and left nothing"
	else
		ko "$name: $bad of $n cycles failed"
	fi
	check "$name: nothing left at the end" nothing_left
	[ "$n" -gt 1 ] && mem_back "$name, the $((n - 1)) cycles after the first" "$m0"
}

cycles "BPF + sampler" "$n_bpf" bpf
cycles "sampler only" "$n_sampler" sampler
cycles "--isolate" "$n_isolate" isolate

# --- 2. CPU hotplug during a run with BPF attached --------------------------------
# Each cycle takes CPUs 2 and 3 offline and back: odd cycles one after
# the other, even ones both at once. The sampler must count exactly one
# offline period per cycle on each, sample again afterwards, and no
# restart may have failed.
if [ "$n_hotplug" -gt 0 ]; then
	expect_ok "attach with BPF for hotplug" "$rt" attach --cpus "$cpus" --period 1ms \
		"${light[@]}" --events 4096
	bad=0
	for i in $(seq "$n_hotplug"); do
		progress
		if [ $((i % 2)) -eq 1 ]; then
			cpu_online 2 0 || bad=$((bad + 1))
			cpu_online 2 1 || bad=$((bad + 1))
			cpu_online 3 0 || bad=$((bad + 1))
			cpu_online 3 1 || bad=$((bad + 1))
		else
			cpu_online 3 0 || bad=$((bad + 1))
			cpu_online 2 0 || bad=$((bad + 1))
			cpu_online 2 1 || bad=$((bad + 1))
			cpu_online 3 1 || bad=$((bad + 1))
		fi
	done
	all_online
	check "$n_hotplug hotplug cycles of CPUs 2 and 3: every offline/online write succeeded" \
		test "$bad" -eq 0
	check "sampler threads back on CPUs 2 and 3" \
		test "$(pgrep -x 'rtnoise/[23]' | wc -l)" -eq 2
	sleep 1
	"$rt" report --format json >"$outdir/stress-hotplug1.json"
	sleep 3
	expect_ok "report after the hotplug cycles" "$rt" report --format json
	echo "$out" >"$outdir/stress-hotplug2.json"
	run python3 - "$outdir/stress-hotplug1.json" "$outdir/stress-hotplug2.json" "$n_hotplug" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
n = int(sys.argv[3])
bad = []
if not b["attribution"]:
    bad.append("BPF side no longer attached")
for cpu in (2, 3):
    ca = next(c for c in a["cpus"] if c["cpu"] == cpu)
    cb = next(c for c in b["cpus"] if c["cpu"] == cpu)
    if cb["hotplug_offline"] != n:
        bad.append(f"CPU {cpu}: {cb['hotplug_offline']} offline periods counted, not {n}")
    if not cb["sampling"] or "sampler_error" in cb:
        bad.append(f"CPU {cpu}: sampling {cb['sampling']} {cb.get('sampler_error', '')}")
    if cb["thread"]["count"] <= ca["thread"]["count"]:
        bad.append(f"CPU {cpu}: no samples in the 3 s after the cycles")
print("; ".join(bad) or f"CPUs 2,3: {n} offline periods each, sampling again")
sys.exit(1 if bad else 0)
PY
	if [ "$st" -eq 0 ]; then ok "hotplug: $out"; else ko "hotplug: $out"; fi
	expect_ok "detach after hotplug" "$rt" detach
	check "nothing left after the hotplug run" nothing_left
fi

# --- 3. hotplug racing attach, detach and rmmod -----------------------------------
# Two loops in the background, one taking CPUs 2 and 3 offline and back
# at random, one removing the module at random (refused while in use);
# meanwhile rounds of attach, report and detach. A round may be refused
# (an offline CPU, a module going away: exit 2 or 3), never crash or
# hang, and a refused attach must leave nothing; at the end every CPU
# comes back, detach and rmmod must succeed and leave nothing, and a
# fresh attach must work.
if [ "$n_race" -gt 0 ]; then
	stop=$outdir/stress-race.stop
	rm -f "$stop"
	(
		RANDOM=$((seed + 1))
		while [ ! -e "$stop" ]; do
			c=$((2 + RANDOM % 2))
			cpu_online "$c" 0
			sleep "0.$((RANDOM % 5))"
			cpu_online "$c" 1
			sleep "$((RANDOM % 2)).$((RANDOM % 10))"
		done
	) &
	hotplugger=$!
	(
		RANDOM=$((seed + 2))
		while [ ! -e "$stop" ]; do
			sleep "$((RANDOM % 2)).$((RANDOM % 10))"
			rmmod rtnoise 2>/dev/null
		done
	) &
	remover=$!
	declare -A outcomes=()
	bad=0
	for i in $(seq "$n_race"); do
		progress
		args=(--cpus "$cpus" --period 1ms "${light[@]}")
		[ $((i % 5)) -ne 0 ] && args+=(--no-bpf)
		run "$rt" attach "${args[@]}"
		a=$st
		if [ "$a" -ne 0 ] && [ "$a" -ne 2 ] && [ "$a" -ne 3 ]; then
			bad=$((bad + 1)); echo "race round $i: attach exit $a: $out"
		elif [ "$a" -ne 0 ] && { [ -e /sys/fs/bpf/rtnoise ] || [ -n "$(pgrep -x 'rtnoise/[0-9]+')" ]; }; then
			bad=$((bad + 1)); echo "race round $i: attach failed ($out) and left: $(quick_residue)"
		fi
		run "$rt" report --format json
		r=$st
		run "$rt" detach
		d=$st
		if [ "$r" -gt 3 ] || [ "$d" -gt 3 ]; then
			bad=$((bad + 1)); echo "race round $i: report exit $r, detach exit $d: $out"
		fi
		outcomes["attach $a, report $r, detach $d"]=$((${outcomes["attach $a, report $r, detach $d"]:-0} + 1))
	done
	touch "$stop"
	wait "$hotplugger" "$remover"
	all_online
	for k in "${!outcomes[@]}"; do echo "race: ${outcomes[$k]}x $k"; done
	check "$n_race rounds racing hotplug and rmmod: no crash, no hang, a refused attach left nothing" \
		test "$bad" -eq 0
	run "$rt" detach
	check "detach after the race: done or nothing attached (exit $st)" test "$st" -eq 0 -o "$st" -eq 3
	if [ -e /sys/module/rtnoise ]; then
		expect_ok "rmmod after the race" rmmod rtnoise
	fi
	check "module unloaded after the race" test ! -e /sys/module/rtnoise
	check "nothing left after the race" nothing_left
	expect_ok "attach after the race" "$rt" attach --cpus "$cpus" --period 1ms "${light[@]}" --no-bpf
	sleep 2
	expect_ok "report after the race" "$rt" report --format json
	echo "$out" >"$outdir/stress-race.json"
	expect_ok "both CPUs sample after the race" "$checker" counts "$outdir/stress-race.json" "$cpus"
	expect_ok "detach after the race" "$rt" detach
	check "nothing left" nothing_left
fi

# --- 4. signals at random moments -------------------------------------------------
# Each command is first run whole, timed (T: the shortest of a few runs,
# so that a moment drawn from [0, T) mostly comes while it runs); then,
# for each signal, n_moments runs get it at a moment drawn uniformly
# from [0, T). A run that ended before its moment is not counted, and
# another moment is drawn (up to 5 n_moments draws), from before that
# one (not below 5 ms): runs can get faster than the one timed (the
# host's other load; a partition --isolate timed at 59 ms ended before
# 25 ms). SIGINT, SIGTERM
# and SIGHUP of attach must be caught: exit 130/143/129 with the
# "interrupted by" line, and attach itself must have undone everything
# (detach then finds nothing: exit 3); a signal before attach blocks
# them (its first milliseconds) or after it has undone everything kills
# it, which the log says. After SIGKILL, detach must put everything
# back. partition --isolate does not catch signals: after any of them,
# --restore must put back what it changed. Each moment is logged, with
# how far the command had got, in stress-signals.log.
siglog=$outdir/stress-signals.log
: >"$siglog"
# stage FILE - how far attach had got, from what it printed: setup
# (module, lock), partitioned (then the BPF load), started, waiting (the
# signal ended the wait), after (rendering, detaching)
stage() {
	if grep -q "interrupted, reporting" "$1"; then echo waiting
	elif grep -q '^{' "$1"; then echo after
	elif grep -q "sampling CPUs" "$1"; then echo started
	elif grep -q "isolated CPUs" "$1"; then echo partitioned
	else echo setup
	fi
}
# now_ms - milliseconds since the epoch, without a fork
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
# fastest N CMD... - the shortest wall time in ms of N whole runs of CMD
# in $ms, each of which must exit 0 and, with UNDO set, be undone by it
fastest() {
	local n=$1 t0 t1 i
	shift
	ms=""
	for i in $(seq "$n"); do
		t0=$(now_ms)
		run "$@"
		t1=$(now_ms)
		[ "$st" -eq 0 ] || { ko "whole run of ${*:2}: exit $st: $out"; return 1; }
		[ "${#undo[@]}" -eq 0 ] || "${undo[@]}" >/dev/null 2>&1
		t1=$((t1 - t0))
		{ [ -z "$ms" ] || [ "$t1" -lt "$ms" ]; } && ms=$t1
	done
	return 0
}
# signal_at SIG MS LOG CMD... - start CMD, send SIG after MS ms if it
# still runs; $st its status, $sent whether it still ran
# (SIGINT as a terminal would send it: a script's background commands
# start with it ignored, and a command that does not catch it would
# never see it; the wait is bash's own, since starting sleep(1) takes
# longer under TCG than some moments drawn)
signal_at() {
	local sig=$1 at=$2 log=$3 pid guard frac
	shift 3
	env --default-signal=INT "$@" >"$log" 2>&1 &
	pid=$!
	printf -v frac '%03d' $((at % 1000))
	read -rt "$((at / 1000)).$frac" <> <(:) || true
	sent=no
	# (kill -0 also reaches a zombie: a run that has just ended shows as
	# "ended as the signal came")
	kill -0 "$pid" 2>/dev/null && kill -"$sig" "$pid" 2>/dev/null && sent=yes
	# A caught signal waits for the step under way (a BPF load: tens of
	# seconds under TCG); a run that outlives that by far hangs.
	(sleep "$RUN_TIMEOUT" && kill -9 "$pid" 2>/dev/null) &
	guard=$!
	wait "$pid"
	st=$?
	kill "$guard" 2>/dev/null
	wait "$guard" 2>/dev/null
}
declare -A signo=([INT]=2 [TERM]=15 [HUP]=1 [KILL]=9)
attach_cmd=("$rt" attach --cpus "$cpus" --period 1ms "${light[@]}" --duration 2s --isolate --format json)
# signals WHAT - the moments for attach or partition; the whole runs
# took t_bpf and t_sampler ms (attach with and without BPF), or
# t_partition
signals() {
	local what=$1 sig n hits tries at t cmd log stg how bad left line undone
	local before=$outdir/stress-signals.snap
	declare -A tally=()
	snapshot >"$before"
	for sig in INT TERM HUP KILL; do
		n=${signo[$sig]}
		hits=0
		tries=0
		while [ "$hits" -lt "$n_moments" ] && [ "$tries" -lt $((5 * n_moments)) ]; do
			tries=$((tries + 1))
			progress
			if [ "$what" = partition ]; then
				cmd=("$rt" partition --isolate "$cpus")
				t=$t_partition
			elif [ "$sig_bpf" -ne 0 ] && [ $(((hits + 1) % sig_bpf)) -eq 0 ]; then
				cmd=("${attach_cmd[@]}")
				t=$t_bpf
			else
				cmd=("${attach_cmd[@]}" --no-bpf)
				t=$t_sampler
			fi
			at=$(rand_below "$t")
			log=$outdir/stress-signal.out
			signal_at "$sig" "$at" "$log" "${cmd[@]}"
			bad=""
			if [ "$sent" = no ] || [ "$st" -eq 0 ]; then
				how="ended before the signal"
			elif [ "$st" -ne $((128 + n)) ]; then
				how="exit $st"
				bad="exit $st, not $((128 + n))"
			elif [ "$sig" = KILL ] || [ "$what" = partition ]; then
				how="killed"
			elif grep -q "interrupted by SIG$sig" "$log"; then
				how="caught"
			else
				how="killed outside the blocked section"
			fi
			undone=no
			if [ "$what" = attach ]; then
				stg=$(stage "$log")
				# Unless killed, attach undid everything itself.
				if [ -z "$bad" ] && [ "$how" != killed ]; then
					if left=$(host_as_before "$before"); then
						undone=yes
					else
						bad="left behind by attach: $left"
					fi
				fi
				run "$rt" detach
				if [ "$how" != killed ] && [ "$st" -ne 3 ]; then
					bad="$bad; detach found something (exit $st): $out"
					undone=no
				elif [ "$st" -ne 0 ] && [ "$st" -ne 3 ]; then
					bad="$bad; detach exit $st: $out"
				fi
			else
				stg="nothing saved"
				[ -e /run/rtnoise/partition.json ] && stg="state saved"
				run "$rt" partition --restore
				[ "$st" -eq 0 ] || bad="$bad; restore exit $st: $out"
			fi
			if [ "$undone" = no ] && ! left=$(host_as_before "$before"); then
				bad="$bad; not as before: $left"
			fi
			line="$what SIG$sig at $at of $t ms (${cmd[*]:2}): $how, $stg"
			echo "$line${bad:+: FAIL: $bad}" >>"$siglog"
			tally["$how, $stg"]=$((${tally["$how, $stg"]:-0} + 1))
			if [ -n "$bad" ]; then
				ko "$line: $bad"
				sed 's/^/    /' "$log" | tail -5
				"$rt" detach >/dev/null 2>&1
				"$rt" partition --restore >/dev/null 2>&1
				snapshot >"$before"
			else
				echo "[$SECONDS] ok: $line"
			fi
			if [ "$how" != "ended before the signal" ]; then
				hits=$((hits + 1))
			elif [ "$at" -gt 5 ]; then
				# Runs are now shorter than the whole one timed:
				# draw the next moments before this one.
				if [ "$what" = partition ]; then
					t_partition=$at
				elif [ "${cmd[*]}" = "${attach_cmd[*]}" ]; then
					t_bpf=$at
				else
					t_sampler=$at
				fi
			fi
		done
		check "$what: SIG$sig at $hits moments while it ran ($tries drawn, seed $seed)" \
			test "$hits" -ge "$n_moments"
	done
	for how in "${!tally[@]}"; do echo "$what: ${tally[$how]}x $how"; done | sort
}

if [ "$n_moments" -gt 0 ]; then
	before=$outdir/stress-signals.snap
	snapshot >"$before"
	undo=()
	ms=""
	t_bpf=0
	if { [ "$sig_bpf" -eq 0 ] || fastest 1 "${attach_cmd[@]}"; } && t_bpf=${ms:-0} &&
		fastest 2 "${attach_cmd[@]}" --no-bpf; then
		t_sampler=$ms
		echo "whole attach --duration: $t_bpf ms with BPF, $t_sampler ms without"
		check "whole attach --duration runs leave the host as before" host_as_before "$before"
		signals attach
	fi
	undo=("$rt" partition --restore)
	if fastest 3 "$rt" partition --isolate "$cpus"; then
		t_partition=$ms
		echo "whole partition --isolate: $ms ms"
		check "whole partition --isolate runs are restored" host_as_before "$before"
		signals partition
	fi
	echo "seed $seed" >>"$siglog"
fi

# --- the kernel log of the whole run ----------------------------------------------
"$rt" detach --unload >/dev/null 2>&1
dmesg >"$outdir/stress-dmesg"
check "kernel log free of BUG/WARNING/Oops during the stress run" dmesg_clean "$outdir/stress-dmesg"
echo "guest-stress: seed $seed"
finish "$outdir"
