#!/usr/bin/env python3
"""check_report.py - assertions on rtnoise reports for the VM tests.

  counts FILE CPUS            sample counts agree with duration / period
  cyclictest FILE N [REF]     a cyclictest -h histogram with N columns
                              parses as plotting scripts parse it; with
                              REF, its line structure equals REF's
  hotplug OFF ON CPU          CPU was not sampled while offline, and was
                              again once back online
  hotplug-count FILE CPU N    at least N offline periods of CPU counted,
                              and CPU sampling now
  spiketime FILE CPU [min=N] BURSTS..
                              every spike the ring kept was explained when
                              it was recorded although CPU's event history
                              wrapped, or is counted with the reason why
                              not (none lost to spikes recorded while the
                              report read); at least 80% of the hog's
                              bursts (each BURSTS file of disturb hog) that
                              held the sampler beyond the threshold, of
                              those the kept spikes cover, made a thread
                              spike whose largest cause is noise-hog, with
                              a stack, of at least N bursts (5); some spike
                              names idle with a state
  workload FILE HIST CPU BURSTS [THRESHOLD_US]
                              the workload thread cyclictest on CPU agrees
                              with cyclictest's own histogram HIST (cycles
                              within 1 %, percentiles, less cyclictest's
                              mean path from the switch to its clock read,
                              within a bucket, 15 % or half that path),
                              rtnoise's samples over THRESHOLD_US (2000)
                              within 15 % of cyclictest's over it plus
                              0.5-1.5 times that path, its spikes explained,
                              each one a hog burst (BURSTS) covers for
                              1 ms naming noise-hog
  poller FILE CPU COMM        COMM, never sleeping on CPU, was preempted
                              and interrupted, and its interruptions over
                              the threshold are explained, by noise-hog
                              among others
  joined FILE CPU             CPU has spikes, each explained when it was
                              recorded (or counted with a reason that is
                              not a fault: recorded before BPF attached);
                              some thread spike led by noise-hog with a
                              stack. Where bpf_limits say the kernel
                              cannot join at spike time (no_bpf_loop,
                              join_refused), none is joined and each
                              says "unsupported", and no stack is asked
  attribution FILE CPU WANT.. the sources of CPU include each WANT
                              ("kind:name-prefix", alternatives split by
                              "|"); a WANT of "cause=kind:prefix" must be
                              a cause of one of CPU's spikes instead;
                              "origin=KIND:PREFIX<COMM[@remote]" a source
                              caused by COMM (from another CPU);
                              "running=KIND:PREFIX" a thread still on the
                              CPU when the report was read; every
                              spike's causes and remainder add up to its
                              latency and no CPU has more noise than time
  spikefiles FILE DIR N [CPU]  DIR holds N spike.*.json files that
                              --on-spike wrote, each a spike of the
                              report FILE (same CPU, type, seq, times;
                              the same causes where both were joined at
                              spike time), each cause.* file beside it
                              the "kind name" of its largest cause; with
                              CPU, one of them on CPU led by noise-hog
  frozen A B                  two reports of a stopped run (A before B)
                              hold the same spikes and sample counts
  stale FILE CPU              a stale parked entry planted on CPU was
                              dropped (noise.parked_stale), not reopened:
                              under 100 ms of work items there
  vectors FILE CPU            an IPI frame planted open on CPU was
                              dropped at the next system vector: under
                              100 ms of IPIs there

Exit status 0 when every assertion holds; each failure is printed.
"""
import json
import os
import re
import sys

failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


def cpus_of(report):
    return {c["cpu"]: c for c in report["cpus"]}


