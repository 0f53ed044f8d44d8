#!/usr/bin/env bash
# run.sh - run one libFuzzer target for a bounded time on a copy of its
# seed corpus (the tree is never written), as the fuzz_<name> ctest tests do.
#
#   tests/fuzz/run.sh FUZZER CORPUS_DIR SECONDS [ARTIFACT_DIR]
#
# A crash, a sanitizer report or a failed property is kept as
# ARTIFACT_DIR/crash-* (default: the current directory), and the command
# that replays it is printed. Fails if the fuzzer is missing or ran
# nothing: a missing libFuzzer must not pass for a clean run.
set -euo pipefail

if [ $# -lt 3 ]; then
	echo "usage: $0 FUZZER CORPUS_DIR SECONDS [ARTIFACT_DIR]" >&2
	exit 2
fi
fuzzer=$1 corpus=$2 seconds=$3 artifacts=${4:-$PWD}
name=$(basename "$fuzzer")

if [ ! -x "$fuzzer" ]; then
	echo "$name: $fuzzer is not built (the fuzz_build test builds it)" >&2
	exit 1
fi
if [ ! -d "$corpus" ]; then
	echo "$name: no seed corpus $corpus" >&2
	exit 1
fi

# The tree targets rewrite files on every input: on tmpfs when there is one.
tmp=${TMPDIR:-/tmp}
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	tmp=/dev/shm
fi
work=$(mktemp -d "$tmp/rtnoise-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/tmp" "$artifacts"
cp -r "$corpus/." "$work/corpus/"

# The targets keep their scratch files under TMPDIR: in $work, removed
# even after a crash.
status=0
TMPDIR=$work/tmp \
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	"$fuzzer" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$artifacts/" "$work/corpus" \
	>"$work/log" 2>&1 || status=$?

if [ "$status" -ne 0 ]; then
	tail -n 60 "$work/log" >&2
	for a in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*; do
		[ -e "$a" ] && echo "$name: replay with: $fuzzer $a" >&2
	done
	exit "$status"
fi

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -n 1 || true)
if [ -z "$runs" ] || [ "$runs" -eq 0 ]; then
	tail -n 30 "$work/log" >&2
	echo "$name: the fuzzer ran no input" >&2
	exit 1
fi
new=$(($(find "$work/corpus" -type f | wc -l) - $(find "$corpus" -type f | wc -l)))
echo "$name: $runs inputs in ${seconds}s ($speed/s), $cov, $new new inputs, nothing found"
