// SPDX-License-Identifier: GPL-2.0
// monitor_bench.cpp - what one interval of `rtnoise monitor` costs in
// user space: the incremental read (Increment::read()), the series and
// the Prometheus text, and the spike log's lines, on a fixture that
// holds what the module and the BPF side would (tests/unit/
// monitor_world.hpp): rings full at the defaults (1024 spikes per CPU
// and type, 8192 events per CPU), every spike joined by the kernel.
// Kernel symbols come as the real monitor has them (cached_ksyms():
// /proc/modules read each interval, /proc/kallsyms parsed once).
//
// read_ms, metrics_ms and log_ms split each interval's CPU time: the
// increment, the series and the Prometheus text, the spike log's lines
// (log_spikes() to /dev/null, the writes included).
//
// Memory is counted by replacing operator new/delete: alloc_MiB is the
// peak of what one interval allocated beyond what was live before it,
// first_MiB (and first_ms, its CPU time) the same of the first read,
// which takes and logs every spike the rings keep,
// kept_MiB what the monitor keeps between intervals (its state and the
// last snapshot). maxrss_MiB is the process's peak RSS, the fixture
// (the "kernel's" rings and joins) and the first read included;
// rss_MiB the RSS after the intervals, fixture_MiB the RSS once the
// fixture was built, before the monitor's first read: their difference
// is the monitor's.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "analysis/series.hpp"
#include "app/increment.hpp"
#include "app/monitor.hpp"
#include "counting_alloc.hpp"
#include "monitor_world.hpp"
#include "render/render.hpp"

