#!/usr/bin/env bash
# guest-sampler-cost.sh - run inside a VM by bench-sampler.sh: the same
# periodic measurement on the watched CPUs by rtnoise.ko, rtla timerlat
# and cyclictest, one after another, at each period, and what each costs
# the measured CPUs: the CPU time of the measuring threads
# (se.sum_exec_runtime) per sample, samples taken against periods, and
# the IRQ and thread latency distributions.
# Each tool runs under the same conditions: nothing else runs in the
# guest. rtnoise's threads' runtime is read 1 s before the end, just
# before its report; timerlat's and cyclictest's every 0.5 s while they
# run, the last read kept, with each thread's age. Their counts come
# later (the report, or the tools' summaries at their end) and are
# scaled back to the runtime read, assuming a steady rate
# (sampler-figures.py). Under
# single-threaded TCG any other guest activity slows the measured vCPUs
# too.
#   guest-sampler-cost.sh BUILD_DIR OUT_DIR SECONDS PERIODS_US TOOLS CPUS
# PERIODS_US and TOOLS are comma lists (1000,100; rtnoise,timerlat,
# cyclictest); CPUS a range, 2-3.
set -u
build=$1 out=$2 secs=${3:-20} periods=${4:-1000} tools=${5:-rtnoise,timerlat,cyclictest}
cpus=${6:-2-3}
rt=$build/rtnoise
here=$(dirname "$(realpath "$0")")
fig=$here/sampler-figures.py
lo=${cpus%-*} hi=${cpus#*-}
cpulist=$(seq -s, "$lo" "$hi")
ncpus=$((hi - lo + 1))
# Every step under a timeout: a tool that hangs costs its own figure only.
step() { timeout --foreground --preserve-status -k 10 "$@"; }
long=$((secs + 60))
mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
dmesg -n 1
# The CLI from the guest's memory, without its debug info (tens of MB
# read over 9p made each report take seconds of CPU 0, which under TCG
# slows the measured vCPUs too); the module from the build directory.
bin=$(mktemp -d)
step 120 objcopy --strip-debug "$build/rtnoise" "$bin/rtnoise" ||
	cp "$build/rtnoise" "$bin/rtnoise"
rt=$bin/rtnoise
RTNOISE_MODULE=$build/kmod/$(uname -r)/rtnoise.ko
export RTNOISE_MODULE
for f in "$(command -v rtla)" "$(command -v cyclictest)"; do
	[ -r "$f" ] && step 120 cat "$f" >/dev/null
done

# runtimes NAME-RE [PID] - "CPU NS AGE_NS NVCSW" per measuring thread: its
# se.sum_exec_runtime, how long it has existed and its voluntary
# switches (one a sample: each tool's thread sleeps until its next
# period). The threads are the
# kernel threads whose comm matches NAME-RE (their CPU is in the name),
# or the threads of PID but its first (cyclictest's main()), by the CPU
# they run on (stat field 39; field 22 is the start time). One awk for
# all: under TCG every fork in the guest costs milliseconds.
runtimes() {
	local dirs=() files=() t
	if [ $# -eq 1 ]; then
		for t in $(pgrep -x "$1"); do dirs+=("/proc/$t"); done
	else
		for t in "/proc/$2/task/"[0-9]*; do
			[ "$t" != "/proc/$2/task/$2" ] && [ -d "$t" ] && dirs+=("$t")
		done
	fi
	[ "${#dirs[@]}" -gt 0 ] || return 0
	for t in "${dirs[@]}"; do files+=("$t/comm" "$t/sched" "$t/stat"); done
	awk -v kthread=$(($# == 1)) -v hz="$(getconf CLK_TCK)" '
		FNR == 1 && FILENAME ~ /uptime$/ { up = $1; next }
		FILENAME ~ /comm$/ { d = FILENAME; sub(/\/comm$/, "", d)
			c = $0; sub(/.*\//, "", c); if (kthread) cpu[d] = c }
		FILENAME ~ /sched$/ && /se.sum_exec_runtime/ {
			d = FILENAME; sub(/\/sched$/, "", d); ns[d] = $3 * 1e6 }
		FILENAME ~ /sched$/ && /nr_voluntary_switches/ {
			d = FILENAME; sub(/\/sched$/, "", d); vs[d] = $3 }
		FILENAME ~ /stat$/ { d = FILENAME; sub(/\/stat$/, "", d)
			age[d] = (up - $22 / hz) * 1e9
			if (!kthread) cpu[d] = $39 }
		END { for (d in ns) printf "%d %.0f %.0f %d\n", cpu[d], ns[d], age[d], vs[d] }
	' /proc/uptime "${files[@]}" 2>/dev/null
}

# follow PID NAME-RE [MAIN] - while PID runs, read its measuring threads'
# runtimes every 0.5 s into $out/$tag.runtime, keeping the last read that
# found the most threads (the tools print their counts only at their end)
follow() {
	rm -f "$out/$tag.w0" "$out/$tag.w1"
	while kill -0 "$1" 2>/dev/null; do
		if [ -n "${3:-}" ]; then
			runtimes x "$(pgrep -x "$3" | head -1)" >"$out/$tag.rt.tmp"
		else
			runtimes "$2" >"$out/$tag.rt.tmp"
		fi
		now=$(mono_ns)
		# the window of the switch counts: from the first read of every
		# thread to the last
		if [ "$(wc -l <"$out/$tag.rt.tmp")" -ge "$ncpus" ]; then
			{ echo "T $now"; cat "$out/$tag.rt.tmp"; } >"$out/$tag.w1"
			[ -e "$out/$tag.w0" ] || cp "$out/$tag.w1" "$out/$tag.w0"
		fi
		# the fullest read, the latest of those
		[ "$(wc -l <"$out/$tag.rt.tmp")" -ge "$(cat "$out/$tag.runtime" 2>/dev/null | wc -l)" ] &&
			[ -s "$out/$tag.rt.tmp" ] && mv "$out/$tag.rt.tmp" "$out/$tag.runtime"
		sleep 0.5
	done
	rm -f "$out/$tag.rt.tmp"
}

# window FILE NAME-RE - a read of the switch counts for the window, timed
window() {
	local r
	r=$(runtimes "$2")
	printf 'T %s\n%s\n' "$(mono_ns)" "$r" >"$1"
}

# mono_ns - CLOCK_MONOTONIC now, the clock of the module's start_ns
mono_ns() { awk '/^now at/ {print $3; exit}' /proc/timer_list; }

# figures MODE ARGS... - one JSON line for the results, or say why not
figures() {
	if ! step 60 python3 "$fig" "$@" --window "$out/$tag.w0" "$out/$tag.w1" \
		>>"$out/figures.json"; then
		echo "no figures for $1 at ${p}us: see $out/$tag.*" | tee -a "$out/errors"
	fi
}

for p in ${periods//,/ }; do
	for tool in ${tools//,/ }; do
		tag=$tool-${p}us
		echo "[$SECONDS] $tag on CPUs $cpus for $secs s" >>"$out/log"
		case $tool in
		rtnoise)
			step 120 "$rt" attach --cpus "$cpus" --period "${p}us" \
				--hist-us 2000 --no-bpf >"$out/$tag.attach" 2>&1
			sleep 1
			window "$out/$tag.w0" 'rtnoise/[0-9]+'
			sleep "$((secs - 2))"
			# the runtime first: the report's start-up runs on CPU 0,
			# which under TCG takes emulation time from the others
			runtimes 'rtnoise/[0-9]+' >"$out/$tag.runtime"
			window "$out/$tag.w1" 'rtnoise/[0-9]+'
			at=$(mono_ns)
			step 60 "$rt" report --format json >"$out/$tag.json" 2>&1
			step 120 "$rt" detach --unload >/dev/null 2>&1
			figures rtnoise "$out/$tag.json" "$out/$tag.runtime" "$p" "$at"
			;;
		timerlat)
			step "$long" rtla timerlat hist -c "$cpus" -p "$p" -P f:95 \
				-d "$secs" -b 1 -E 2000 >"$out/$tag.txt" 2>&1 &
			pid=$!
			follow "$pid" 'timerlat/[0-9]+'
			wait "$pid"
			figures timerlat "$out/$tag.txt" "$out/$tag.runtime" "$p" \
				"$secs"
			;;
		cyclictest)
			step "$long" cyclictest -t"$ncpus" -a "$cpus" -p 95 -i "$p" \
				-m -q -D "$secs" -h 2000 >"$out/$tag.txt" 2>&1 &
			pid=$!
			# the only cyclictest in the guest, under step's timeout
			follow "$pid" "" cyclictest
			wait "$pid"
			figures cyclictest "$out/$tag.txt" "$out/$tag.runtime" "$p" \
				"$secs" "$cpulist"
			;;
		*)
			echo "unknown tool $tool" | tee -a "$out/errors"
			;;
		esac
	done
done
[ -s "$out/figures.json" ] && python3 "$fig" table "$out/figures.json" >"$out/result"
dmesg >"$out/dmesg"
rm -rf "$bin"
touch "$out/done"