def counts(path, cpulist):
    rep = json.load(open(path))
    expected = rep["duration_ns"] / rep["period_ns"]
    expect(expected >= 1000, f"ran only {expected:.0f} periods")
    by_cpu = cpus_of(rep)
    for cpu in (int(c) for c in cpulist.split(",")):
        expect(cpu in by_cpu, f"CPU {cpu} missing from the report")
        if cpu not in by_cpu:
            continue
        irq, thr = by_cpu[cpu]["irq"], by_cpu[cpu]["thread"]
        periods = thr["count"] + thr["missed_periods"]
        print(f"CPU {cpu}: {thr['count']} thread samples + "
              f"{thr['missed_periods']} missed periods, {irq['count']} irq "
              f"samples, {expected:.0f} periods elapsed; thread avg "
              f"{thr['avg_ns'] / 1000:.0f} us max {thr['max_ns'] / 1000:.0f} us")
        # Every elapsed period is either sampled or counted as missed.
        expect(0.9 * expected - 2 <= periods <= expected + 2,
               f"CPU {cpu}: {periods} periods accounted, {expected:.0f} elapsed")
        # A sampler that takes (almost) no samples fails, even under TCG
        # (a fifth of the periods; the debug kernel's guest, five times
        # slower, sets its own floor in RTNOISE_MIN_SAMPLED).
        floor = float(os.environ.get("RTNOISE_MIN_SAMPLED", "0.2"))
        expect(thr["count"] >= floor * expected,
               f"CPU {cpu}: only {thr['count']} thread samples "
               f"(under {floor:g} of {expected:.0f} periods)")
        # The IRQ sample of a period is taken just before its thread
        # sample. A stopped sampler's counts are final; a running one's
        # two counters are read a moment apart.
        slack = 1 if rep["state"] == "stopped" else 0.01 * thr["count"] + 2
        expect(abs(irq["count"] - thr["count"]) <= slack,
               f"CPU {cpu}: {irq['count']} irq vs {thr['count']} thread samples")
        for name, lat in (("irq", irq), ("thread", thr)):
            in_hist = sum(lat["histogram_us"].values())
            expect(abs(in_hist + lat["overflows"] - lat["count"]) <=
                   (0 if rep["state"] == "stopped" else slack),
                   f"CPU {cpu} {name}: histogram {in_hist} + overflows "
                   f"{lat['overflows']} != count {lat['count']}")
            expect(lat["min_ns"] <= lat["avg_ns"] <= lat["max_ns"],
                   f"CPU {cpu} {name}: min/avg/max out of order")
        expect(thr["min_ns"] >= irq["min_ns"],
               f"CPU {cpu}: the thread woke before its own IRQ")


def parse_cyclictest(path, n):
    """Read a histogram as the OSADL plot scripts do: rows are the lines
    that are neither comments nor empty, the summary from '# Max ...'."""
    text = open(path).read()
    rows, summary, kinds = [], {}, []
    for line in text.split("\n"):
        if line.startswith("#"):
            key = line.split(":")[0]
            kinds.append(key)
            summary[key] = line[len(key) + 1:].split()
        elif line:
            kinds.append("row")
            expect(re.fullmatch(r"\d{6} \d{6}(\t\d{6})*", line) is not None,
                   f"{path}: bad row {line!r}")
            rows.append([int(v) for v in line.replace("\t", " ").split()])
    expect(text.endswith("\n\n"), f"{path}: does not end with an empty line")
    for r in rows:
        expect(len(r) == n + 1, f"{path}: row with {len(r) - 1} columns")
    for key, width in (("# Total", 9), ("# Min Latencies", 5),
                       ("# Avg Latencies", 5), ("# Max Latencies", 5),
                       ("# Histogram Overflows", 5)):
        vals = summary.get(key, [])
        expect(len(vals) == n, f"{path}: {key} has {len(vals)} values")
        expect(all(re.fullmatch(r"\d{%d,}" % width, v) for v in vals),
               f"{path}: {key} values {vals}")
    for i in range(min(n, len(summary.get("# Total", [])))):
        col = sum(r[i + 1] for r in rows)
        expect(col == int(summary["# Total"][i]),
               f"{path}: column {i} sums to {col}, Total says "
               f"{summary['# Total'][i]}")
    threads = [k for k in kinds if k.startswith("# Thread")]
    expect(len(threads) == n, f"{path}: {len(threads)} '# Thread' lines")
    return kinds, rows


def cyclictest(path, n, ref=None):
    n = int(n)
    kinds, rows = parse_cyclictest(path, n)
    expect(len(rows) > 0, f"{path}: no histogram rows")
    if ref:
        ref_kinds, _ = parse_cyclictest(ref, n)
        expect(kinds == ref_kinds,
               f"{path}: line structure differs from cyclictest's")


def hotplug(off_path, on_path, cpu):
    cpu = int(cpu)
    off = cpus_of(json.load(open(off_path)))[cpu]
    on = cpus_of(json.load(open(on_path)))[cpu]
    expect(not off["sampling"], f"CPU {cpu} still sampling while offline")
    expect(off["hotplug_offline"] >= 1, f"CPU {cpu} offline not counted")
    expect(on["sampling"], f"CPU {cpu} not sampling after coming back")
    expect(on["thread"]["count"] > off["thread"]["count"],
           f"CPU {cpu}: no samples after coming back online "
           f"({off['thread']['count']} -> {on['thread']['count']})")


