// SPDX-License-Identifier: GPL-2.0
// report_bench.cpp - what a report costs in user space: the join of the
// events with the spikes (attribute()), the budget (judge()), and a
// whole report of 64 or 256 watched CPUs (collect() + judge() + render()) on
// synthetic runs from a seeded generator shaped like the BPF side's
// rings. BENCHMARKS.md, "The report at scale", has the figures.
//
// Memory is counted by replacing operator new/delete: join_MiB is the
// peak of what attribute() allocated beyond what it was handed (the
// trace, which the reader had already built), result_MiB what it left
// (the spikes' causes): they show whether the join grows with events.
// maxrss_MiB is the process's peak RSS, the runs themselves included.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <new>
#include <ostream>
#include <random>
#include <streambuf>
#include <string>
#include <utility>
#include <vector>

#include "analysis/attribution.hpp"
#include "analysis/budget.hpp"
#include "analysis/percentiles.hpp"
#include "analysis/series.hpp"
#include "app/session.hpp"
#include "counting_alloc.hpp"
#include "host/ksyms.hpp"
#include "render/render.hpp"

namespace rtnoise {
namespace {

using bench::g_live;
using bench::g_peak;
using bench::kMiB;
using bench::maxrss_mib;

const Ksyms& host_ksyms()
{
	static const Ksyms k = Ksyms::load("/");
	return k;
}

// ---- the generator ----------------------------------------------------------
//
// Per CPU, threads take turns at depth 0 (the workload most of the time,
// a kworker, ksoftirqd, rcuc, a stray process, and idle); inside each
// run, IRQs, the local timer with its hrtimer, IPIs, softirqs and, in a
// kworker, work items interrupt it at depth 1, and an hrtimer or an NMI
// nests at depth 2. Events go into the ring as they end (inner before
// outer), and are sorted by start as tracer_read() sorts them. Sources
// are summed from the events as the BPF side sums them.

struct Gen {
	std::mt19937_64 rng;

	std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi)
	{
		return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
	}
	std::uint64_t exp_ns(double mean)
	{
		return static_cast<std::uint64_t>(
			std::exponential_distribution<double>(1.0 / mean)(rng));
	}
	bool chance(double p) { return std::bernoulli_distribution(p)(rng); }
};

struct CpuGen {
	unsigned cpu;
	std::vector<TraceEvent> events;
	std::map<std::pair<unsigned, std::uint64_t>, TraceSource> sources;

	void emit(unsigned kind, std::uint64_t id, unsigned depth, std::uint64_t start,
		  std::uint64_t end, std::uint64_t nested, const std::string& comm = "")
	{
		TraceEvent e;
		e.kind = kind;
		e.id = id;
		e.depth = depth;
		e.start_ns = start;
		e.end_ns = end;
		e.net_ns = end - start - nested;
		events.push_back(e);
		if (kind == kIdle)
			return;	 // not a source: idle
		TraceSource& s = sources[{kind, id}];
		s.cpu = cpu;
		s.kind = kind;
		s.id = id;
		s.count++;
		s.total_ns += e.net_ns;
		s.max_ns = std::max(s.max_ns, e.net_ns);
		if (s.comm.empty())
			s.comm = comm;
	}
};

// Addresses of kernel functions for hrtimers, timers and work, from the
// host's symbols when it has them (else any address: a "0x..." name).
struct Functions {
	std::uint64_t tick_sched_timer, hrtimer_wakeup, vmstat_update, flush_to_ldisc,
		process_timeout, delayed_work_timer_fn;

