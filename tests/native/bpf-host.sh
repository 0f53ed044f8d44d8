#!/usr/bin/env bash
# bpf-host.sh - the BPF side on this machine's own kernel, without the
# module (as on a host that cannot load modules): what needs a CPU to keep
# running, which a TCG guest cannot afford, since a spinning vCPU there
# holds the emulator's only thread (an attach then takes many minutes).
#
# A busy loop started before attach on the last CPU must be seen by attach
# and charged by report while it still runs; a timer process must be named,
# and so must a process that calls itself as the sampler's threads are;
# a stale parked entry must be dropped, not reopened, and an IPI frame
# whose exit was lost dropped at the next tick; detach and attach
# --duration must leave no programs or pins behind, and attach --duration
# --budget must judge its report.
#   bpf-host.sh BUILD_DIR OUT_DIR
# Needs root; exits 77 (skipped) without. Mounts bpffs if it is not.
set -u
build=$1
outdir=$2
here=$(dirname "$(realpath "$0")")
# shellcheck source=../vm/lib.sh
. "$here/../vm/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "bpf-host.sh: skipped: needs root"
	exit 77
fi
# A host that booted without it (a container, a minimal init) gets bpffs
# for this run, as attach would mount it.
mounted=""
if ! mountpoint -q /sys/fs/bpf; then
	mount -t bpf bpf /sys/fs/bpf || { echo "bpf-host.sh: cannot mount bpffs"; exit 1; }
	mounted=1
fi
if [ -e /sys/fs/bpf/rtnoise ]; then
	echo "bpf-host.sh: rtnoise is attached on this host: run 'rtnoise detach' first"
	exit 1
fi
mkdir -p "$outdir"
rt=$build/rtnoise
disturb=$build/tests/rtnoise_disturb
checker=$here/../vm/check_report.py

# The CPU under test is the last one; the CLI and the checks stay off it.
cpu=$(sed 's/.*[-,]//' /sys/devices/system/cpu/online)
home=0
[ "$cpu" -eq 0 ] && { echo "bpf-host.sh: skipped: one CPU only"; exit 77; }
own=(taskset -c "$home")
# This shell too: a child it forks must not run on the CPU under test
# before it is what it is to be (a source is named when first seen).
taskset -pc "$home" $$ >/dev/null

spin=""
cleanup() {
	[ -n "$spin" ] && kill "$spin" 2>/dev/null
	[ -e /sys/fs/bpf/rtnoise ] && "$rt" detach >/dev/null 2>&1
	[ -n "$mounted" ] && umount /sys/fs/bpf
}
trap cleanup EXIT

baseline=$(bpf_progs)
"${own[@]}" "$disturb" spin "$cpu" 0 &
spin=$!
sleep 1
expect_ok "attach --no-sampler beside a busy loop" "${own[@]}" "$rt" attach --cpus "$cpu" --no-sampler
"${own[@]}" "$disturb" timer "$cpu" 1000 2
# A process that takes the sampler's threads' name is noise all the same.
"${own[@]}" "$disturb" spin "$cpu" 2 rtnoise/evil
# This CPU is shared: at the instant a report reads it, another task may
# hold it. The spin must be charged as running in one of a few reports
# (on a busy host, with autogroups, it may hold the CPU a fraction of the
# time only: run this test alone).
for try in 1 2 3 4 5; do
	expect_ok "report without the sampler (try $try)" "${own[@]}" "$rt" report --format json
	echo "$out" >"$outdir/bpf-only.json"
	run "${own[@]}" "$checker" attribution "$outdir/bpf-only.json" "$cpu" \
		"thread:noise-timer:" "running=thread:noise-spin:" "thread:rtnoise/evil:"
	[ "$st" -eq 0 ] && break
	sleep 0.5
done
if [ "$st" -eq 0 ]; then
	ok "BPF-only report names the timer process, the running spin and rtnoise/evil"
else
	ko "BPF-only report names the timer process, the running spin and rtnoise/evil: $out"
fi
echo "$out"
# An IPI whose entry ran while attach was enabling its exit's tracepoint
# (the IPIs that patch the code) has no exit: its frame, planted here,
# must be dropped at the next system vector (a tick of the spin's CPU),
# not keep the CPU's time until the report.
expect_ok "plant an IPI frame whose exit was lost" \
	"${own[@]}" "$build/tests/rtnoise_plant" frame /sys/fs/bpf/rtnoise "$cpu" 1
