#!/usr/bin/env bash
# guest-sampler-cost.sh - run inside a VM by bench-sampler.sh: the same
# 1 ms periodic measurement on CPUs 2-3 by rtnoise.ko, rtla timerlat and
# cyclictest, one after another, and what each costs the measured CPUs:
# the CPU time of the measuring threads (se.sum_exec_runtime) per sample.
# Each tool runs under the same conditions: nothing else runs in the
# guest, and its threads' runtime is read once, 1 s before the end (for
# rtnoise the count is read then too; for the others, which print their
# counts only at the end, the count is scaled to that second, assuming a
# steady rate). Under single-threaded TCG any other guest activity would
# slow the measured vCPUs too.
#   guest-sampler-cost.sh BUILD_DIR OUT_DIR SECONDS
set -u
build=$1 out=$2 secs=${3:-20}
rt=$build/rtnoise
cpus=2,3
mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null

# runtime_ns PID... - the summed se.sum_exec_runtime (ms.us in /proc) of
# the tasks, in ns.
runtime_ns() {
	local t=0 v
	for p in "$@"; do
		v=$(awk '/se.sum_exec_runtime/ {print $3}' "/proc/$p/sched" 2>/dev/null)
		[ -n "$v" ] && t=$(awk -v a="$t" -v b="$v" 'BEGIN {printf "%.0f", a + b * 1e6}')
	done
	echo "$t"
}
row() {	# tool samples runtime_ns avg_us max_us
	awk -v t="$1" -v n="$2" -v r="$3" -v a="$4" -v m="$5" 'BEGIN {
		printf "%-24s %9d samples %12.0f ns CPU %8.0f ns/sample  avg %7.1f us  max %9.1f us\n",
		       t, n, r, n ? r / n : 0, a, m }' | tee -a "$out/result"
}

# --- rtnoise.ko -------------------------------------------------------------
"$rt" attach --cpus "$cpus" --period 1ms --no-bpf >/dev/null 2>&1
sleep "$((secs - 1))"
pids=$(pgrep -x 'rtnoise/[0-9]+')
"$rt" report --format json >"$out/rtnoise.json"	# counts, then the runtime
ns=$(runtime_ns $pids)
"$rt" detach --unload >/dev/null 2>&1
read -r n avg max < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
t = [c["thread"] for c in r["cpus"]]
n = sum(x["count"] for x in t)
print(n, sum(x["avg_ns"] * x["count"] for x in t) / max(n, 1) / 1e3,
      max(x["max_ns"] for x in t) / 1e3)' "$out/rtnoise.json")
row "rtnoise.ko (thread)" "$n" "$ns" "$avg" "$max"

# --- rtla timerlat (the kernel's timerlat tracer) ---------------------------
rtla timerlat top -c "$cpus" -p 1000 -P f:95 -d "$secs" -q >"$out/timerlat.txt" 2>&1 &
rtla_pid=$!
sleep "$((secs - 1))"
ns=$(runtime_ns $(pgrep -x 'timerlat/[0-9]+'))
wait "$rtla_pid"
# rows: "  2 #19876 | cur min avg max | cur min avg max" (us); IRQ then thread
read -r n avg max < <(awk -F'|' '/^ *[0-9]+ #[0-9]+/ {
	split($1, a, "#"); c = a[2] + 0; split($3, t, " ")
	n += c; s += t[3] * c; if (t[4] > m) m = t[4] }
	END { print n + 0, n ? s / n : 0, m + 0 }' "$out/timerlat.txt")
row "rtla timerlat (thread)" "$((n * (secs - 1) / secs))" "$ns" "$avg" "$max"

# --- cyclictest -------------------------------------------------------------
cyclictest -t2 -a "$cpus" -p 95 -i 1000 -m -q -D "$secs" >"$out/cyclictest.txt" 2>&1 &
ct=$!
sleep "$((secs - 1))"
ns=$(runtime_ns $(ls /proc/"$ct"/task | grep -v "^$ct$"))	# all but main()
wait "$ct"
read -r n avg max < <(awk '/^T:/ {
	for (i = 1; i <= NF; i++) {
		if ($i == "C:") c = $(i + 1); if ($i == "Avg:") a = $(i + 1)
		if ($i == "Max:" && $(i + 1) > m) m = $(i + 1) }
	n += c; s += a * c }
	END { print n + 0, n ? s / n : 0, m + 0 }' "$out/cyclictest.txt")
row "cyclictest (thread)" "$((n * (secs - 1) / secs))" "$ns" "$avg" "$max"
touch "$out/done"
