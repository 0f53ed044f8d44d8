#!/usr/bin/env bash
# guest-attribution.sh - the BPF side's VM test, run inside a guest with
# CPUs 2-3 isolated: inject known disturbances on CPU 3 (work queued on
# every CPU, an IRQ steered onto it, a timer-driven process, IPIs from CPU
# 0, a SCHED_FIFO hog) and check the report names each with its kind and
# identity and, where the cause is on another CPU, its origin; the hog
# among the causes of the spikes it made, nothing counted twice, a busy
# and nothing left behind by detach.
#   guest-attribution.sh BUILD_DIR OUT_DIR
set -u
build=$1
outdir=$2
# shellcheck source=lib.sh
. "$(dirname "$(realpath "$0")")/lib.sh"
guest_args "$build" "$outdir"

# The sampler's period and how many files each read of /usr/share/doc
# takes: a slower guest (the debug kernel's) sets them so that CPU 3 is
# left time for the load steered onto it.
period=${RTNOISE_TEST_PERIOD:-1ms}
files=${RTNOISE_TEST_FILES:-3000}

baseline=$(bpf_progs)
expect_ok "attach with BPF" "$rt" attach --cpus 2,3 --period "$period" \
	--threshold 5ms --hist-us 20000 --events 65536
check "links and maps pinned" test -d /sys/fs/bpf/rtnoise/links -a -e /sys/fs/bpf/rtnoise/sources
check "programs loaded" test "$(bpf_progs)" -gt "$baseline"
expect_fail "second BPF attach refused" 3 "already attached" \
	"$rt" attach --cpus 2 --no-sampler

# --- disturbances on CPU 3 --------------------------------------------------
# An IRQ steered onto CPU 3: every virtio queue, then file I/O.
steer_irqs 3
find /usr/share/doc -type f 2>/dev/null | head "-$files" | xargs cat >/dev/null 2>&1
want_irq=$(printf 'irq:%s:|' "${steered[@]}")
want_irq=${want_irq%|}
echo "steered onto CPU 3: IRQs ${steered[*]}"

# Work queued on every CPU (schedule_on_each_cpu).
for _ in 1 2 3; do
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	sleep 0.2
done

# A timer-driven process and IPIs from CPU 0, together; then a hog alone.
"$disturb" timer 3 2000 3 &
t1=$!
"$disturb" pingpong 3 0 3 &
t2=$!
wait "$t1" "$t2"
"$disturb" hog 3 40 300 4

expect_ok "report json" "$rt" report --format json
echo "$out" >"$outdir/attribution.json"
expect_ok "every injected disturbance named on CPU 3" \
	"$checker" attribution "$outdir/attribution.json" 3 \
	"workqueue:refresh_vm_stats" \
	"$want_irq" \
	"thread:noise-timer:" "hrtimer:hrtimer_wakeup" \
	"thread:noise-pong:" "ipi:" \
	"thread:noise-hog:" "cause=thread:noise-hog:" \
	"origin=thread:noise-pong:<noise-ping@remote" \
	"origin=ipi:<noise-ping@remote" \
	"origin=hrtimer:hrtimer_wakeup<noise-timer" \
	"origin=workqueue:refresh_vm_stats<@remote"
echo "$out"
expect_ok "nothing counted twice on CPU 2" \
	"$checker" attribution "$outdir/attribution.json" 2
expect_ok "report text" "$rt" report --top 5
if grep -q "CPU 3 noise:" <<<"$out" && grep -q "noise-hog" <<<"$out"; then
	ok "text report has the noise budget and the hog"
else
	ko "text report: $out"
fi
echo "$out" | head -60
expect_ok "--workload keeps a thread out of the noise" \
	"$rt" report --format json --workload noise-hog
if grep -q '"noise-hog:' <<<"$out"; then ko "noise-hog still reported"; else ok "noise-hog left out"; fi

restore_irqs

# --- detach leaves nothing behind -------------------------------------------
expect_ok "detach" "$rt" detach
check "pins removed" test ! -e /sys/fs/bpf/rtnoise
check "programs unloaded" wait_progs "$baseline"

