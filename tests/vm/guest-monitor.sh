#!/usr/bin/env bash
# guest-monitor.sh - rtnoise monitor in a guest with CPUs 2-3 isolated:
# /metrics scraped twice while known disturbances run on CPU 3 (the
# counters grow, promtool accepts the exposition), its series bounded
# through 150 short-lived processes on CPU 3, the node_exporter
# textfile rewritten, CPU 3 taken offline and back (the monitor goes on,
# CPU 3 is sampled again), SIGTERM: exit 0 and nothing left attached;
# every line of the spike log one JSON object. Then an attach of the same
# CPUs adopted, and one of other CPUs refused.
#   guest-monitor.sh BUILD_DIR OUT_DIR
set -u
build=$1
outdir=$2
# shellcheck source=lib.sh
. "$(dirname "$(realpath "$0")")/lib.sh"
guest_args "$build" "$outdir"

port=9464
url=http://127.0.0.1:$port/metrics
textdir=$outdir/textfile
mkdir -p "$textdir"
spikes=$outdir/spikes.jsonl
: >"$spikes"

# value FILE SERIES - the value of one series (name{labels} as printed)
value() { awk -v s="$2" '$1 == s { print $2 }' "$1"; }
# scrape FILE - /metrics into FILE
scrape() { curl -sf --max-time 30 -o "$1" "$url"; }
# wait_metrics - until /metrics answers (attach under TCG takes a while)
wait_metrics() {
	for _ in $(seq 600); do
		scrape "$outdir/wait.prom" && return 0
		kill -0 "$mon" 2>/dev/null || return 1
		sleep 1
	done
	return 1
}
# fresh FILE - scrape into FILE after the monitor has read twice more
# (the first of them may have begun before the caller's change; under
# TCG one read takes many seconds)
fresh() {
	local d0 d=""
	scrape "$1"
	d0=$(value "$1" rtnoise_duration_seconds)
	for _ in 1 2; do
		for _ in $(seq 300); do
			sleep 1
			scrape "$1" || continue
			d=$(value "$1" rtnoise_duration_seconds)
			[ "$d" != "$d0" ] && break
		done
		d0=$d
	done
}
# grows A B SERIES - the series is larger in B than in A
grows() {
	local a b
	a=$(value "$1" "$3") b=$(value "$2" "$3")
	echo "$3: $a -> $b"
	[ -n "$a" ] && [ -n "$b" ] && python3 -c "import sys; sys.exit(not float('$b') > float('$a'))"
}
# nothing_attached - no pin, no sampler thread, report refuses
nothing_attached() {
	[ -z "$(ls -A /sys/fs/bpf/rtnoise 2>/dev/null)" ] &&
		! pgrep -x 'rtnoise/[0-9]+' >/dev/null &&
		! "$rt" report >/dev/null 2>&1
}

# --- monitor, scraped twice under disturbances ---------------------------------
"$rt" monitor --cpus 2,3 --listen 127.0.0.1:$port --interval 2s --threshold 10ms \
	--spike-log "$spikes" --textfile "$textdir/rtnoise.prom" >"$outdir/monitor.out" \
	2>"$outdir/monitor.err" &
mon=$!
start=$SECONDS
if wait_metrics; then
	ok "monitor serves /metrics after $((SECONDS - start)) s"
else
	ko "monitor serves no /metrics: $(cat "$outdir/monitor.err")"
fi
check "stdout stays empty with --spike-log" test ! -s "$outdir/monitor.out"
fresh "$outdir/scrape1.prom"
"$disturb" timer 3 2000 6 >/dev/null &
timer=$!
"$disturb" hog 3 40 300 5 >/dev/null
wait "$timer"
fresh "$outdir/scrape2.prom"
check "scraped twice" test -s "$outdir/scrape1.prom" -a -s "$outdir/scrape2.prom"
expect_ok "promtool check metrics on the scrape" sh -c "promtool check metrics <'$outdir/scrape2.prom'"
for s in 'rtnoise_latency_seconds_count{cpu="3",type="thread"}' \
	'rtnoise_latency_seconds_count{cpu="2",type="irq"}' \
	'rtnoise_cpu_noise_seconds_total{cpu="3"}' \
	'rtnoise_spikes_total{cpu="3",type="thread"}'; do
	check "grows between the scrapes: $s" grows "$outdir/scrape1.prom" "$outdir/scrape2.prom" "$s"
done
# Threads by comm, never by pid: the series outlive the processes.
check "the timer process is a source on CPU 3" \
	grep -qE '^rtnoise_noise_seconds_total\{cpu="3",kind="thread",name="noise-timer"\} ' \
	"$outdir/scrape2.prom"
check "the hog is a source on CPU 3" \
	grep -qE '^rtnoise_noise_events_total\{cpu="3",kind="thread",name="noise-hog"\} ' \
	"$outdir/scrape2.prom"
check "no thread labelled by its pid" \
	sh -c "! grep -qE 'kind=\"thread\",name=\"[^\"]*:[0-9]+\"' '$outdir/scrape2.prom'"
check "an interval's maximum per CPU and type" \
	grep -qE '^rtnoise_latency_interval_max_seconds\{cpu="3",type="thread"\} ' \
	"$outdir/scrape2.prom"
# Process churn on CPU 3: 150 short-lived processes, each of its own
# name (letters: the numbers in a name are folded anyway). Each is a
# source on CPU 3; its series are at most --metrics-sources (10) and
# "other".
for i in $(seq 150); do
	taskset -c 3 sh -c "printf %s c$(echo "$i" | tr 0-9 a-j) >/proc/self/comm" 2>/dev/null
