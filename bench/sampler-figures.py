#!/usr/bin/env python3
# sampler-figures.py - read what guest-sampler-cost.sh collected for one
# tool at one period and print one JSON line: per CPU the IRQ and thread
# samples, the periods they were taken against, the merged latency
# histograms' p50/p99/max, and the measuring threads' CPU time.
#
#   sampler-figures.py rtnoise    REPORT.json RUNTIMES PERIOD_US AT_NS
#   sampler-figures.py timerlat   HIST.txt    RUNTIMES PERIOD_US SECONDS
#   sampler-figures.py cyclictest HIST.txt    RUNTIMES PERIOD_US SECONDS CPUS
#   sampler-figures.py table      LINES.json
# The first three take "--window W0 W1" at the end: two reads of the
# measuring threads ("T MONO_NS", then RUNTIMES lines with the voluntary
# switches fourth) that count every tool's samples the same way, over
# the same kind of window (its "window" entry, a second table).
#
# RUNTIMES holds "CPU NS [AGE_NS [NVCSW]]" lines: each measuring thread's
# se.sum_exec_runtime, and for timerlat and cyclictest how long the thread
# had existed then. rtnoise's report follows that read (at AT_NS,
# CLOCK_MONOTONIC); timerlat and cyclictest print their counts only at the
# end of SECONDS. For CPU per sample each count is scaled back to the
# runtime read (rtnoise: by time since its start; the others: by the
# thread's age over SECONDS), a steady rate assumed. Samples against
# periods are each tool's own counts over its own time.
# Percentiles use one rule for all three tools, nearest rank over 1 us
# buckets: a sample in a tool's overflow is only known to be >= its size.
import json
import math
import sys


def pct(hist, over, size, q):
    """The q-quantile in us of a {us: n} histogram with @over overflows."""
    n = sum(hist.values()) + over
    if not n:
        return None
    rank = math.ceil(q * n)
    below = 0
    for us in sorted(hist):
        below += hist[us]
        if below >= rank:
            return us
    return ">=%d" % size


def merge(hists):
    out = {}
    for h in hists:
        for us, n in h.items():
            out[us] = out.get(us, 0) + n
    return out


def runtimes(path):
    ns, age = {}, {}
    with open(path) as f:
        for line in f:
            w = [int(x) for x in line.split()]
            ns[w[0]] = ns.get(w[0], 0) + w[1]
            if len(w) > 2:
                age[w[0]] = max(age.get(w[0], 0), w[2])
    return ns, age


def lat(hists, overs, size, maxes):
    h = merge(hists)
    over = sum(overs)
    return {"samples": sum(h.values()) + over,
            "p50_us": pct(h, over, size, 0.50),
            "p99_us": pct(h, over, size, 0.99),
            "max_us": max(maxes) if maxes else None}