namespace rtnoise {
namespace {

using test::MonitorWorld;

using bench::g_live;
using bench::g_peak;
using bench::kMiB;
using bench::maxrss_mib;
constexpr std::uint32_t kSpikeRing = 1024;  // per CPU and type, the default
constexpr std::uint32_t kEventRing = 8192;  // per CPU, the default
constexpr unsigned kSourcesPerCpu = 200;    // seen since the attach

double cpu_ms()
{
	timespec t{};
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// rss_mib - the process's resident memory now.
double rss_mib()
{
	long pages = 0, resident = 0;
	if (std::FILE* f = std::fopen("/proc/self/statm", "re")) {
		if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		std::fclose(f);
	}
	return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / kMiB;
}

// fill - a world of cpus CPUs with full rings: every spike joined, each
// CPU's sources seen, its event ring written past its size.
void fill(MonitorWorld& w, unsigned cpus)
{
	w.cap = kSpikeRing;
	w.ring_size = kEventRing;
	w.keep_events = false;	// never read while every spike is joined
	for (unsigned cpu = 0; cpu < cpus; cpu++) {
		for (LatType t : kLatTypes)
			w.samples(cpu, t, 1'000'000, 3);
		for (unsigned i = 0; i < kSourcesPerCpu; i++)
			w.source(cpu, i % 4 ? kThread : kIrq, 100 + i,
				 "worker-" + std::to_string(i % 40), 2'000 + i);
		for (std::uint32_t i = 0; i < kSpikeRing + 10; i++) {
			w.spike(cpu, LatType::irq, 30'000 + i % 500, 100);
			w.spike(cpu, LatType::thread, 40'000 + i % 700, 104);
		}
		for (std::uint32_t i = 0; i < kEventRing; i++)
			w.event(cpu, kThread, 100 + i % kSourcesPerCpu, i, i + 1);
	}
}

// grow - one interval: spikes new on each CPU (half of each type), and
// active of its sources run again.
void grow(MonitorWorld& w, unsigned cpus, unsigned spikes, unsigned active)
{
	for (unsigned cpu = 0; cpu < cpus; cpu++) {
		for (unsigned i = 0; i < spikes; i++)
			w.spike(cpu, i % 2 ? LatType::irq : LatType::thread, 30'000 + i * 10, 100);
		for (unsigned i = 0; i < active; i++)
			w.source(cpu, i % 4 ? kThread : kIrq, 100 + i * 3,
				 "worker-" + std::to_string(i * 3 % 40), 2'500);
		w.samples(cpu, LatType::irq, 15'000, 4);
		w.samples(cpu, LatType::thread, 15'000, 5);
	}
	w.tick(15'000'000'000ULL);
}

// Interval - what the monitor does each interval, as monitor.cpp's
// read(): the increment, the series against the last read, the text,
// a line for each new spike.
struct Interval {
	Increment increment;
	std::optional<Snapshot> previous;
	Metrics series;	 // the previous read's
	SpikeTracker tracker;
	int null_fd;		// the spike log: /dev/null
	std::size_t bytes = 0;	// the metrics' text, that nothing is optimized away
	std::size_t lines = 0;	// spikes logged
	// CPU time of the read, the metrics' text, the spike lines, summed
	std::array<double, 3> ms{};

	void operator()()
	{
		double at = cpu_ms();
		Snapshot s = increment.read();
		ms[0] += cpu_ms() - at;
		at = cpu_ms();
		Metrics m = metrics_of(s, previous ? &*previous : nullptr, kSeriesSourcesDefault,
				       &series);
		RenderOptions ro;
		ro.format = Format::prometheus;
		ro.metrics = &m;
		bytes += render(s, ro).size();
		series = std::move(m);
		ms[1] += cpu_ms() - at;
		at = cpu_ms();
		const std::vector<const Spike*> fresh = tracker.fresh(s);
		log_spikes(null_fd, fresh, s.attributed, 0, "/dev/null");
		lines += fresh.size();
		ms[2] += cpu_ms() - at;
		previous = std::move(s);
		previous->spikes = {};
		previous->workload_spikes = {};
	}
};

void run(benchmark::State& state, unsigned spikes, unsigned active)
{
	const auto cpus = static_cast<unsigned>(state.range(0));
	std::vector<unsigned> list;
	for (unsigned cpu = 0; cpu < cpus; cpu++)
		list.push_back(cpu);
	MonitorWorld w(list);
	fill(w, cpus);
	malloc_trim(0);
	const double fixture_mib = rss_mib();
	DeltaSources src = w.delta_sources();
	src.ksyms = cached_ksyms("/", [] { return KsymsKey{}; });
	const std::int64_t before_monitor = g_live.load();
	const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null_fd < 0) {
		state.SkipWithError("cannot open /dev/null");
		return;
	}
	Interval interval{Increment(std::move(src), {}), std::nullopt, {}, {}, null_fd, 0, 0, {}};
	// The first read: everything the rings hold, logged.
	const std::int64_t live0 = g_live.load();
	g_peak.store(live0);
	const double first_at = cpu_ms();
	interval();
	const double first_ms = cpu_ms() - first_at;
	const std::int64_t first_peak = g_peak.load() - live0;
	malloc_trim(0);	 // as the monitor does after its first read
	interval.ms = {};
	std::int64_t alloc_peak = 0;
	for (auto _ : state) {
		state.PauseTiming();
		grow(w, cpus, spikes, active);
		const std::int64_t live = g_live.load();
		g_peak.store(live);
		state.ResumeTiming();
		interval();
		alloc_peak = std::max(alloc_peak, g_peak.load() - live);
	}
	if (!w.rings_asked.empty())
		state.SkipWithError("an event ring was read");
	::close(null_fd);
	benchmark::DoNotOptimize(interval.bytes);
	const auto n = static_cast<double>(state.iterations());
	state.counters["read_ms"] = interval.ms[0] / n;
	state.counters["metrics_ms"] = interval.ms[1] / n;
	state.counters["log_ms"] = interval.ms[2] / n;
	state.counters["first_ms"] = first_ms;
	state.counters["first_MiB"] = static_cast<double>(first_peak) / kMiB;
	state.counters["cpus"] = cpus;
	state.counters["new_spikes"] = static_cast<double>(spikes) * cpus;
	state.counters["alloc_MiB"] = static_cast<double>(alloc_peak) / kMiB;
	state.counters["kept_MiB"] = static_cast<double>(g_live.load() - before_monitor) / kMiB;
	state.counters["fixture_MiB"] = fixture_mib;
	state.counters["maxrss_MiB"] = maxrss_mib();
	state.counters["rss_MiB"] = rss_mib();
}

// BM_MonitorInterval - 100 new spikes and 50 active sources per CPU.
void BM_MonitorInterval(benchmark::State& state)
{
	run(state, 100, 50);
}
BENCHMARK(BM_MonitorInterval)
	->ArgName("cpus")
	->Arg(256)
	->Iterations(20)
	->Unit(benchmark::kMillisecond)
	->MeasureProcessCPUTime()
	->UseRealTime();

// BM_MonitorIdle - nothing new since the last read.
void BM_MonitorIdle(benchmark::State& state)
{
	run(state, 0, 0);
}
BENCHMARK(BM_MonitorIdle)
	->ArgName("cpus")
	->Arg(64)
	->Iterations(50)
	->Unit(benchmark::kMillisecond)
	->MeasureProcessCPUTime()
	->UseRealTime();

}  // namespace
}  // namespace rtnoise

BENCHMARK_MAIN();
