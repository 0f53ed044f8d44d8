#!/usr/bin/env bash
# guest-spike.sh - actions at spikes, in a guest with CPUs 2-3 isolated:
# attach --duration --on-spike beside a SCHED_FIFO hog on CPU 3 writes
# one file per command run, each the JSON of a spike of the report (and
# its largest cause in RTNOISE_CAUSE), as many as the run says it ran;
# attach --duration --stop-on-spike ends early; the example BPF action
# (examples/bpf-action) prints a spike of that run; monitor
# --stop-on-spike freezes: two reports apart hold the same spikes,
# counts and BPF event heads.
#   guest-spike.sh BUILD_DIR OUT_DIR
set -u
build=$1
outdir=$2
# shellcheck source=lib.sh
. "$(dirname "$(realpath "$0")")/lib.sh"
guest_args "$build" "$outdir"
action=$build/examples/rtnoise_spike_action

period=${RTNOISE_TEST_PERIOD:-1ms}
files=$outdir/on-spike
mkdir -p "$files"
hogs=$(mktemp -d /run/rtnoise-spike.XXXXXX)

# wait_line FILE REGEX [SECONDS] - until FILE has a line matching REGEX
wait_line() {
	for _ in $(seq "${3:-300}"); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 1
	done
	return 1
}
# heads - the count of BPF events ever written into each watched CPU's
# event ring (the rings' heads, by slot: the first four), one line
heads() {
	bpftool map dump -j pinned /sys/fs/bpf/rtnoise/heads | python3 -c '
import json, sys
print(" ".join(str(int.from_bytes(bytes(int(x, 16) for x in e["value"][:8]), "little"))
               for e in json.load(sys.stdin)[:4]))'
}

# --- --on-spike: a file per command, each a spike of the report -------------
# The hog starts once sampling does (attach under TCG takes a while). Its
# bursts (50 ms, FIFO 99 over the sampler's 95) make thread spikes of CPU
# 3 above --on-spike-threshold 40ms, which TCG's own noise (up to some
# 30 ms) seldom reaches.
err=$outdir/on-spike.err
# shellcheck disable=SC2016 # expanded by the command's shell, not here
cmd='cat > '"$files"'/spike.$RTNOISE_CPU.$RTNOISE_TYPE.$RTNOISE_SEQ.json && printf "%s\n" "$RTNOISE_CAUSE" > '"$files"'/cause.$RTNOISE_CPU.$RTNOISE_TYPE.$RTNOISE_SEQ'
timeout --foreground --preserve-status -k 10 600 "$rt" attach --cpus 2,3 \
	--period "$period" --threshold 3ms --hist-us 20000 --spikes 16384 \
	--duration 40 --format json --output "$outdir/on-spike.json" \
	--on-spike-threshold 40ms --on-spike "$cmd" >/dev/null 2>"$err" &
att=$!
if wait_line "$err" "sampling CPUs"; then
	"$disturb" hog 3 50 150 15 99 "$hogs/hog.txt" >/dev/null
else
	ko "attach --on-spike did not start sampling: $(cat "$err")"
fi
wait "$att"
st=$?
cat "$err"
if [ "$st" -eq 0 ]; then ok "attach --duration --on-spike"; else ko "attach --on-spike: exit $st"; fi
summary=$(grep -E -- '--on-spike: [0-9]+ spikes over' "$err")
ran=$(sed -nE 's/.*ran ([0-9]+) commands.*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.* ([0-9]+) failed$/\1/p' <<<"$summary")
check "the run says what it ran: $summary" test -n "$ran" -a -n "$failed"
check "no command failed" test "${failed:-1}" -eq 0
expect_ok "each file a spike of the report, led by what the report names" \
	"$checker" spikefiles "$outdir/on-spike.json" "$files" "${ran:-0}" 3
echo "$out"

# --- --stop-on-spike ends attach --duration; the example BPF action ---------
"$action" -n 1 -d 400 >"$outdir/action.txt" 2>&1 &
act=$!
wait_line "$outdir/action.txt" "^attached" 60 ||
	ko "the example BPF action did not attach: $(cat "$outdir/action.txt")"
err=$outdir/stop.err
start=$SECONDS
timeout --foreground --preserve-status -k 10 600 "$rt" attach --cpus 2,3 \
	--period "$period" --threshold 3ms --hist-us 20000 --duration 300 \
	--format json --output "$outdir/stop.json" --stop-on-spike --on-spike-threshold 4ms \
	>/dev/null 2>"$err" &
att=$!
wait_line "$err" "sampling CPUs" && "$disturb" hog 3 6 60 10 99 "$hogs/hog2.txt" >/dev/null
wait "$att"
st=$?
took=$((SECONDS - start))
cat "$err"
check "attach --stop-on-spike exits 0 ($st)" test "$st" -eq 0
check "it stopped at a spike, in ${took}s of 300" grep -q -- "--stop-on-spike: spike CPU" "$err"
check "and ended the run early" test "$took" -lt 280
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(not (r["state"] == "stopped" and any(s["latency_ns"] >= 4000000 for s in r["spikes"])))
' "$outdir/stop.json" && ok "its report: stopped, a spike over 4 ms" || ko "stop.json"
wait "$act"
st=$?
cat "$outdir/action.txt"
line=$(grep -m1 '^spike cpu=' "$outdir/action.txt")
check "the example BPF action printed a spike ($st)" test "$st" -eq 0 -a -n "$line"
python3 -c '
import json, re, sys
m = re.match(r"spike cpu=(\d+) type=(\w+) seq=(\d+) latency_us=(\d+) pid=\d+ comm=\S* stack=0x", sys.argv[2])
r = json.load(open(sys.argv[1]))
lat = [s["latency_ns"] // 1000 for s in r["spikes"] if m and s["cpu"] == int(m[1]) and s["type"] == m[2]]
sys.exit(not (m and int(m[4]) in lat))
' "$outdir/stop.json" "$line" && ok "that spike is one of the run's" || ko "action: $line"

# --- monitor --stop-on-spike: the history frozen for later reports --------
err=$outdir/monitor.err
"$rt" monitor --cpus 2,3 --period "$period" --threshold 3ms --interval 5 \
	--stop-on-spike --on-spike-threshold 4ms \
	--spike-log "$outdir/monitor-spikes.jsonl" >/dev/null 2>"$err" &
mon=$!
wait_line "$err" "monitoring CPUs" && "$disturb" hog 3 6 60 10 99 "$hogs/hog3.txt" >/dev/null
if wait_line "$err" "--stop-on-spike: spike CPU" 120; then
	ok "monitor stopped at a spike"
	sleep 2
	h1=$(heads)
	RUN_TIMEOUT=600 expect_ok "report after the stop" "$rt" report --format json
	echo "$out" >"$outdir/frozen1.json"
	sleep 5
	h2=$(heads)
	RUN_TIMEOUT=600 expect_ok "report 5 s later" "$rt" report --format json
	echo "$out" >"$outdir/frozen2.json"
	expect_ok "the same spikes and samples" \
		"$checker" frozen "$outdir/frozen1.json" "$outdir/frozen2.json"
	echo "$out"
	check "the same BPF event heads ($h1 / $h2)" test -n "$h1" -a "$h1" = "$h2"
else
	ko "monitor did not stop: $(cat "$err")"
fi
kill -TERM "$mon"
wait "$mon"
st=$?
cat "$err"
check "monitor exits 0 on SIGTERM ($st)" test "$st" -eq 0
check "nothing left attached" test ! -e /sys/fs/bpf/rtnoise
rm -rf "$hogs"

finish "$outdir"