	explicit Functions(const Ksyms& k)
	{
		auto at = [&](const char* name, std::uint64_t fallback) {
			return k.address_of(name).value_or(fallback);
		};
		tick_sched_timer = at("tick_sched_timer", 0xffffffff81100000);
		hrtimer_wakeup = at("hrtimer_wakeup", 0xffffffff81100100);
		vmstat_update = at("vmstat_update", 0xffffffff81200000);
		flush_to_ldisc = at("flush_to_ldisc", 0xffffffff81200100);
		process_timeout = at("process_timeout", 0xffffffff81300000);
		delayed_work_timer_fn = at("delayed_work_timer_fn", 0xffffffff81300100);
	}
};

// one_interrupt - a depth-1 context at [at, at + its length) on g, with
// what nests in it; returns its length.
std::uint64_t one_interrupt(Gen& r, CpuGen& g, const Functions& fn, std::uint64_t at, bool kworker)
{
	const unsigned pick = static_cast<unsigned>(r.uniform(0, 99));
	std::uint64_t len = 0, nested = 0;
	if (pick < 35) {  // the local timer, and the hrtimer it runs
		len = r.uniform(2000, 8000);
		const std::uint64_t in = r.uniform(1000, len - 500);
		const std::uint64_t from = at + r.uniform(100, len - in - 100);
		g.emit(kHrtimer, r.chance(0.8) ? fn.tick_sched_timer : fn.hrtimer_wakeup, 2, from,
		       from + in, 0);
		nested = in;
		g.emit(kLocalTimer, 0, 1, at, at + len, nested);
	} else if (pick < 55) {	 // a device IRQ, rarely an NMI in it
		len = r.uniform(1000, 10000);
		if (r.chance(0.02)) {
			nested = r.uniform(200, 500);
			g.emit(kNmi, 0, 2, at + 100, at + 100 + nested, 0);
		}
		const bool nic = r.chance(0.7);
		g.emit(kIrq, nic ? 24 : 31, 1, at, at + len, nested,
		       nic ? "virtio0-input.0" : "nvme0q3");
	} else if (pick < 70) {	 // an IPI
		len = r.uniform(1000, 3000);
		g.emit(kIpi, r.uniform(0, 3), 1, at, at + len, 0);
	} else if (pick < 90 || !kworker) {  // a softirq, with a timer in TIMER
		len = r.uniform(2000, 30000);
		const std::uint64_t vec = std::array<std::uint64_t, 4>{1, 3, 7, 9}[r.uniform(0, 3)];
		if (vec == 1) {
			nested = r.uniform(500, len / 2);
			g.emit(kTimer,
			       r.chance(0.5) ? fn.process_timeout : fn.delayed_work_timer_fn, 2,
			       at + 200, at + 200 + nested, 0);
		}
		g.emit(kSoftirq, vec, 1, at, at + len, nested);
	} else {  // a work item of this kworker
		len = r.uniform(5000, 50000);
		g.emit(kWorkqueue, r.chance(0.7) ? fn.vmstat_update : fn.flush_to_ldisc, 1, at,
		       at + len, 0);
	}
	return len;
}

struct Run {
	Snapshot snap;
	TraceData trace;
	std::uint64_t events = 0;
};

struct RunShape {
	unsigned cpus = 16;
	std::uint64_t events = 1000000;	 // in all the CPUs' rings
	std::uint64_t spikes = 100000;	 // over every CPU and both types
	bool at_spike = false;		 // each spike joined by the kernel too
	std::uint32_t hist_buckets = 1000;
	std::uint64_t seed = 1;
};

// kernel_causes - what the kernel's join stores for sp: its largest causes
// (at most 8), the rest as other, from the CPU's events.
SpikeCauses kernel_causes(const std::vector<TraceEvent>& events, std::uint64_t longest,
			  const Spike& sp)
{
	std::vector<TraceEvent> hit;
	auto end = std::lower_bound(
		events.begin(), events.end(), sp.observed_ns,
		[](const TraceEvent& e, std::uint64_t t) { return e.start_ns < t; });
	for (auto i = end; i != events.begin();) {
		--i;
		if (i->start_ns + longest <= sp.expected_ns)
			break;
		if (i->end_ns > sp.expected_ns)
			hit.push_back(*i);
	}
	Explanation x = explain_window(hit, sp.expected_ns, sp.observed_ns);
	SpikeCauses c;
	c.expected_ns = sp.expected_ns;
	c.observed_ns = sp.observed_ns;
	c.unexplained_ns = x.unexplained_ns;
	c.events = hit.size();
	for (const auto& p : x.parts) {
		if (c.parts.size() < 8)
			c.parts.push_back({p.kind, p.id, p.ns});
		else
			c.other_ns += p.ns;
	}
	return c;
}

Run synthetic_run(const RunShape& shape)
{
	Run run;
	Gen r{std::mt19937_64(shape.seed)};
	const Ksyms& ksyms = host_ksyms();
	const Functions fn(ksyms);
	const std::uint64_t start = 1000000000;	 // 1 s after boot
	TraceData& t = run.trace;
	t.start_ns = start;
	std::uint64_t end = start;
	std::vector<std::uint64_t> longest(shape.cpus);

	for (unsigned c = 0; c < shape.cpus; c++) {
		const std::uint64_t quota =
			shape.events / shape.cpus + (c < shape.events % shape.cpus);
		CpuGen g{c, {}, {}};
		g.events.reserve(quota + 8);
		struct Thread {
			std::uint64_t tid;
			std::string comm;
			double weight, mean_ns;
		};
		const std::vector<Thread> threads{
			{10000 + c, "app", 0.55, 400000},
			{2000 + c, "kworker/" + std::to_string(c) + ":1", 0.12, 60000},
			{3000 + c, "ksoftirqd/" + std::to_string(c), 0.05, 30000},
			{4000 + c, "rcuc/" + std::to_string(c), 0.05, 15000},
			{5000 + c, "sshd", 0.03, 80000},
			{0, "", 0.20, 200000},	// idle
		};
		std::discrete_distribution<unsigned> which{0.55, 0.12, 0.05, 0.05, 0.03, 0.20};
		std::uint64_t now = start;
		while (g.events.size() < quota) {
			const Thread& th = threads[which(r.rng)];
			const std::uint64_t len = 5000 + r.exp_ns(th.mean_ns);
			std::uint64_t at = now, nested = 0;
			while (g.events.size() < quota) {
				at += 2000 + r.exp_ns(40000);
				if (at + 60000 > now + len)
					break;
				const std::uint64_t l =
					one_interrupt(r, g, fn, at, th.comm.starts_with("kworker"));
				nested += l;
				at += l;
			}
			if (th.tid)
				g.emit(kThread, th.tid, 0, now, now + len, nested, th.comm);
			else
				g.emit(kIdle, r.uniform(1, 3), 0, now, now + len, nested);
			longest[c] = std::max(longest[c], len);
			now += len;
		}
		std::sort(g.events.begin(), g.events.end(),
			  [](const TraceEvent& a, const TraceEvent& b) {
				  return a.start_ns < b.start_ns;
			  });
		run.events += g.events.size();
		end = std::max(end, now);
		CpuTrace& ct = t.cpus[c];
		ct.events = std::move(g.events);
		ct.written = ct.events.size();
		for (auto& [_, s] : g.sources)
			t.sources.push_back(std::move(s));
		// Who woke the kworker and sent the IPIs, from another CPU.
		t.origins.push_back(
			{c, kThread, 2000 + c, (c + 1) % shape.cpus, 777, "writer", 50, 0});
		t.origins.push_back({c, kIpi, 0, 0, 1, "systemd", 30, fn.vmstat_update});
		for (std::uint64_t st = 1; st <= 3; st++)
			t.idle_names[{c, st}] = "C" + std::to_string(st);
		// The workload is on the CPU when the trace is read.
		t.running.push_back({c, 10000 + c, "app", now, 1000, now + 1000, false});
	}

	Snapshot& s = run.snap;
	s.sampled = true;
	s.kernel_release = "6.1.0-56-rt-amd64";
	s.kernel_version = "#1 SMP PREEMPT_RT Debian 6.1.158-1";
	s.period_ns = 1000000;
	s.threshold_ns = 50000;
	s.hist_buckets = shape.hist_buckets;
	s.spike_capacity = 4096;
	s.start_ns = start;
	s.end_ns = end + 1000;
	const std::uint64_t periods = (s.end_ns - s.start_ns) / s.period_ns;
	for (unsigned c = 0; c < shape.cpus; c++) {
		CpuResult cr;
		cr.cpu = c;
		cr.running = true;
		for (LatType type : kLatTypes) {
			LatencyStats& l = cr.of(type);
			l.hist.resize(shape.hist_buckets);
			// Every bucket used: a long tail, as a busy CPU has.
			std::uint64_t left = periods;
			for (std::size_t b = 0; b < l.hist.size() && left; b++) {
				const std::uint64_t n =
					b + 1 == l.hist.size()
						? left
						: std::min<std::uint64_t>(left, left / 3 + 1);
				l.hist[b] = n;
				left -= n;
			}
			l.count = periods;
			l.min_ns = 1000;
			l.max_ns = 400000;
			l.sum_ns = periods * 3000;
		}
		s.cpus.push_back(std::move(cr));
	}
	// Spikes: windows of 50-400 us anywhere in a CPU's events.
	std::vector<std::array<std::uint64_t, 2>> seqs(shape.cpus);
	for (std::uint64_t i = 0; i < shape.spikes; i++) {
		Spike sp;
		// As many on each CPU and type: full rings at the defaults.
		sp.cpu = static_cast<unsigned>(i / 2 % shape.cpus);
		sp.type = i % 2 ? LatType::thread : LatType::irq;
		const auto& ev = t.cpus[sp.cpu].events;
		sp.expected_ns = r.uniform(ev.front().start_ns, ev.back().start_ns);
		sp.observed_ns = sp.expected_ns + r.uniform(50000, 400000);
		s.spikes.push_back(sp);
	}
	std::sort(s.spikes.begin(), s.spikes.end(),
		  [](const Spike& a, const Spike& b) { return a.expected_ns < b.expected_ns; });
	for (Spike& sp : s.spikes) {
		CpuResult& cr = s.cpus[sp.cpu];
		sp.seq = seqs[sp.cpu][static_cast<unsigned>(sp.type)]++;
		sp.cycle = (sp.expected_ns - s.start_ns) / s.period_ns;
		cr.of(sp.type).spikes++;
		if (shape.at_spike)
			t.explained.emplace_back(
				SpikeKey{sp.cpu, static_cast<unsigned>(sp.type), sp.seq},
				kernel_causes(t.cpus[sp.cpu].events, longest[sp.cpu], sp));
	}
	// In the order tracer_read() hands them over: by CPU, type and
	// position in the causes map (seq modulo its 4096 entries: here, seq).
	std::sort(t.explained.begin(), t.explained.end(),
		  [](const auto& a, const auto& b) { return a.first < b.first; });
	return run;
}

// handed - a copy of t as tracer_read() hands it over: each CPU's events
// with room for one more (the thread still running).
TraceData handed(const TraceData& t)
{
	TraceData out;
	out.start_ns = t.start_ns;
	out.ring_size = t.ring_size;
	out.sources = t.sources;
	out.origins = t.origins;
	out.explained = t.explained;
	out.idle_names = t.idle_names;
	out.running = t.running;
	for (const auto& [cpu, c] : t.cpus) {
		CpuTrace& to = out.cpus[cpu];
		to.written = c.written;
		to.lost = c.lost;
		to.torn = c.torn;
		to.overflow = c.overflow;
		to.clamped = c.clamped;
		to.clamped_ns = c.clamped_ns;
		to.source_drops = c.source_drops;
		to.origin_drops = c.origin_drops;
		to.spikes_explained = c.spikes_explained;
		to.spikes_cut = c.spikes_cut;
		to.events.reserve(c.events.size() + 1);
		to.events.assign(c.events.begin(), c.events.end());
	}
	return out;
}

// A budget as a CI gate writes one (tests/fixtures/budgets/ci.yaml, with
// a few more source limits).
const Budget& gate()
{
	static const Budget b = parse_budget(R"(latency:
  thread: {max_us: 100, p99_us: 20, p999_us: 40}
  irq:    {max_us: 50}
noise:
  us_per_s: 500
  cpus: {"2": {us_per_s: 200}}
sources:
  - {kind: irq, name: "*virtio*", us_per_s: 10}
  - {kind: softirq, name: "*", us_per_s: 50}
  - {kind: thread, name: "kworker/*", us_per_s: 20}
  - {kind: hrtimer, name: "tick_sched_timer", cpu: 3, us_per_s: 5}
spikes: {max: 0}
)",
					     "gate.yaml");
	return b;
}