sleep 1
expect_ok "report after an IPI frame whose exit was lost" "${own[@]}" "$rt" report --format json
echo "$out" >"$outdir/vectors.json"
expect_ok "the IPI frame whose exit was lost is dropped" \
	"${own[@]}" "$checker" vectors "$outdir/vectors.json" "$cpu"
echo "$out"
kill "$spin" 2>/dev/null
wait "$spin" 2>/dev/null
spin=""

# A thread's parked contexts are its own only until it runs elsewhere: a
# kworker that finished the work item on another CPU, or a task whose
# pid a new one took, leaves an entry its next switch here must drop,
# not reopen (the thread's time would be the old item's). The entry is
# planted, as no work item can be made to sleep here from user space.
"${own[@]}" "$disturb" spin "$cpu" 3 noise-stale &
spin=$!
sleep 0.5
fn=$(awk '$3 == "schedule" { print "0x" $1; exit }' /proc/kallsyms)
expect_ok "plant a stale parked entry" \
	"${own[@]}" "$build/tests/rtnoise_plant" parked /sys/fs/bpf/rtnoise "$spin" "$cpu" "${fn:-1}"
# The timer's wake-ups switch the spin out and back in.
"${own[@]}" "$disturb" timer "$cpu" 1000 2
wait "$spin" 2>/dev/null
spin=""
expect_ok "report after a stale parked entry" "${own[@]}" "$rt" report --format json
echo "$out" >"$outdir/stale.json"
expect_ok "the stale parked entry is dropped, not reopened" \
	"${own[@]}" "$checker" stale "$outdir/stale.json" "$cpu"
echo "$out"
expect_ok "detach BPF only" "${own[@]}" "$rt" detach
check "pins removed" test ! -e /sys/fs/bpf/rtnoise
check "programs unloaded" wait_progs "$baseline"

run "${own[@]}" "$rt" attach --cpus "$cpu" --no-sampler --duration 3s --format json
echo "$out" | sed -n '/^{/,$p' >"$outdir/duration-bpf.json"
if [ "$st" -eq 0 ] && grep -q '"attribution": true' "$outdir/duration-bpf.json"; then
	ok "attach --duration reports causes"
else
	ko "attach --duration: exit $st: $out"
fi
check "--duration leaves no pins" test ! -e /sys/fs/bpf/rtnoise
check "--duration leaves no programs" wait_progs "$baseline"

# attach --duration judges its report as report does: a busy loop on the
# CPU breaks a budget of 1 us/s of noise (exit 1, the limit named, still
# detached); a limit on a source that is not there holds (this host's
# CPU is shared: no limit on its noise holds for sure).
printf 'noise: {us_per_s: 1}\n' >"$outdir/tight.yaml"
printf 'sources:\n  - {kind: irq, name: "no-such-irq", us_per_s: 1}\n' >"$outdir/loose.yaml"
"${own[@]}" "$disturb" spin "$cpu" 0 &
spin=$!
run "${own[@]}" "$rt" attach --cpus "$cpu" --no-sampler --duration 2s --budget "$outdir/tight.yaml"
kill "$spin"
wait "$spin" 2>/dev/null
spin=""
if [ "$st" -eq 1 ] && grep -q "limit(s) exceeded" <<<"$out" && grep -q "noise.us_per_s" <<<"$out"; then
	ok "attach --duration --budget: a broken budget exits 1 and names the limit"
else
	ko "attach --duration --budget (tight): exit $st: $out"
fi
check "a broken budget still detaches" test ! -e /sys/fs/bpf/rtnoise
run "${own[@]}" "$rt" attach --cpus "$cpu" --no-sampler --duration 2s --budget "$outdir/loose.yaml"
if [ "$st" -eq 0 ] && grep -q "every limit holds" <<<"$out"; then
	ok "attach --duration --budget: a budget that holds exits 0"
else
	ko "attach --duration --budget (loose): exit $st: $out"
fi
check "--budget leaves no programs" wait_progs "$baseline"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
