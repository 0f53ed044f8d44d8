#!/usr/bin/env bash
# guest-compare.sh - two runs with BPF on CPUs 2-3, before and after
# partition --isolate 2-3, in a guest booted with CPUs 2-3 isolated: the
# first with every virtio queue's IRQ steered onto CPU 3, both with the
# same file I/O. A budget of those IRQs on CPU 3 must fail the first run
# (report --budget exits 1) and hold in the second (exit 0); compare (text,
# JSON, HTML) must show them gone from CPU 3; every value partition may
# touch is back afterwards.
#   guest-compare.sh BUILD_DIR OUT_DIR
set -u
build=$1
outdir=$2
# shellcheck source=lib.sh
. "$(dirname "$(realpath "$0")")/lib.sh"
guest_args "$build" "$outdir"

# An attach with BPF under TCG on a loaded host takes minutes.
export RUN_TIMEOUT=600

# The first run has every virtio queue's IRQ steered onto CPU 3 and file I/O;
# the second, the same I/O after partition --isolate 2-3 moved those IRQs to
# CPUs 0-1. A budget of at most 5 us/s for each of them on CPU 3 must fail
# the first run (report --budget exits 1) and hold in the second (exit 0),
# and compare must show them gone from CPU 3.
# The snapshot before anything is steered: the IRQs go back to where they
# were at the end.
snap >"$outdir/before.snap"
steer_irqs 3
echo "steered onto CPU 3: IRQs ${steered[*]}"
check "some virtio IRQ steered onto CPU 3" test "${#steered[@]}" -gt 0
budget=$outdir/budget.yaml
{
	echo "# the virtio IRQs steered onto CPU 3 in the first run"
	echo "sources:"
	for n in "${steered[@]}"; do
		echo "  - {kind: irq, name: \"$n:*\", cpu: 3, us_per_s: 5}"
	done
} >"$budget"
file_io() {
	echo 3 >/proc/sys/vm/drop_caches
	find /usr/share/doc -type f 2>/dev/null | head -300 | xargs cat >/dev/null 2>&1
}
attach_bpf() {
	expect_ok "attach ($1)" "$rt" attach --cpus 2,3 --period 1ms \
		--threshold 5ms --hist-us 20000 --events 65536
}

attach_bpf "IRQs steered onto CPU 3"
file_io
expect_ok "report before isolation" "$rt" report --format json --output "$outdir/before.json"
run "$rt" report --budget "$budget"
if [ "$st" -eq 1 ] && grep -qE 'sources\[[0-9]+\]' <<<"$out"; then
	ok "report --budget before isolation: exit 1, the steered IRQs over budget"
else
	ko "report --budget before isolation: exit $st (want 1): $out"
fi
grep -E 'budget|sources\[' <<<"$out"
expect_ok "detach (before)" "$rt" detach

expect_ok "partition --isolate 2-3 (for the second run)" "$rt" partition --isolate 2-3
moved=0
for n in "${steered[@]}"; do
	[ "$(cat "/proc/irq/$n/smp_affinity_list")" = 0-1 ] && moved=$((moved + 1))
done
check "partition moved the steered IRQs to CPUs 0-1 ($moved of ${#steered[@]})" \
	test "$moved" -eq "${#steered[@]}"
file_io	# each IRQ fires once more where it was: its move completes there
attach_bpf "isolated"
file_io
expect_ok "report after isolation" "$rt" report --format json --output "$outdir/after.json"
run "$rt" report --budget "$budget"
if [ "$st" -eq 0 ]; then
	ok "report --budget after isolation: exit 0"
else
	ko "report --budget after isolation: exit $st (want 0): $out"
fi
expect_ok "detach (after)" "$rt" detach
expect_ok "partition --restore (after the second run)" "$rt" partition --restore
restore_irqs
check "every value is back after the two runs" same_as_before

expect_ok "compare" "$rt" compare "$outdir/before.json" "$outdir/after.json"
echo "$out" | sed -n '/^Noise by source/,/^$/p'
check "compare text marks a steered IRQ vanished from CPU 3" \
	grep -qE "^ +3 irq +($(IFS='|'; echo "${steered[*]}")):.* vanished" <<<"$out"
expect_ok "compare --format json" "$rt" compare --format json \
	"$outdir/before.json" "$outdir/after.json"
echo "$out" >"$outdir/compare.json"
if out=$(python3 - "$outdir/compare.json" "${steered[@]}" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
irqs = sys.argv[2:]
rows = [s for s in c["sources"] if s["cpu"] == 3 and s["kind"] == "irq"
        and s["name"].split(":")[0] in irqs]
bad = [f'{s["name"]}: {s["presence"]}, after {s["us_per_s"]["after"]} us/s'
       for s in rows if s["presence"] != "vanished"
       and (s["us_per_s"]["after"] or 0) > 5]
for s in rows:
    print(f'CPU 3 irq {s["name"]}: {s["presence"]}, us/s '
          f'{s["us_per_s"]["before"]} -> {s["us_per_s"]["after"]}')
if not any(s["presence"] == "vanished" for s in rows):
    bad.append("no steered IRQ vanished from CPU 3")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
); then
	ok "compare json: the steered IRQs vanished from CPU 3"
else
	ko "compare json: $out"
fi
echo "$out"
expect_ok "compare --format html" "$rt" compare --format html \
	--output "$outdir/compare.html" "$outdir/before.json" "$outdir/after.json"
check "the compare page: a histogram plot per CPU and latency type" \
	test "$(grep -c '<svg [^>]*class="histogram"' "$outdir/compare.html")" -eq 4
run "$rt" compare --budget "$budget" "$outdir/before.json" "$outdir/after.json"
check "compare --budget judges the run after: exit 0" test "$st" -eq 0
run "$rt" compare --budget "$budget" "$outdir/after.json" "$outdir/before.json"
check "compare --budget with the runs swapped: exit 1" test "$st" -eq 1

finish "$outdir"