def hotplug_count(path, cpu, at_least):
    cpu, at_least = int(cpu), int(at_least)
    c = cpus_of(json.load(open(path)))[cpu]
    expect(c["hotplug_offline"] >= at_least,
           f"CPU {cpu}: {c['hotplug_offline']} offline periods counted, "
           f"expected at least {at_least}")
    expect(c["sampling"], f"CPU {cpu} not sampling after the cycles")


def matches(kind, name, want):
    for alt in want.split("|"):
        wkind, _, prefix = alt.partition(":")
        if kind == wkind and name.startswith(prefix):
            return True
    return False


def read_bursts(path):
    """The hog's bursts: (start_ns, end_ns) per line of disturb's FILE."""
    out = []
    with open(path) as f:
        for line in f:
            a, b = line.split()
            out.append((int(a), int(b)))
    return out


def spiketime(path, cpu, *burst_files):
    least = 5
    if burst_files and burst_files[0].startswith("min="):
        least = int(burst_files[0][len("min="):])
        burst_files = burst_files[1:]
    rep = json.load(open(path))
    cpu = int(cpu)
    by_cpu = cpus_of(rep)
    c = by_cpu[cpu]
    lost = c["noise"]["events_lost"]
    print(f"CPU {cpu}: {lost} events overwritten in its history; "
          f"{len(rep['spikes'])} spikes kept on all CPUs")
    expect(lost > 0, f"CPU {cpu}: the event history did not wrap: the test "
           "does not test the spike-time join")
    # Every kept spike joined when it was recorded, or counted with why
    # not; none may have lost its join to the spikes recorded while the
    # report read the rings.
    for n, cc in by_cpu.items():
        mine = [s for s in rep["spikes"] if s["cpu"] == n]
        kinds, why = {}, {}
        for s in mine:
            kinds[s.get("explained")] = kinds.get(s.get("explained"), 0) + 1
            if s.get("explained") != "spike":
                r = s.get("join_missing")
                expect(r, f"CPU {n}: spike at {s['at_ns']} ({s['type']}) "
                       f"explained by {s.get('explained')} with no reason")
                why[r] = why.get(r, 0) + 1
        counted = {k: v for k, v in cc["noise"]["joins_missing"].items() if v}
        wrapped = cc["irq"]["spikes_lost"] + cc["thread"]["spikes_lost"]
        print(f"CPU {n}: spikes by how they were explained: {kinds}; without the "
              f"kernel's join: {why or 'none'}; {wrapped} older spikes overwritten")
        expect(counted == why, f"CPU {n}: counted {counted}, spikes say {why}")
        expect(not why.get("overwritten"), f"CPU {n}: {why.get('overwritten')} "
               "spikes lost their join to newer ones before the report read it")
        expect(not why.get("not_run") and not why.get("mismatch"),
               f"CPU {n}: spikes recorded while attached without a join: {why}")
    # Each burst of the hog that held the sampler's thread off beyond the
    # threshold (the burst less a period: the timer falls due in its first
    # period), among those the spike ring still covers, made a thread
    # spike that the hog leads, under the name it gave itself.
    threshold, period = rep["threshold_ns"], rep["period_ns"]
    mine = sorted((s for s in rep["spikes"] if s["cpu"] == cpu and s["type"] == "thread"),
                  key=lambda s: s["at_ns"])
    expect(mine, f"CPU {cpu}: no thread spike kept")
    if not mine:
        return
    oldest, newest = mine[0]["at_ns"], mine[-1]["at_ns"]
    hog_led = [s for s in mine if s["causes"] and s["causes"][0]["kind"] == "thread"
               and s["causes"][0]["name"].startswith("noise-hog:")]
    judged_all = 0
    for f in burst_files:
        bursts = read_bursts(f)
        judged = [b for b in bursts if b[1] - b[0] >= threshold + period + 1000000
                  and oldest <= b[0] and b[1] <= newest]
        led = [b for b in judged
               if any(s["at_ns"] < b[1] and s["observed_ns"] > b[0] for s in hog_led)]
        print(f"{os.path.basename(f)}: {len(bursts)} bursts, {len(judged)} held the "
              f"sampler beyond {threshold / 1e6:g} ms within the kept spikes, "
              f"{len(led)} of them lead a thread spike")
        judged_all += len(judged)
        expect(len(led) * 10 >= len(judged) * 8,
               f"{f}: the hog leads the spikes of {len(led)} of {len(judged)} bursts")
    expect(judged_all >= least, f"only {judged_all} bursts to judge: the test "
           "does not test the hogs")
    print(f"CPU {cpu}: {len(hog_led)} thread spikes led by noise-hog; stacks: " +
          "; ".join(" < ".join(s.get("stack", [])[:4]) for s in hog_led[:3]))
    # The stack is where the sampler's timer found the hog, or where the
    # hog left the CPU to the sampler's thread. A timer late enough to
    # fire after the hog slept (TCG) finds another context there, whose
    # stack is not the leading cause's: most, not all, have one.
    bare = [s["at_ns"] for s in hog_led if not s.get("stack")]
    print(f"CPU {cpu}: {len(bare)} of {len(hog_led)} hog spikes without a stack")
    expect(len(bare) * 10 <= len(hog_led),
           f"CPU {cpu}: {len(bare)} of {len(hog_led)} hog spikes have no stack: {bare[:5]}")
    named = [s for s in rep["sources"] if s["cpu"] == cpu and
             s["kind"] == "thread" and s["name"].startswith("rtnoise_distur")]
    expect(not named, f"CPU {cpu}: the hog still carries its program's name: "
           f"{[s['name'] for s in named]}")
    idle = [s for s in rep["spikes"]
            if any(x["kind"] == "idle" for x in s["causes"])]
    expect(idle, "no spike names idle")
    if idle:
        x = next(x for x in idle[0]["causes"] if x["kind"] == "idle")
        print(f"idle causes in {len(idle)} spikes, e.g. {x['name']} "
              f"{x['duration_ns'] / 1000:.0f} us of a "
              f"{idle[0]['latency_ns'] / 1000:.0f} us spike on CPU "
              f"{idle[0]['cpu']}")
        expect(re.search(r"state\d+", x["name"]), f"idle without its state: {x}")
    for s in rep["spikes"]:
        total = s["unexplained_ns"] + sum(x["duration_ns"] for x in s["causes"])
        expect(total == s["latency_ns"],
               f"spike at {s['at_ns']}: causes add up to {total}, latency "
               f"{s['latency_ns']}")
    smi = sum(1 for s in rep["spikes"] if s.get("smis"))
    print(f"SMI and steal causes: not judged here ({smi} spikes with SMIs): "
          "TCG's CPU model has no MSR_SMI_COUNT and TCG reports no steal "
          "time; unit tests cover their split and rendering")


