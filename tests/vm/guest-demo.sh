#!/usr/bin/env bash
# guest-demo.sh - what scripts/demo.sh runs inside the VM (a demo: it
# prints the reports and checks nothing).
#   guest-demo.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=$1
outdir=$2
rt=$build/rtnoise
disturb=$build/tests/rtnoise_disturb

echo "== $(uname -r): isolated CPUs $(cat /sys/devices/system/cpu/isolated)," \
	"nohz_full $(cat /sys/devices/system/cpu/nohz_full)"
# disturb - the disturbances of CPU 3: a SCHED_FIFO 99 thread busy 20 ms
# every 500 ms, a process woken by a timer every 5 ms (both pinned to CPU
# 3, which an isolated partition refuses them), and file I/O whose virtio
# IRQs were steered onto CPU 3.
disturb() {
	"$disturb" hog 3 20 500 10 >"$outdir/hog.out" 2>"$outdir/hog.err" &
	"$disturb" timer 3 5000 10 2>"$outdir/timer.err" &
	(sleep 2; find /usr/share/doc -type f | head -1000 | xargs cat >/dev/null 2>&1) &
}
# sample NAME - 10 s of rtnoise on CPUs 2-3 under the disturbances; the
# report as text and as NAME.json
sample() {
	echo "== rtnoise attach --cpus 2,3 --threshold 5ms; 10 s of sampling"
	"$rt" attach --cpus 2,3 --period 1ms --threshold 5ms --hist-us 20000
	disturb
	sleep 10
	echo "== rtnoise report"
	"$rt" report
	"$rt" report --format json --output "$outdir/$1.json"
}

echo "== disturbing CPU 3: a SCHED_FIFO 99 thread busy 20 ms every 500 ms,"
echo "   a process woken by a timer every 5 ms, and the virtio IRQs"
for d in /proc/irq/[0-9]*; do
	# shellcheck disable=SC2010 # one directory per action, no newline in the names
	ls "$d" | grep -qE 'virtio[0-9]+-req' && echo 3 >"$d/smp_affinity_list" 2>/dev/null
done
sample before
"$rt" report --format html --output "$outdir/report.html"
echo "== rtnoise report --format html --output $outdir/report.html: written"
"$rt" detach
wait

echo
echo "== rtnoise partition --isolate 2-3: IRQs, kthreads, workqueues and every"
echo "   other task off CPUs 2-3; then the same disturbances again"
"$rt" partition --isolate 2-3
sample after
"$rt" detach
wait
for what in hog timer; do
	if [ -s "$outdir/$what.err" ]; then
		echo "   the $what could not be pinned to CPU 3: $(head -n 1 "$outdir/$what.err")"
	fi
done
"$rt" partition --restore

echo
echo "== rtnoise compare before.json after.json"
"$rt" compare "$outdir/before.json" "$outdir/after.json"
"$rt" compare --format html --output "$outdir/compare.html" \
	"$outdir/before.json" "$outdir/after.json"
echo "== rtnoise compare --format html --output $outdir/compare.html: written"

echo
echo "== the thread-latency histogram in cyclictest's format (non-empty rows)"
"$rt" attach --cpus 2,3 --period 1ms --hist-us 2000 --duration 3s --no-bpf \
	--format cyclictest 2>/dev/null |
	awk '/^[0-9][0-9][0-9][0-9][0-9][0-9] / {
		for (i = 2; i <= NF; i++)
			if ($i + 0) { print; next }
		next
	}
	{ print }'

dmesg >"$outdir/dmesg"
touch "$outdir/done"