// ---- the join and the budget at 1, 10 and 50 M events -----------------------
//
// 16 CPUs: 50 M events is 3.1 M a CPU, under the largest ring (--events
// 4194304). 100 k spikes, none joined in the kernel: every one is joined
// here from the events, the user-space join's worst case.

const Run& run_of(std::uint64_t events)
{
	static std::map<std::uint64_t, Run> runs;
	auto it = runs.find(events);
	if (it == runs.end()) {
		runs.clear();  // one size at a time in memory
		RunShape shape;
		shape.events = events;
		it = runs.emplace(events, synthetic_run(shape)).first;
	}
	return it->second;
}

void BM_Join(benchmark::State& state)
{
	const Run& run = run_of(static_cast<std::uint64_t>(state.range(0)));
	const Ksyms& ksyms = host_ksyms();
	std::int64_t join_peak = 0, result = 0;
	for (auto _ : state) {
		state.PauseTiming();
		Snapshot s = run.snap;
		const std::int64_t bare = g_live.load();
		TraceData t = handed(run.trace);
		const std::int64_t before = g_live.load();
		g_peak.store(before);
		state.ResumeTiming();
		attribute(s, std::move(t), ksyms, {"app"}, {});
		state.PauseTiming();
		// What attribute() allocated beyond the trace it was handed,
		// at its peak, and what it left in the snapshot (the causes
		// of every spike, the sources) once the trace was freed.
		join_peak = std::max(join_peak, g_peak.load() - before);
		result = std::max(result, g_live.load() - bare);
		benchmark::DoNotOptimize(s.spikes.data());
		state.ResumeTiming();
	}
	state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * run.events));
	state.counters["events"] = static_cast<double>(run.events);
	state.counters["spikes"] = static_cast<double>(run.snap.spikes.size());
	state.counters["input_MiB"] = static_cast<double>(run.events * sizeof(TraceEvent)) / kMiB;
	state.counters["join_MiB"] = static_cast<double>(join_peak) / kMiB;
	state.counters["result_MiB"] = static_cast<double>(result) / kMiB;
	state.counters["maxrss_MiB"] = maxrss_mib();
}
BENCHMARK(BM_Join)
	->Arg(1000000)
	->Arg(10000000)
	->Arg(50000000)
	->Unit(benchmark::kMillisecond)
	->Iterations(3);

