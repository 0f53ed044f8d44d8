#!/usr/bin/env bash
# guest-workload.sh - the workload's own latency, against what the
# workload measures of itself: an unmodified cyclictest on CPU 3, named
# with --workload, beside a SCHED_FIFO hog of higher priority there and
# a busy loop (a poller) of lower. rtnoise's histogram of cyclictest's
# wakeup latency must agree with cyclictest's own (cycles within 1 %,
# percentiles within a bucket or 10 %); each of cyclictest's samples
# over the threshold is a workload spike, led by the hog; the poller's
# interruptions are counted and explained.
#   guest-workload.sh BUILD_DIR OUT_DIR
set -u
# shellcheck source=lib.sh
. "$(dirname "$(realpath "$0")")/lib.sh"
guest_args "$1" "$2"

if ! command -v cyclictest >/dev/null; then
	ko "cyclictest (rt-tests) is not installed"
	finish "$outdir"
	exit
fi
loops=${RTNOISE_TEST_LOOPS:-6000}

# No sampler: its thread would be one more disturbance of cyclictest's
# CPU, and both would measure it. The threshold is well above what TCG
# alone makes of most wakeups, and below the hog's bursts.
expect_ok "attach with a workload" "$rt" attach --cpus 3 --no-sampler --threshold 2ms \
	--workload cyclictest,noise-spin
# 1. cyclictest beside the hog.
"$disturb" hog 3 3 250 "$(((loops / 1000) + 4))" 99 "$outdir/workload.bursts" \
	>"$outdir/workload.hog" &
hog=$!
sleep 1
# -h: cyclictest's histogram in 1 us buckets, as rtnoise's; -q: only
# the histogram and its summary lines.
run cyclictest -t1 -a 3 -p 80 -i 1000 -l "$loops" -h 20000 -q -m
echo "$out" >"$outdir/cyclictest.hist"
if [ "$st" -eq 0 ]; then ok "cyclictest ran $loops loops"; else ko "cyclictest: exit $st"; fi
wait "$hog"
expect_ok "report json" "$rt" report --format json
echo "$out" >"$outdir/workload.json"
run "$checker" workload "$outdir/workload.json" "$outdir/cyclictest.hist" 3 \
	"$outdir/workload.bursts"
echo "$out"
if [ "$st" -eq 0 ]; then ok "workload agrees with cyclictest"; else ko "workload: $out"; fi
expect_ok "report text" "$rt" report
echo "$out" >"$outdir/workload.txt"
check "the text report has the workload" grep -q "cyclictest" "$outdir/workload.txt"

# 2. A poller that never sleeps, beside the hog: its interruptions.
"$disturb" spin 3 0 &
spin=$!
"$disturb" hog 3 3 250 3 99 >/dev/null
kill "$spin" 2>/dev/null
wait "$spin" 2>/dev/null
expect_ok "report json (poller)" "$rt" report --format json
echo "$out" >"$outdir/poller.json"
run "$checker" poller "$outdir/poller.json" 3 noise-spin
echo "$out"
if [ "$st" -eq 0 ]; then ok "the poller's interruptions explained"; else ko "poller: $out"; fi
expect_ok "detach" "$rt" detach
finish "$outdir"
