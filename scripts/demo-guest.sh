#!/usr/bin/env bash
# demo-guest.sh - what scripts/demo.sh runs inside the VM.
#   demo-guest.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=$1
outdir=$2
rt=$build/rtnoise

echo "== $(uname -r): isolated CPUs $(cat /sys/devices/system/cpu/isolated)," \
	"nohz_full $(cat /sys/devices/system/cpu/nohz_full)"
echo "== disturbing CPU 3: a SCHED_OTHER busy loop that sleeps every 10 ms"
taskset -c 3 sh -c 'while :; do i=0; while [ $i -lt 200 ]; do i=$((i+1)); done; sleep 0.01; done' &
noise=$!

echo "== rtnoise attach --cpus 2,3 --duration 10s"
"$rt" attach --cpus 2,3 --period 1ms --threshold 1ms --hist-us 20000 --duration 10s
kill "$noise"

echo
echo "== the thread-latency histogram in cyclictest's format (non-empty rows)"
"$rt" attach --cpus 2,3 --period 1ms --hist-us 2000 --duration 3s \
	--format cyclictest 2>/dev/null | grep -vE '^[0-9]{6}( 000000)(\t000000)*$'

dmesg >"$outdir/dmesg"
touch "$outdir/done"