void BM_Budget(benchmark::State& state)
{
	const Run& run = run_of(static_cast<std::uint64_t>(state.range(0)));
	Snapshot s = run.snap;
	attribute(s, handed(run.trace), host_ksyms(), {"app"}, {});
	std::size_t violations = 0;
	const std::int64_t before = g_live.load();
	g_peak.store(before);
	// The percentiles and the verdict: what a report with --budget adds.
	for (auto _ : state) {
		fill_percentiles(s);
		BudgetResult b = judge(gate(), s);
		violations = b.violations.size();
		benchmark::DoNotOptimize(b);
	}
	state.counters["sources"] = static_cast<double>(s.sources.size());
	state.counters["spikes"] = static_cast<double>(s.spikes.size());
	state.counters["violations"] = static_cast<double>(violations);
	state.counters["judge_MiB"] = static_cast<double>(g_peak.load() - before) / kMiB;
	state.counters["maxrss_MiB"] = maxrss_mib();
}
BENCHMARK(BM_Budget)->Arg(1000000)->Arg(10000000)->Arg(50000000)->Unit(benchmark::kMillisecond);

// ---- rtnoise report, 64 and 256 watched CPUs -------------------------------
//
// What `rtnoise report` does after reading the maps: collect() (the
// sampler's snapshot and the trace handed over, /proc/kallsyms loaded,
// attribute(), percentiles), judge() and render() to a stream (as
// report writes its file), at the defaults of attach with every ring
// full: 1000-bucket histograms, every spike joined in the kernel, and
// the rings of `rings`: 0, today's defaults, 8192 events per CPU and
// 1024 spikes per CPU and latency type; 1, the former 32768 and 4096
// (the figures of BENCHMARKS.md before them). The counters say which;
// report_MiB is the most the report allocated at once beyond the run the
// fixture holds, render_MiB the most render() did beyond what it was
// handed, fixture_rss_MiB the process's peak before the first.
// Not covered: the ioctls and map reads that fill them (rtnoise.ko and
// the BPF maps); BENCHMARKS.md says what bounds them.