def joined(path, cpu):
    rep = json.load(open(path))
    cpu = int(cpu)
    expect(rep["attribution"], "the report has no attribution")
    limits = [l["name"] for l in rep.get("bpf_limits", [])]
    print(f"BPF limits: {limits or 'none'}")
    # A kernel that cannot join at spike time must say so, and each
    # spike recorded while attached must say that is why it has no join.
    degraded = bool({"no_bpf_loop", "join_refused"} & set(limits))
    mine = [s for s in rep["spikes"] if s["cpu"] == cpu]
    expect(mine, f"CPU {cpu}: no spike kept")
    kinds, why = {}, {}
    for s in mine:
        how = s.get("explained")
        kinds[how] = kinds.get(how, 0) + 1
        if how != "spike":
            why[s.get("join_missing")] = why.get(s.get("join_missing"), 0) + 1
    print(f"CPU {cpu}: {len(mine)} spikes by how they were explained: {kinds}; "
          f"without the kernel's join: {why or 'none'}")
    noise = cpus_of(rep)[cpu]["noise"]
    # What the tracer could not count, each by its reason: on a kernel
    # with fetching atomics no program is ever skipped as nested; a
    # preempted one (7.0+) is redone, and counted.
    print(f"CPU {cpu}: incomplete: nested {noise.get('nested')}, preempted "
          f"{noise.get('preempted')}, too deep {noise['nesting_overflow']}, clamped "
          f"{noise['clamped']}, source drops {noise['source_drops']}, origin drops "
          f"{noise['origin_drops']}, parked lost {noise.get('parked_lost')}, parked "
          f"stale {noise.get('parked_stale')}")
    expect(not noise.get("parked_lost"), f"CPU {cpu}: sleeping threads' contexts "
           "not kept: the parked map was full")
    if "no_fetch_atomics" not in limits:
        expect(not noise.get("nested"), f"CPU {cpu}: programs skipped as nested on a "
               "kernel with fetching atomics")
    counted = {k: v for k, v in noise["joins_missing"].items() if v}
    expect(counted == why, f"CPU {cpu}: counted {counted}, spikes say {why}")
    if degraded:
        faults = {r: n for r, n in why.items() if r not in ("before_trace", "unsupported")}
        expect(not faults, f"CPU {cpu}: spikes without their join for another "
               f"reason than the kernel's limit: {faults}")
        expect(kinds.get("spike", 0) == 0, f"CPU {cpu}: spikes joined at spike time "
               "on a kernel said to be unable to")
        # Explained from the history at report time: all but those whose
        # events the ring no longer held.
        lost = sum(1 for s in mine if s.get("explained") == "none" and s.get("history_lost"))
        unexplained = kinds.get("none", 0) - lost
        print(f"CPU {cpu}: {lost} spikes older than the event ring's history")
        expect(not unexplained, f"CPU {cpu}: {unexplained} spikes not explained at all, "
               "though their events were kept")
    else:
        # Only spikes recorded before the BPF side was attached may lack
        # the join made when they were recorded.
        faults = {r: n for r, n in why.items() if r != "before_trace"}
        expect(not faults, f"CPU {cpu}: spikes recorded while attached without "
               f"their spike-time join: {faults}")
        expect(kinds.get("spike", 0) > 0, f"CPU {cpu}: no spike joined when recorded")
    hog = [s for s in mine if s["type"] == "thread" and s["causes"] and
           s["causes"][0]["kind"] == "thread" and
           s["causes"][0]["name"].startswith("noise-hog:")]
    stacked = [s for s in hog if s.get("stack")]
    print(f"CPU {cpu}: {len(hog)} thread spikes led by noise-hog, {len(stacked)} "
          "with a stack" + (": " + " < ".join(stacked[0]["stack"][:4]) if stacked else ""))
    if degraded:
        expect(kinds.get("history", 0) > 0, f"CPU {cpu}: no spike explained from the history")
    else:
        expect(hog, f"CPU {cpu}: no thread spike led by noise-hog")
    # The stack is the spike-time join's: a kernel without it has none.
    if not degraded:
        expect(stacked, f"CPU {cpu}: no noise-hog spike has a stack")
    for s in rep["spikes"]:
        total = s["unexplained_ns"] + sum(x["duration_ns"] for x in s["causes"])
        expect(total == s["latency_ns"],
               f"spike at {s['at_ns']}: causes add up to {total}, latency "
               f"{s['latency_ns']}")