done
fresh "$outdir/scrape3.prom"
churn=$(grep -c '^rtnoise_noise_seconds_total{cpu="3",' "$outdir/scrape3.prom")
check "150 processes on CPU 3 leave $churn noise series there (11 at most)" test "$churn" -le 11
check "the sources beyond them folded into other" \
	test "$(value "$outdir/scrape3.prom" 'rtnoise_sources_folded{cpu="3"}')" -gt 0
check "both CPUs sampling" test "$(value "$outdir/scrape2.prom" 'rtnoise_sampling{cpu="2"}')$(value "$outdir/scrape2.prom" 'rtnoise_sampling{cpu="3"}')" = 11
expect_ok "the textfile passes promtool" sh -c "promtool check metrics <'$textdir/rtnoise.prom'"
# The collector reads *.prom only; a rewrite in progress at this moment
# has its temporary rtnoise.prom.XXXXXX beside it, which it does not read.
check "the textfile is the only *.prom in its directory" \
	test "$(cd "$textdir" && echo *.prom)" = rtnoise.prom
t1=$(stat -c %i "$textdir/rtnoise.prom")
rewritten() {
	for _ in $(seq 300); do
		[ "$(stat -c %i "$textdir/rtnoise.prom")" != "$t1" ] && return 0
		sleep 1
	done
	return 1
}
check "the textfile is rewritten (renamed over: a new inode)" rewritten

# --- CPU 3 offline and back ----------------------------------------------------
cpu_online 3 0
fresh "$outdir/offline.prom"
check "monitor alive with CPU 3 offline" kill -0 "$mon"
check "CPU 3 offline: not sampling" test "$(value "$outdir/offline.prom" 'rtnoise_sampling{cpu="3"}')" = 0
check "CPU 3 offline: counted" test "$(value "$outdir/offline.prom" 'rtnoise_cpu_offline_total{cpu="3"}')" -ge 1
check "CPU 2 still sampled" grows "$outdir/scrape2.prom" "$outdir/offline.prom" \
	'rtnoise_latency_seconds_count{cpu="2",type="thread"}'
cpu_online 3 1
fresh "$outdir/online1.prom"
fresh "$outdir/online2.prom"
check "CPU 3 back: sampling" test "$(value "$outdir/online2.prom" 'rtnoise_sampling{cpu="3"}')" = 1
check "CPU 3 back: sampled again" grows "$outdir/online1.prom" "$outdir/online2.prom" \
	'rtnoise_latency_seconds_count{cpu="3",type="thread"}'
expect_ok "promtool check metrics after the hotplug" sh -c "promtool check metrics <'$outdir/online2.prom'"

# --- SIGTERM -----------------------------------------------------------------------
kill -TERM "$mon"
for _ in $(seq 300); do kill -0 "$mon" 2>/dev/null || break; sleep 1; done
wait "$mon"
st=$?
check "SIGTERM: exit 0 (got $st)" test "$st" -eq 0
check "SIGTERM: detached and said so" grep -q 'rtnoise: detached' "$outdir/monitor.err"
check "nothing attached after SIGTERM (no pin, no rtnoise/N, report refuses)" nothing_attached
check "no BPF program left" wait_progs 0
check "/metrics is gone" sh -c "! curl -sf --max-time 5 -o /dev/null '$url'"
check "the textfile is alone in its directory (no temporary left)" \
	test "$(ls -A "$textdir")" = rtnoise.prom
n=$(grep -c . "$spikes")
check "the spike log has spikes ($n lines)" test "$n" -gt 0
expect_ok "each spike log line is one JSON object with its causes" python3 -c '
import json, sys
for i, line in enumerate(open(sys.argv[1]), 1):
    o = json.loads(line)
    assert isinstance(o, dict), f"line {i}: not an object"
    for k in ("cpu", "type", "seq", "latency_ns", "causes", "time"):
        assert k in o, f"line {i}: no {k}"
seen = set()
for line in open(sys.argv[1]):
    o = json.loads(line)
    key = (o["cpu"], o["type"], o["seq"])
    assert key not in seen, f"{key} logged twice"
    seen.add(key)
' "$spikes"
check "a hog spike explained by the hog" grep -q '"name":"noise-hog:' "$spikes"

# --- an attach adopted, another refused --------------------------------------------
expect_ok "attach --cpus 2,3" "$rt" attach --cpus 2,3 --threshold 10ms
expect_fail "monitor of other CPUs refused" 3 "already attached to CPUs 2-3, not 3" \
	"$rt" monitor --cpus 3 --listen 127.0.0.1:$port --interval 2s
"$rt" monitor --cpus 2,3 --listen 127.0.0.1:$port --interval 2s >"$outdir/adopt.out" \
	2>"$outdir/adopt.err" &
mon=$!
if wait_metrics; then ok "monitor of the same CPUs serves /metrics"; else ko "adopting: $(cat "$outdir/adopt.err")"; fi
check "it adopted the attach" grep -q 'monitoring the attach of CPUs 2-3 that was there' "$outdir/adopt.err"
kill -INT "$mon"
wait "$mon"
st=$?
check "SIGINT: exit 0 (got $st)" test "$st" -eq 0
check "nothing attached after SIGINT" nothing_attached
expect_fail "bad --listen: one line, exit 2" 2 '^rtnoise: --listen 127.0.0.1:: the port is not a number' \
	"$rt" monitor --cpus 2,3 --listen 127.0.0.1:

finish "$outdir"