struct Rings {
	std::uint64_t events;  // per CPU
	std::uint64_t spikes;  // per CPU and latency type
};
constexpr Rings kRings[] = {{8192, 1024}, {32768, 4096}};

const Run& run_cpus(unsigned cpus, const Rings& rings)
{
	static std::map<std::pair<unsigned, std::uint64_t>, Run> runs;
	const std::pair<unsigned, std::uint64_t> key{cpus, rings.events};
	auto it = runs.find(key);
	if (it == runs.end()) {
		runs.clear();
		RunShape shape;
		shape.cpus = cpus;
		shape.events = cpus * rings.events;
		shape.spikes = cpus * 2ULL * rings.spikes;
		shape.at_spike = true;
		it = runs.emplace(key, synthetic_run(shape)).first;
		it->second.snap.spike_capacity = static_cast<std::uint32_t>(rings.spikes);
	}
	return it->second;
}

// CountingBuf - an output that keeps nothing, counting what it is given.
class CountingBuf : public std::streambuf {
public:
	std::size_t bytes() const { return bytes_ + static_cast<std::size_t>(pptr() - pbase()); }

protected:
	int_type overflow(int_type c) override
	{
		bytes_ += static_cast<std::size_t>(pptr() - pbase());
		setp(buf_, buf_ + sizeof(buf_));
		if (!traits_type::eq_int_type(c, traits_type::eof())) {
			*pptr() = traits_type::to_char_type(c);
			pbump(1);
		}
		return traits_type::not_eof(c);
	}

private:
	char buf_[1 << 16];
	std::size_t bytes_ = 0;
};