def stale(path, cpu):
    """A planted stale parked entry was dropped, not reopened: counted in
    noise.parked_stale, and the thread's time not charged to work items."""
    rep = json.load(open(path))
    cpu = int(cpu)
    c = next(c for c in rep["cpus"] if c["cpu"] == cpu)
    dropped = c["noise"].get("parked_stale", 0)
    work = sum(s["total_ns"] for s in rep["sources"]
               if s["cpu"] == cpu and s["kind"] == "workqueue")
    print(f"CPU {cpu}: {dropped} stale parked entries dropped; work items "
          f"{work / 1e6:.1f} ms")
    expect(dropped >= 1, f"CPU {cpu}: the stale parked entry was not dropped")
    expect(work < 100e6, f"CPU {cpu}: {work / 1e6:.1f} ms of work items: the "
           "stale entry was reopened and charged the thread's time")


def vectors(path, cpu):
    """An IPI frame planted open (its exit lost) was dropped when the next
    system vector came, not charged the CPU's time until the report."""
    rep = json.load(open(path))
    cpu = int(cpu)
    ipis = sum(s["total_ns"] for s in rep["sources"]
               if s["cpu"] == cpu and s["kind"] == "ipi")
    print(f"CPU {cpu}: IPIs {ipis / 1e6:.1f} ms")
    expect(ipis < 100e6, f"CPU {cpu}: {ipis / 1e6:.1f} ms of IPIs: the IPI "
           "whose exit was lost kept the CPU's time")