def rtnoise(report, rt, period_us, at_ns):
    r = json.load(open(report))
    ns, _ = runtimes(rt)
    window = r["duration_ns"] / 1e9
    scale = (at_ns - r["start_ns"]) / r["duration_ns"]
    size = r["hist_buckets"]
    cpus, lats = [], {"irq": ([], [], []), "thread": ([], [], [])}
    for c in r["cpus"]:
        row = {"cpu": c["cpu"], "runtime_ns": ns.get(c["cpu"], 0),
               "periods": int(r["duration_ns"] // r["period_ns"]),
               "at_read": round(c["thread"]["count"] * scale)}
        for t in ("irq", "thread"):
            row[t] = c[t]["count"]
            h = {int(k): v for k, v in c[t]["histogram_us"].items()}
            lats[t][0].append(h)
            lats[t][1].append(c[t]["overflows"])
            lats[t][2].append(c[t]["max_ns"] / 1e3)
        row["missed"] = c["thread"]["missed_periods"]
        cpus.append(row)
    return finish("rtnoise.ko", period_us, window, cpus,
                  {t: lat(*v[:2], size, v[2]) for t, v in lats.items()})


def timerlat(path, rt, period_us, secs):
    """rtla timerlat hist: an "Index IRQ-002 Thr-002 ..." header, rows of
    bucket counts, then over:, count:, min:, avg:, max: rows."""
    ns = runtimes(rt)
    cols, rows, tail, size = None, {}, {}, 0
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "Index":
                cols = w[1:]
            elif cols and w[0].isdigit():
                rows[int(w[0])] = [int(x) for x in w[1:]]
                size = max(size, int(w[0]) + 1)
            elif cols and w[0].endswith(":") and w[0][:-1] in \
                    ("over", "count", "min", "avg", "max"):
                tail[w[0][:-1]] = w[1:]
    if not cols:
        sys.exit("sampler-figures.py: no histogram header in " + path)
    per = {}
    for i, name in enumerate(cols):
        kind, cpu = name.split("-")
        cpu = int(cpu)
        t = "irq" if kind == "IRQ" else "thread"
        h = {us: v[i] for us, v in rows.items() if v[i]}
        maxv = tail.get("max", [])
        per.setdefault(cpu, {})[t] = (
            h, int(tail["over"][i]), int(tail["count"][i]),
            float(maxv[i]) if i < len(maxv) and maxv[i] != "-" else 0)
    return by_cpu("rtla timerlat", period_us, secs, ns, per, size)


def cyclictest(path, rt, period_us, secs, cpus):
    """cyclictest -h: rows of "bucket n0 n1 ..." per thread, then
    "# Total:", "# Max Latencies:", "# Histogram Overflows:" lines.
    "# Total" leaves the overflows out."""
    ns = runtimes(rt)
    rows, total, over, maxes = {}, [], [], []
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0].isdigit() and len(w) > 1:
                rows[int(w[0])] = [int(x) for x in w[1:]]
            elif line.startswith("# Total:"):
                total = [int(x) for x in w[2:]]
            elif line.startswith("# Histogram Overflows:"):
                over = [int(x) for x in w[3:]]
            elif line.startswith("# Max Latencies:"):
                maxes = [int(x) for x in w[3:]]
    if not total:
        sys.exit("sampler-figures.py: no histogram summary in " + path)
    size = max(rows) + 1 if rows else 0
    per = {}
    for i, cpu in enumerate(cpus):
        h = {us: v[i] for us, v in rows.items() if v[i]}
        per[cpu] = {"thread": (h, over[i], total[i] + over[i], maxes[i])}
    return by_cpu("cyclictest", period_us, secs, ns, per, size)