void BM_Report(benchmark::State& state)
{
	const Rings& rings = kRings[state.range(2) ? 1 : 0];
	const Run& run = run_cpus(static_cast<unsigned>(state.range(0)), rings);
	const auto format = static_cast<Format>(state.range(1));
	CollectSources src;
	src.sampler = [&] { return std::optional<Snapshot>(run.snap); };
	src.tracer = [&] { return std::optional<TraceData>(handed(run.trace)); };
	src.ksyms = [] { return Ksyms::load("/"); };
	src.now = [&] { return run.snap.end_ns; };
	std::size_t bytes = 0;
	// The run the fixture holds is not the report's: its peak is what
	// the loop allocates beyond it (the copies that stand for the map
	// reads included), maxrss_MiB the process's with the fixture.
	const double fixture_rss = maxrss_mib();
	const std::int64_t before = g_live.load();
	std::int64_t render_peak = 0;
	g_peak.store(before);
	for (auto _ : state) {
		Snapshot s = collect(src, Workload{{"app"}, {}});
		BudgetResult verdict = judge(gate(), s);
		RenderOptions opt;
		opt.format = format;
		opt.budget = &verdict;
		Metrics metrics;
		if (format == Format::prometheus) {
			metrics = metrics_of(s, nullptr, kSeriesSourcesDefault);
			opt.metrics = &metrics;
		}
		CountingBuf buf;
		std::ostream out(&buf);
		const std::int64_t peak = g_peak.load(), live = g_live.load();
		g_peak.store(live);
		render(out, s, opt);
		out.flush();
		render_peak = std::max(render_peak, g_peak.load() - live);
		g_peak.store(std::max(peak, g_peak.load()));
		bytes = buf.bytes();
	}
	state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * run.events));
	state.counters["cpus"] = static_cast<double>(run.snap.cpus.size());
	state.counters["events"] = static_cast<double>(run.events);
	state.counters["events_per_cpu"] = static_cast<double>(rings.events);
	state.counters["spikes_per_cpu_type"] = static_cast<double>(rings.spikes);
	state.counters["spikes"] = static_cast<double>(run.snap.spikes.size());
	state.counters["output_MiB"] = static_cast<double>(bytes) / kMiB;
	state.counters["report_MiB"] = static_cast<double>(g_peak.load() - before) / kMiB;
	state.counters["render_MiB"] = static_cast<double>(render_peak) / kMiB;
	state.counters["fixture_rss_MiB"] = fixture_rss;
	state.counters["maxrss_MiB"] = maxrss_mib();
}
BENCHMARK(BM_Report)
	->ArgNames({"cpus", "format", "rings"})
	->ArgsProduct({{64, 256},
		       {static_cast<int>(Format::text), static_cast<int>(Format::json),
			static_cast<int>(Format::html), static_cast<int>(Format::prometheus)},
		       {0, 1}})
	->Unit(benchmark::kMillisecond)
	->Iterations(3);

}  // namespace
}  // namespace rtnoise

BENCHMARK_MAIN();