def attribution(path, cpu, *wants):
    rep = json.load(open(path))
    cpu = int(cpu)
    expect(rep["attribution"], "the report has no attribution")
    srcs = [s for s in rep["sources"] if s["cpu"] == cpu]
    spikes = [s for s in rep["spikes"] if s["cpu"] == cpu]
    print(f"CPU {cpu}: {len(srcs)} sources, {len(spikes)} spikes; largest: " +
          ", ".join(f"{s['kind']} {s['name']} x{s['count']}" for s in srcs[:8]))
    for want in wants:
        if want.startswith("cause="):
            want = want[len("cause="):]
            hits = [sp for sp in spikes for c in sp["causes"]
                    if matches(c["kind"], c["name"], want) and
                    c["duration_ns"] >= 1000000]
            expect(hits, f"no spike on CPU {cpu} has {want} (>= 1 ms) "
                   "among its causes")
            if hits:
                sp = hits[0]
                print(f"  spike of {sp['latency_ns'] / 1e3:.0f} us: " +
                      ", ".join(f"{c['kind']} {c['name']} "
                                f"{c['duration_ns'] / 1e3:.0f} us"
                                for c in sp["causes"]) +
                      f", unexplained {sp['unexplained_ns'] / 1e3:.0f} us")
            continue
        if want.startswith("origin="):
            # origin=KIND:PREFIX<COMM[@remote]: a source of CPU caused by
            # a context whose comm starts with COMM (on another CPU).
            what, _, by = want[len("origin="):].partition("<")
            by, _, where = by.partition("@")
            hits = [(s, o) for s in srcs if matches(s["kind"], s["name"], what)
                    for o in s.get("origins", [])
                    if o["comm"].startswith(by) and
                    (where != "remote" or o["cpu"] != cpu)]
            expect(hits, f"CPU {cpu}: no {what} caused by {by}"
                   f"{' from another CPU' if where == 'remote' else ''}")
            if hits:
                s, o = hits[0]
                print(f"  {s['kind']} {s['name']} <- {o['comm']}:{o['pid']} "
                      f"on CPU {o['cpu']} x{o['count']}")
            continue
        if want.startswith("running="):
            what = want[len("running="):]
            found = [s for s in srcs if matches(s["kind"], s["name"], what)
                     and s.get("running")]
            expect(found, f"CPU {cpu}: {what} not reported as running")
            continue
        found = [s for s in srcs if matches(s["kind"], s["name"], want)
                 and s["count"] > 0]
        expect(found, f"CPU {cpu}: no source {want}")
    for sp in rep["spikes"]:
        total = sum(c["duration_ns"] for c in sp["causes"]) + sp["unexplained_ns"]
        expect(total == sp["latency_ns"],
               f"spike at {sp['at_ns']}: causes + unexplained = {total}, "
               f"latency {sp['latency_ns']}")
    for c in rep["cpus"]:
        noise = sum(s["total_ns"] for s in rep["sources"] if s["cpu"] == c["cpu"])
        expect(noise <= rep["duration_ns"] * 1.01,
               f"CPU {c['cpu']}: {noise} ns of noise in "
               f"{rep['duration_ns']} ns: counted twice?")
        expect(c["noise"]["total_ns"] == noise,
               f"CPU {c['cpu']}: noise total disagrees with its sources")