# --- every spike explained when it is recorded -------------------------------
# A busy CPU whose rings wrap, read while it is busy: the event history
# and spike ring at attach's defaults, CPU 3 kept busy (its
# IRQs, file I/O, a timer process, vmstat work) and held by two SCHED_FIFO
# hogs above the sampler (99, then 96) that name themselves once on the
# CPU, the second one still running while the report reads the rings. The
# sampler goes on recording while it is read: every spike it kept must
# still have the causes joined when it was recorded, or be counted with
# the reason why not; the hogs must lead the spikes of their bursts.
expect_ok "attach at the default ring sizes" "$rt" attach --cpus 2,3 \
	--period "$period" --threshold 2ms --hist-us 20000
# The kernel memory of the BPF side as the kernel accounts it (each
# pinned map's bytes_memlock): what grows with the watched CPUs, per CPU,
# within 2 MiB with the module's share (attach's arithmetic, exact).
for f in /sys/fs/bpf/rtnoise/*; do
	[ -f "$f" ] && bpftool map show pinned "$f" -j
done >"$outdir/maps.jsonl"
expect_ok "BPF maps of a watched CPU within 2 MiB beside the module's" python3 -c '
import json, sys
maps = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
grows = ("events", "causes", "cpu_sources", "wl_spikes")
per_cpu = sum(m["bytes_memlock"] for m in maps if m["name"] in grows) / 2
shared = sum(m["bytes_memlock"] for m in maps if m["name"] not in grows)
module = 2 * (1000 * 8 + 1024 * 56)	# RTNOISE_CPU_BYTES at the defaults
for m in sorted(maps, key=lambda m: -m["bytes_memlock"]):
    print("kernel_memory: map %s: %d entries, %d bytes" %
          (m["name"], m["max_entries"], m["bytes_memlock"]))
print("kernel_memory: per watched CPU %d bytes of maps + %d of the module "
      "(at --hist-us 1000) = %.2f MiB; shared %.2f MiB" %
      (per_cpu, module, (per_cpu + module) / 2**20, shared / 2**20))
sys.exit(0 if per_cpu + module <= 2 << 20 else 1)
' "$outdir/maps.jsonl"
echo "$out"
steer_irqs 3
sysctl -qw kernel.bpf_stats_enabled=1	# the spike-time program's cost
"$disturb" timer 3 2000 40 &
t1=$!
(
	end=$((SECONDS + 40))
	while [ "$SECONDS" -lt "$end" ]; do
		find /usr/share/doc -type f 2>/dev/null | head "-$((files / 2))" | xargs cat >/dev/null 2>&1
		echo 3 >/proc/sys/vm/drop_caches
		echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	done
) &
t2=$!
# The hogs log their bursts to memory: a write to the host's share would
# block each burst's end there, and be the stack the spikes show.
hogs=$(mktemp -d /run/rtnoise-hogs.XXXXXX)
bursts=$("$disturb" hog 3 5 40 8 99 "$hogs/hog99.txt")
echo "the first hog (FIFO 99, 5 ms every 45 ms) ran $bursts bursts"
"$disturb" hog 3 7 60 600 96 "$hogs/hog96.txt" >/dev/null &
t3=$!
sleep 15
# A full history of a busy CPU, every spike joined: under TCG on a loaded
# host this report has taken 20 s to over 120 s (the default limit).
RUN_TIMEOUT=600 expect_ok "report of a busy CPU while its rings wrap" "$rt" report --format json
echo "$out" >"$outdir/spiketime.json"
kill "$t3" 2>/dev/null
wait "$t1" "$t2" "$t3"
cp "$hogs"/hog*.txt "$outdir/" && rm -rf "$hogs"
restore_irqs
bpftool prog show -j 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    name, runs, ns = p.get("name"), p.get("run_cnt", 0), p.get("run_time_ns", 0)
    if name in ("rtnoise_spike_raw", "sched_switch_btf") and runs:
        print("bpf_stats: %s %d runs, %.1f us/run (TCG)" % (name, runs, ns / runs / 1000))
'
sysctl -qw kernel.bpf_stats_enabled=0
expect_ok "every kept spike joined or counted, the hogs leading theirs by name" \
	"$checker" spiketime "$outdir/spiketime.json" 3 "$outdir/hog99.txt" "$outdir/hog96.txt"
echo "$out"
expect_ok "text report" "$rt" report --top 3
echo "$out" | sed -n '/^Spikes/,$p' | head -40
expect_ok "detach after the spike-time run" "$rt" detach
check "programs unloaded after the spike-time run" wait_progs "$baseline"

# The BPF side alone beside a busy loop, and attach --duration with BPF,
# run on the build host instead (tests/native/bpf-host.sh): a spinning
# vCPU holds single-threaded TCG's only thread.

finish "$outdir"
