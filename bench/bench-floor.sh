#!/usr/bin/env bash
# bench-floor.sh - what bounds rtnoise's sched_switch program from below:
# the ladder of floor.bpf.c (an empty tp_btf program, then a counter, the
# clock, rtnoise's CPU filter and pids, its ring store) and rtnoise's own
# sched_switch_btf, each attached alone (rtnoise: attach --no-sampler)
# while the pipe ping-pong runs on CPU, with kernel.bpf_stats_enabled on.
# ns per sched_switch event of each, the median of interleaved rounds,
# and each one's round trips/s in the same round.
#
#   bench/bench-floor.sh [BUILD_DIR]    env: CPU=1 SECS=3 ROUNDS=5
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$top/bench/lib.sh"
build=${1:-$top/build}
cpu=${CPU:-1}
secs=${SECS:-3}
rounds=${ROUNDS:-5}
rt=$build/rtnoise
pp=$build/bench/rtnoise_pingpong
floor=$build/bench/rtnoise_floor
levels=(empty count clock filter ring)

for b in "$pp" "$floor" "$rt"; do
	[ -x "$b" ] || { echo "bench-floor.sh: build first ($b missing)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench-floor.sh: must run as root" >&2; exit 1; }
"$rt" detach >/dev/null 2>&1 || true

out=$(mktemp -d)
holder=
cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
	"$rt" detach >/dev/null 2>&1 || true
	sysctl -qw kernel.bpf_stats_enabled=0
	rm -rf "$out"
}
trap cleanup EXIT

# measure NAME PROG - a ping-pong run with the stats on; appends
# "ns_per_event round_trips" of PROG to OUT/NAME
measure() {
	local rate
	sysctl -qw kernel.bpf_stats_enabled=1
	rate=$("$pp" "$cpu" "$secs" | awk '{print $2}')
	bpftool prog show name "$2" -j >"$out/stats"
	sysctl -qw kernel.bpf_stats_enabled=0
	python3 - "$out/stats" "$rate" >>"$out/$1" <<'PY'
import json, sys
progs = json.load(open(sys.argv[1]))
progs = progs if isinstance(progs, list) else [progs]
cnt = sum(p.get("run_cnt", 0) for p in progs)
ns = sum(p.get("run_time_ns", 0) for p in progs)
print(f"{ns / cnt if cnt else 0:.1f} {sys.argv[2]}")
PY
}

for r in $(seq "$rounds"); do
	for l in "${levels[@]}"; do
		"$floor" "$l" "$cpu" >"$out/attached" &
		holder=$!
		for _ in $(seq 100); do grep -q attached "$out/attached" && break; sleep 0.05; done
		grep -q attached "$out/attached" || { echo "bench-floor.sh: rtnoise_floor $l did not attach" >&2; exit 1; }
		measure "$l" "floor_$l"
		kill "$holder"
		wait "$holder" || true
		holder=
	done
	"$rt" attach --cpus "$cpu" --no-sampler >/dev/null
	measure rtnoise sched_switch_btf
	"$rt" detach >/dev/null
	printf 'round %d:' "$r" >&2
	for l in "${levels[@]}" rtnoise; do printf ' %s %s' "$l" "$(tail -n 1 "$out/$l" | cut -d' ' -f1)" >&2; done
	echo >&2
done

echo "kernel $(uname -r), CPU $cpu, $secs s x $rounds interleaved rounds, bpf_stats on"
printf '%-8s %12s %10s %18s\n' program ns/event "+ step" "round trips/s"
prev=0
for l in "${levels[@]}" rtnoise; do
	ns=$(cut -d' ' -f1 "$out/$l" | median)
	rate=$(cut -d' ' -f2 "$out/$l" | median)
	printf '%-8s %12.1f %+10.1f %18.0f\n' "$l" "$ns" "$(awk "BEGIN{print $ns - $prev}")" "$rate"
	prev=$ns
done