def nearest_rank(hist, total, q):
    """The bucket of the sample at rank ceil(q * total) of {bucket: n}."""
    rank = max(1, -(-int(q * 1000000) * total // 1000000))
    seen = 0
    for b in sorted(hist):
        seen += hist[b]
        if seen >= rank:
            return b
    return None


def workload(path, hist_path, cpu, bursts_path, threshold_us="2000"):
    """The workload thread cyclictest on CPU agrees with cyclictest's own
    histogram (HIST_PATH, cyclictest -q -h); its spikes are explained,
    those the hog's bursts (BURSTS_PATH) delayed by the hog."""
    cpu, threshold = int(cpu), int(threshold_us)
    bursts = read_bursts(bursts_path)
    rep = json.load(open(path))
    text = open(hist_path).read()
    ct, total, over, ct_avg = {}, None, 0, 0
    for line in text.split("\n"):
        m = re.fullmatch(r"(\d{6}) (\d{6})", line)
        if m:
            if int(m.group(2)):
                ct[int(m.group(1))] = int(m.group(2))
            last = int(m.group(1))
        elif line.startswith("# Total:"):
            total = int(line.split()[-1])
        elif line.startswith("# Histogram Overflows:"):
            over = int(line.split()[-1])
        elif line.startswith("# Avg Latencies:"):
            ct_avg = int(line.split()[-1])
    expect(total, f"{hist_path}: no '# Total' line")
    threads = [t for t in rep.get("workload", [])
               if t["comm"] == "cyclictest" and t["cpu"] == cpu]
    expect(threads, f"no cyclictest thread on CPU {cpu} in the workload")
    if not total or not threads:
        return
    # cyclictest's overflows (>= its last bucket + 1) and rtnoise's
    # (>= 4096 us) rank last: a percentile among them is None.
    t = max(threads, key=lambda t: t["wakeup"]["count"])
    w = t["wakeup"]
    rt = {int(b): n for b, n in w["histogram_us"].items()}
    cycles = total + over
    print(f"cycles: cyclictest {cycles} ({over} beyond its histogram), rtnoise "
          f"{w['count']} ({t['timer_wakeups']} by its timer, {w['overflows']} beyond)")
    expect(abs(w["count"] - cycles) <= cycles / 100,
           f"cycles differ by more than 1 %: {w['count']} vs {cycles}")
    # cyclictest reads its clock once it runs again, back in user space;
    # rtnoise sees the switch. The path between adds to each of its
    # samples: tens of us under TCG (1-2 us on hardware). Its mean, the
    # difference of the two averages over the same cycles, is taken off
    # cyclictest's percentiles before they are compared.
    path = ct_avg - w["avg_ns"] / 1000
    print(f"cyclictest's path from the switch to its clock read: {path:.1f} us on average")
    for q in (0.5, 0.9, 0.99, 0.999):
        a, b = nearest_rank(ct, cycles, q), nearest_rank(rt, w["count"], q)
        shifted = None if a is None else a - path
        print(f"p{q * 100:g}: cyclictest {a} us ({'-' if a is None else f'{shifted:.1f}'} "
              f"less its path), rtnoise {b} us")
        if b is None:  # beyond rtnoise's histogram (4096 us)
            expect(a is None or shifted >= 0.9 * 4096,
                   f"p{q * 100:g}: cyclictest {a} us, rtnoise beyond its histogram")
            continue
        # Within a bucket, 15 %, or half the mean path: how much it
        # varies from cycle to cycle under TCG (vCPUs take turns). The
        # worst seen in six runs: p99 on 6.1-rt, 1567.6 against 1395
        # (11 %): cycles delayed after the switch, before cyclictest's
        # clock read, as in the count over the threshold below.
        expect(a is not None and abs(shifted - b) <= max(1, 0.15 * max(a, b), path / 2),
               f"p{q * 100:g}: cyclictest {a} us less its path {path:.1f} us, rtnoise {b} us")
    def ct_at_least(us):
        return sum(n for b, n in ct.items() if b >= us) + over
    n_over = ct_at_least(threshold)
    spikes = [s for s in rep.get("workload_spikes", [])
              if s["tid"] == t["tid"] and s["type"] == "wakeup"]
    lost = rep.get("workload_spikes_lost", 0)
    rt_over = sum(n for b, n in rt.items() if b >= threshold) + w["overflows"]
    # A cycle rtnoise saw just under the threshold cyclictest saw just
    # over it, by its path: rtnoise's count lies between cyclictest's
    # over the threshold plus half the path and plus one and a half.
    hi, lo = ct_at_least(threshold + path / 2), ct_at_least(threshold + 1.5 * path)
    print(f"over {threshold} us: cyclictest {n_over} samples ({hi} over it plus half its "
          f"path, {lo} plus 1.5 times), rtnoise {rt_over} ({len(spikes)} wakeup spikes "
          f"kept, {lost} of the CPU's spikes overwritten)")
    expect(n_over > 0, "the hog delayed no cyclictest cycle past the threshold")
    # Measured: rtnoise counts 5-6 fewer of about 50 (48/53, 60/65,
    # 45/51), beyond what the path explains: cycles whose delay came
    # after the switch, before cyclictest's clock read. 15 %.
    tol = max(3, n_over * 0.15)
    expect(lo - tol <= rt_over <= hi + tol,
           f"cyclictest: {hi} samples over {threshold} us plus half its path, {lo} plus 1.5 "
           f"times; rtnoise {rt_over} over {threshold} us")
    expect(len(spikes) >= min(rt_over, 256) / 2, f"only {len(spikes)} wakeup spikes kept")
    expect(all(s["causes"] for s in spikes), "a workload spike without causes")
    # A spike whose window a burst covers for 1 ms or more names the hog
    # (under TCG others are led by idle: the wakeup came late from the
    # housekeeping CPU where the timer expired).
    def hog_ns(sp):
        return sum(max(0, min(b, sp["to_ns"]) - max(a, sp["from_ns"])) for a, b in bursts)
    in_burst = [s for s in spikes if hog_ns(s) >= 1000000]
    named = [s for s in in_burst if any(c["name"].startswith("noise-hog") for c in s["causes"])]
    led = [s for s in spikes if s["causes"][0]["name"].startswith("noise-hog")]
    print(f"{len(in_burst)} spikes with 1 ms or more of a hog burst, {len(named)} naming the "
          f"hog; {len(led)} of {len(spikes)} led by it")
    expect(in_burst, "no spike inside a hog burst")
    expect(len(named) == len(in_burst),
           f"{len(in_burst) - len(named)} spikes inside a hog burst without the hog")
    expect(any(s.get("stack") for s in led), "no hog-led spike with a stack")


def poller(path, cpu, comm):
    """COMM, a thread that never sleeps on CPU, was interrupted, and its
    interruptions over the threshold are explained, some by noise-hog."""
    cpu = int(cpu)
    rep = json.load(open(path))
    polls = [p for p in rep.get("workload", []) if p["comm"] == comm and p["cpu"] == cpu]
    expect(polls, f"no {comm} thread on CPU {cpu} in the workload")
    if not polls:
        return
    p = polls[0]
    taken = p["taken"]
    print(f"{comm}: {taken['preemptions']} preemptions, {taken['interrupts']} "
          f"interrupts, {taken['total_ns']} ns taken, longest {taken['max_ns']} ns")
    expect(taken["preemptions"] > 0, f"{comm} was never preempted")
    expect(taken["interrupts"] > 0, f"{comm} was never interrupted")
    ps = [s for s in rep.get("workload_spikes", [])
          if s["tid"] == p["tid"] and s["type"] == "taken"]
    expect(ps and all(s["causes"] for s in ps),
           f"{comm}: no interruption over the threshold, or one unexplained")
    expect(any(s["causes"][0]["name"].startswith("noise-hog") for s in ps),
           f"{comm}: no interruption led by noise-hog")


def spike_key(sp):
    return (sp["cpu"], sp["type"], sp["seq"])


def leading(causes):
    if not causes:
        return ""
    top = max(causes, key=lambda c: c["duration_ns"])
    return f"{top['kind']} {top['name']}"


def spikefiles(path, directory, n, cpu=None):
    with open(path) as f:
        rep = json.load(f)
    # The report's spikes carry no seq: they are matched by CPU, type
    # and time, which a seq names uniquely.
    by_time = {(s["cpu"], s["type"], s["at_ns"]): s for s in rep["spikes"]}
    files = sorted(f for f in os.listdir(directory) if f.endswith(".json"))
    expect(len(files) == int(n), f"{len(files)} spike files, the run said {n}")
    expect(len(files) > 0, "no spike file")
    hog = False
    for name in files:
        with open(os.path.join(directory, name)) as f:
            sp = json.load(f)
        expect(name == "spike.%d.%s.%d.json" % spike_key(sp),
               f"{name}: holds spike {spike_key(sp)}")
        mine = by_time.get((sp["cpu"], sp["type"], sp["at_ns"]))
        if not mine:
            expect(False, f"{name}: no such spike in the report")
            continue
        for k in ("observed_ns", "latency_ns", "cycle"):
            expect(sp[k] == mine[k], f"{name}: {k} {sp[k]}, report {mine[k]}")
        if sp.get("explained") == "spike" and mine.get("explained") == "spike":
            expect(sp["causes"] == mine["causes"],
                   f"{name}: causes {sp['causes']}, report {mine['causes']}")
        cause = os.path.join(directory, name.replace("spike.", "cause.")[:-5])
        if os.path.exists(cause):
            with open(cause) as f:
                got = f.read().rstrip("\n")
            expect(got == leading(sp["causes"]),
                   f"{cause}: {got!r}, the JSON's largest {leading(sp['causes'])!r}")
        if cpu is not None and sp["cpu"] == int(cpu) and \
                leading(sp["causes"]).startswith("thread noise-hog:"):
            hog = True
    if cpu is not None:
        expect(hog, f"no spike file of CPU {cpu} led by noise-hog")


def frozen(path_a, path_b):
    with open(path_a) as f:
        a = json.load(f)
    with open(path_b) as f:
        b = json.load(f)
    for r, p in ((a, path_a), (b, path_b)):
        expect(r["state"] == "stopped", f"{p}: state {r['state']}")
    expect(len(a["spikes"]) > 0, "no spike kept")
    expect(a["spikes"] == b["spikes"],
           f"spikes changed: {len(a['spikes'])} then {len(b['spikes'])}")
    for ca, cb in zip(a["cpus"], b["cpus"]):
        for t in ("irq", "thread"):
            expect(ca[t]["count"] == cb[t]["count"],
                   f"CPU {ca['cpu']} {t}: {ca[t]['count']} then {cb[t]['count']} samples")


def main():
    cmds = {"workload": workload, "poller": poller, "counts": counts, "cyclictest": cyclictest, "hotplug": hotplug,
            "hotplug-count": hotplug_count,
            "attribution": attribution, "spiketime": spiketime,
            "joined": joined, "stale": stale, "vectors": vectors,
            "spikefiles": spikefiles, "frozen": frozen}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        cmds[sys.argv[1]](*sys.argv[2:])
    except (OSError, ValueError, KeyError) as e:
        failures.append(f"cannot check: {e!r}")
    for f in failures:
        print("check_report:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
