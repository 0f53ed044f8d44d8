#!/usr/bin/env bash
# bench-bpf.sh - what rtnoise's BPF attribution costs, natively (no VM):
#  1. pipe ping-pong round trips/s on one CPU: bare, with rtnoise
#     attached (--no-sampler), and with bpftrace doing per-source
#     accounting on the same CPU; interleaved rounds, medians, with
#     kernel.bpf_stats_enabled off (the stats cost about 20 ns per run);
#  2. then one more round of each rtnoise with the stats on: ns per event
#     of each program, over every CPU's runs.
#
#  3. with BASE=OTHER_BUILD_DIR, the same with that build's rtnoise in
#     every round too: two versions compared interleaved, on one machine.
#
#  WATCH=all has rtnoise watch every online CPU (the ping-pong still runs
#  on CPU); the default watches CPU alone.
#
#  WORKLOAD=COMMS attaches this build's rtnoise with --workload COMMS
#  (the base's without): the ping-pong's threads are rtnoise_pingpon (a
#  comm is 15 bytes), so WORKLOAD=rtnoise_pingpon measures them as the
#  workload, and a comm nothing has measures what naming a workload
#  costs the rest.
#
#   bench/bench-bpf.sh [BUILD_DIR]    env: CPU=1 SECS=5 ROUNDS=5 BASE= WATCH= WORKLOAD=
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$top/bench/lib.sh"
build=${1:-$top/build}
cpu=${CPU:-1}
secs=${SECS:-5}
rounds=${ROUNDS:-5}
rt=$build/rtnoise
pp=$build/bench/rtnoise_pingpong
base=${BASE:-}
case "${WATCH:-}" in
"") watch=$cpu ;;
all) watch=$(cat /sys/devices/system/cpu/online) ;;
*) echo "bench-bpf.sh: WATCH is empty or all" >&2; exit 2 ;;
esac

command -v bpftrace >/dev/null || { echo "bench-bpf.sh: apt-get install bpftrace" >&2; exit 1; }
[ -x "$pp" ] || { echo "bench-bpf.sh: build first ($pp missing)" >&2; exit 1; }
"$rt" detach >/dev/null 2>&1 || true
# bpftrace reads tracepoint formats from tracefs.
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing

run() { "$pp" "$cpu" "$secs" | awk '{print $2}'; }

# with_rtnoise RTNOISE [STATS] - round trips/s with that rtnoise attached
# (--no-sampler); with STATS, kernel.bpf_stats_enabled on during the run
# and its programs' stats left in that file.
with_rtnoise() {
	local extra=()
	[ "$1" = "$rt" ] && [ -n "${WORKLOAD:-}" ] && extra=(--workload "$WORKLOAD")
	"$1" attach --cpus "$watch" --no-sampler "${extra[@]}" >/dev/null 2>&1
	[ -n "${2:-}" ] && sysctl -qw kernel.bpf_stats_enabled=1
	run
	if [ -n "${2:-}" ]; then
		bpftool prog show -j >"$2"
		sysctl -qw kernel.bpf_stats_enabled=0
	fi
	"$1" detach >/dev/null 2>&1
}

bare=() with_rt=() with_bt=() with_base=()
stats=$(mktemp)
base_stats=$(mktemp)
trap 'rm -f "$stats" "$base_stats"; "$rt" detach >/dev/null 2>&1 || true; sysctl -qw kernel.bpf_stats_enabled=0' EXIT

for r in $(seq "$rounds"); do
	bare+=("$(run)")

	with_rt+=("$(with_rtnoise "$rt")")
	[ -n "$base" ] && with_base+=("$(with_rtnoise "$base/rtnoise")")

	log=$(mktemp)
	bpftrace "$top/bench/per-source.bt" "$cpu" >"$log" 2>&1 &
	bt=$!
	for _ in $(seq 100); do grep -q Attaching "$log" && break; sleep 0.1; done
	sleep 1
	with_bt+=("$(run)")
	kill -INT "$bt"
	wait "$bt" 2>/dev/null || true
	rm -f "$log"
	echo "round $r: bare ${bare[-1]}  rtnoise ${with_rt[-1]}  bpftrace ${with_bt[-1]}" \
		"${base:+ base ${with_base[-1]}}" >&2
done

sysctl -qw kernel.bpf_stats_enabled=0
stats_rt=$(with_rtnoise "$rt" "$stats")
[ -n "$base" ] && stats_base=$(with_rtnoise "$base/rtnoise" "$base_stats")

b=$(printf '%s\n' "${bare[@]}" | median)
r=$(printf '%s\n' "${with_rt[@]}" | median)
t=$(printf '%s\n' "${with_bt[@]}" | median)
echo "kernel $(uname -r), CPU $cpu, rtnoise watching $watch, $secs s x $rounds interleaved rounds, bpf_stats off"
echo "pipe ping-pong round trips/s (median): bare $b, rtnoise $r ($(awk "BEGIN{printf \"%.3f\", $r/$b}")x), bpftrace $t ($(awk "BEGIN{printf \"%.3f\", $t/$b}")x)"
if [ -n "$base" ]; then
	m=$(printf '%s\n' "${with_base[@]}" | median)
	echo "base $base: $m ($(awk "BEGIN{printf \"%.3f\", $m/$b}")x)"
fi
per_event() {
	[ -s "$1" ] || echo "  (no stats in $1)"
	python3 - "$1" <<'PY'
import json, sys
progs = json.load(open(sys.argv[1]))
rows = [(p["name"], p.get("run_cnt", 0), p.get("run_time_ns", 0))
        for p in progs if p.get("type") in ("tracing", "raw_tracepoint")
        and p.get("run_cnt")]
for name, cnt, ns in sorted(rows, key=lambda r: -r[1]):
    print(f"  {name:24s} {cnt:>10d} events  {ns / cnt:7.1f} ns/event")
PY
}
echo "ns per event, rtnoise programs (a round with bpf_stats on: $stats_rt round trips/s):"
per_event "$stats"
if [ -n "$base" ]; then
	echo "ns per event, base programs (a round with bpf_stats on: $stats_base round trips/s):"
	per_event "$base_stats"
fi
