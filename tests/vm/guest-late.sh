#!/usr/bin/env bash
# guest-late.sh - a busy CPU read late, at attach's defaults but a 2 ms
# threshold and 8192 spikes (the most that keep their spike-time causes):
# the virtio IRQs steered onto isolated CPU 3 under file I/O for 75 s, a
# SCHED_FIFO 99 hog on it early (4 ms every 30 ms for 5 s) that names
# itself once there, and the report read a minute after the hog ended,
# while the sampler goes on recording. Every kept spike must have its
# spike-time causes or a counted reason, and the hog must lead the spikes
# of its bursts that the spike ring still holds (under TCG a busy CPU can
# record more spikes in that minute than the ring keeps: then none, and
# the report counts them as overwritten). Not in guest-all.sh's default
# set (about 4 minutes of guest time):
#   run-in-vm.sh ... --script tests/vm/guest-all.sh -- late
#   guest-late.sh BUILD_DIR OUT_DIR
set -u
build=$1
outdir=$2
# shellcheck source=lib.sh
. "$(dirname "$(realpath "$0")")/lib.sh"
guest_args "$build" "$outdir"

baseline=$(bpf_progs)

expect_ok "attach at the defaults, a 2 ms threshold, 8192 spikes" "$rt" attach --cpus 2,3 \
	--period 1ms --threshold 2ms --spikes 8192
steer_irqs 3
(
	end=$((SECONDS + 75))
	while [ "$SECONDS" -lt "$end" ]; do
		find /usr/share/doc -type f 2>/dev/null | head -1500 | xargs cat >/dev/null 2>&1
		echo 3 >/proc/sys/vm/drop_caches
	done
) &
load=$!
sleep 5
# Its bursts logged to memory, not to the host's share (see
# guest-attribution.sh).
hogs=$(mktemp -d /run/rtnoise-hogs.XXXXXX)
bursts=$("$disturb" hog 3 4 30 5 99 "$hogs/hog-late.txt")
cp "$hogs/hog-late.txt" "$outdir/" && rm -rf "$hogs"
echo "the hog (FIFO 99, 4 ms every 34 ms) ran $bursts bursts"
sleep 60
RUN_TIMEOUT=900 expect_ok "report a minute after the hog, the load still on" \
	"$rt" report --format json
echo "$out" >"$outdir/late.json"
wait "$load"
restore_irqs
expect_ok "every kept spike joined or counted, the hog leading its spikes" \
	"$checker" spiketime "$outdir/late.json" 3 min=0 "$outdir/hog-late.txt"
echo "$out"
expect_ok "detach" "$rt" detach
check "programs unloaded" wait_progs "$baseline"
finish "$outdir"