def by_cpu(tool, period_us, secs, rts, per, size):
    ns, age = rts
    cpus, lats = [], {}
    for cpu in sorted(per):
        row = {"cpu": cpu, "runtime_ns": ns.get(cpu, 0),
               "periods": int(secs * 1e6 // period_us)}
        for t, (h, over, count, mx) in per[cpu].items():
            row[t] = count
            if t == "thread":
                row["at_read"] = round(
                    count * min(age.get(cpu, 0) / 1e9, secs) / secs)
            lats.setdefault(t, ([], [], []))
            lats[t][0].append(h)
            lats[t][1].append(over)
            lats[t][2].append(mx)
        cpus.append(row)
    return finish(tool, period_us, secs, cpus,
                  {t: lat(*v[:2], size, v[2]) for t, v in lats.items()})


def finish(tool, period_us, window, cpus, lats):
    for c in cpus:
        n = c["at_read"]
        c["ns_per_sample"] = round(c["runtime_ns"] / n) if n else None
    periods = sum(c["periods"] for c in cpus)
    thread = sum(c.get("thread", 0) for c in cpus)
    at_read = sum(c["at_read"] for c in cpus)
    rt = sum(c["runtime_ns"] for c in cpus)
    return {"tool": tool, "period_us": period_us, "window_s": window,
            "periods": periods,
            "irq": sum(c["irq"] for c in cpus) if "irq" in lats else None,
            "thread": thread,
            "taken_pct": round(100 * thread / periods, 1) if periods else None,
            "runtime_ns": rt,
            "ns_per_sample": round(rt / at_read) if at_read else None,
            "lat": lats, "cpus": cpus}


def window(w0, w1, period_us):
    """Samples counted the same way for every tool, over the same kind of
    window: each measuring thread's voluntary switches (it sleeps once a
    period) between two reads, against the periods between them."""
    def read(path):
        t, threads = None, {}
        with open(path) as f:
            for line in f:
                w = line.split()
                if w and w[0] == "T":
                    t = int(w[1])
                elif len(w) >= 4:
                    cpu = int(w[0])
                    ns, sw = threads.get(cpu, (0, 0))
                    threads[cpu] = (ns + int(w[1]), sw + int(w[3]))
        return t, threads

    try:
        t0, a = read(w0)
        t1, b = read(w1)
    except (OSError, ValueError):
        return None
    if t0 is None or t1 is None or t1 <= t0 or not b:
        return None
    secs = (t1 - t0) / 1e9
    periods = int(secs * 1e6 // period_us)
    cpus = []
    for cpu in sorted(b):
        ns0, sw0 = a.get(cpu, (0, 0))
        ns1, sw1 = b[cpu]
        woken = sw1 - sw0
        cpus.append({"cpu": cpu, "periods": periods, "woken": woken,
                     "ns_per_wakeup": round((ns1 - ns0) / woken) if woken else None})
    woken = sum(c["woken"] for c in cpus)
    ns = sum(b[c][0] - a.get(c, (0, 0))[0] for c in b)
    return {"seconds": round(secs, 3), "periods": periods * len(cpus),
            "woken": woken,
            "woken_pct": round(100 * woken / (periods * len(cpus)), 1)
            if periods else None,
            "ns_per_wakeup": round(ns / woken) if woken else None,
            "cpus": cpus}


def table(path):
    def us(v):
        return "-" if v is None else str(v)

    print("%-14s %6s %9s %9s %9s %7s %8s  %-17s %-17s" % (
        "tool", "period", "periods", "irq", "thread", "taken",
        "ns/samp", "irq p50/p99/max", "thr p50/p99/max"))
    lines = [json.loads(x) for x in open(path) if x.strip()]
    for r in lines:
        lt = {t: "%s/%s/%s" % (us(v["p50_us"]), us(v["p99_us"]),
                               us(round(v["max_us"]) if v["max_us"] is not None
                                  else None))
              for t, v in r["lat"].items()}
        print("%-14s %4dus %9d %9s %9d %6s%% %8s  %-17s %-17s" % (
            r["tool"], r["period_us"], r["periods"], us(r["irq"]),
            r["thread"], us(r["taken_pct"]), us(r["ns_per_sample"]),
            lt.get("irq", "-"), lt.get("thread", "-")))
    print("the same window for each tool: the measuring threads' "
          "voluntary switches between two reads")
    print("%-14s %6s %8s %9s %9s %7s %9s" % (
        "tool", "period", "window", "periods", "woken", "woken", "ns/wake"))
    for r in lines:
        w = r.get("window")
        if not w:
            print("%-14s %4dus  (no window read)" % (r["tool"], r["period_us"]))
            continue
        print("%-14s %4dus %7.2fs %9d %9d %6s%% %9s" % (
            r["tool"], r["period_us"], w["seconds"], w["periods"], w["woken"],
            us(w["woken_pct"]), us(w["ns_per_wakeup"])))
    print("per CPU: tool period cpu periods thread-samples ns/sample")
    for r in lines:
        for c in r["cpus"]:
            print("  %-14s %4dus cpu %2d %8d %8d %8s" % (
                r["tool"], r["period_us"], c["cpu"], c["periods"],
                c.get("thread", 0), us(c["ns_per_sample"])))


def main(a):
    win = None
    if "--window" in a:
        i = a.index("--window")
        win, a = a[i + 1:i + 3], a[:i]
    if a[0] == "rtnoise":
        r = rtnoise(a[1], a[2], int(a[3]), int(a[4]))
    elif a[0] == "timerlat":
        r = timerlat(a[1], a[2], int(a[3]), float(a[4]))
    elif a[0] == "cyclictest":
        r = cyclictest(a[1], a[2], int(a[3]), float(a[4]),
                       [int(x) for x in a[5].split(",")])
    elif a[0] == "table":
        return table(a[1])
    else:
        sys.exit("sampler-figures.py: unknown mode " + a[0])
    if win:
        r["window"] = window(win[0], win[1], int(a[3]))
    print(json.dumps(r))


if __name__ == "__main__":
    main(sys.argv[1:])
