// SPDX-License-Identifier: GPL-2.0
// report_fixtures.hpp - two runs of CPUs 2-3 for the tests of compare and
// budgets: before, an IRQ of virtio and a kworker on the watched CPUs;
// after, isolated, the IRQ gone and a new timer left. Their JSON is
// tests/fixtures/golden/report-{before,after}.json.
#pragma once

#include <algorithm>

#include "analysis/percentiles.hpp"
#include "model/snapshot.hpp"

namespace report_fixtures {

using namespace rtnoise;

inline LatencyStats lat(std::vector<std::uint64_t> hist, std::uint64_t overflows,
			std::uint64_t min_ns, std::uint64_t max_ns, std::uint64_t spikes)
{
	LatencyStats l;
	l.hist = std::move(hist);
	l.hist.resize(100);
	l.overflows = overflows;
	for (std::uint64_t n : l.hist)
		l.count += n;
	l.count += overflows;
	l.min_ns = min_ns;
	l.max_ns = max_ns;
	// An average of 2.5 us.
	l.sum_ns = l.count * 2500;
	l.spikes = spikes;
	return l;
}

inline Spike spike(unsigned cpu, LatType t, std::uint64_t cycle, std::uint64_t latency_ns,
		   std::vector<Cause> causes)
{
	Spike s;
	s.cpu = cpu;
	s.type = t;
	s.seq = s.cycle = cycle;
	s.expected_ns = 100000000000ULL + cycle * 1000000;
	s.observed_ns = s.expected_ns + latency_ns;
	std::uint64_t explained = 0;
	for (const Cause& c : causes)
		explained += c.duration_ns;
	s.causes = std::move(causes);
	s.unexplained_ns = latency_ns > explained ? latency_ns - explained : 0;
	s.explained = Explained::at_spike;
	return s;
}

inline SourceRow source(unsigned cpu, const char* kind, const char* name, std::uint64_t count,
			std::uint64_t total_ns, std::uint64_t max_ns)
{
	SourceRow r;
	r.cpu = cpu;
	r.kind = kind;
	r.name = name;
	r.count = count;
	r.total_ns = total_ns;
	r.max_ns = max_ns;
	return r;
}

inline Snapshot base()
{
	Snapshot s;
	s.kernel_release = "6.1.0-56-amd64";
	s.kernel_version = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.140-1";
	s.sampled = true;
	s.attributed = true;
	s.state = SamplerState::stopped;
	s.period_ns = 1000000;
	s.threshold_ns = 50000;
	s.hist_buckets = 100;
	s.spike_capacity = 4096;
	s.prio = 95;
	s.start_ns = 100000000000ULL;
	s.end_ns = s.start_ns + 10000000000ULL;
	s.trace_start_ns = s.start_ns;
	s.cpus.resize(2);
	s.cpus[0].cpu = 2;
	s.cpus[1].cpu = 3;
	return s;
}

inline Snapshot before()
{
	Snapshot s = base();
	// 10000 samples a type: most at 1-3 us, a tail of IRQs up to 140 us.
	s.cpus[0].of(LatType::irq) = lat({0, 6000, 3000, 900, 50, 20}, 3, 900, 140200, 5);
	s.cpus[0].of(LatType::thread) = lat({0, 0, 5000, 4800, 100, 80}, 3, 1900, 152000, 6);
	s.cpus[1].of(LatType::irq) = lat({0, 9000, 990, 10}, 0, 800, 3900, 0);
	s.cpus[1].of(LatType::thread) = lat({0, 0, 9000, 990, 9, 1}, 0, 1800, 5800, 0);
	for (std::uint64_t i = 0; i < 3; i++) {
		s.spikes.push_back(spike(2, LatType::irq, 100 + i * 1000, 120000 + i * 10000,
					 {{"irq", "24:virtio0-input", 90000 + i * 10000}}));
		s.spikes.push_back(spike(
			2, LatType::thread, 101 + i * 1000, 130000 + i * 10000,
			{{"irq", "24:virtio0-input", 90000}, {"thread", "kworker/2:1:87", 30000}}));
	}
	s.spikes.push_back(
		spike(2, LatType::thread, 7000, 60000, {{"thread", "kworker/2:1:87", 55000}}));
	s.cpus[0].noise = {30000000, 3000.0, 99.7, 0, 0, 0, 0, 0, 0};
	s.cpus[1].noise = {1000000, 100.0, 99.99, 0, 0, 0, 0, 0, 0};
	s.sources = {source(2, "irq", "24:virtio0-input", 20000, 22000000, 110000),
		     source(2, "thread", "kworker/2:1:87", 500, 7000000, 55000),
		     source(2, "local_timer", "tick_sched_timer", 10000, 1000000, 3000),
		     source(3, "local_timer", "tick_sched_timer", 10000, 1000000, 3000)};
	s.ticks = {{2, "POSIX_TIMER", 12, ""}};
	fill_percentiles(s);
	return s;
}

inline Snapshot after()
{
	Snapshot s = base();
	s.cpus[0].of(LatType::irq) = lat({0, 9900, 99, 1}, 0, 800, 2900, 0);
	s.cpus[0].of(LatType::thread) = lat({0, 0, 9800, 190, 9, 0, 1}, 0, 1700, 6100, 0);
	s.cpus[1].of(LatType::irq) = lat({0, 9000, 990, 10}, 0, 800, 3800, 0);
	s.cpus[1].of(LatType::thread) = lat({0, 0, 8999, 990, 9, 1}, 1, 1800, 61000, 1);
	s.spikes.push_back(
		spike(3, LatType::thread, 4242, 59000, {{"hrtimer", "hrtimer_wakeup", 40000}}));
	s.cpus[0].noise = {2000000, 200.0, 99.98, 0, 0, 0, 0, 0, 0};
	s.cpus[1].noise = {1500000, 150.0, 99.985, 0, 0, 0, 0, 0, 0};
	s.sources = {source(2, "local_timer", "tick_sched_timer", 10000, 1000000, 3000),
		     source(2, "thread", "kworker/2:1:87", 100, 1000000, 20000),
		     source(3, "local_timer", "tick_sched_timer", 10000, 1000000, 3000),
		     source(3, "hrtimer", "hrtimer_wakeup", 5, 500000, 40000)};
	fill_percentiles(s);
	return s;
}

}  // namespace report_fixtures

namespace report_fixtures {

// The workload of a run: a timer-driven thread like cyclictest's on CPU
// 2 with a few spikes, a poller on CPU 3 that is interrupted; @scale
// multiplies the poller's interruptions and the timer thread's tail.
inline WorkloadThread workload_thread(std::uint64_t tid, const char* comm, int cpu,
				      std::vector<std::uint64_t> hist, std::uint64_t min_ns,
				      std::uint64_t max_ns, std::uint64_t spikes)
{
	WorkloadThread t;
	t.tid = tid;
	t.tgid = tid;
	t.comm = comm;
	t.cpu = cpu;
	hist.resize(200);
	t.wakeup = lat(hist, 0, min_ns, max_ns, spikes);
	// 200 buckets, not the sampler's 100.
	t.wakeup.hist = std::move(hist);
	t.wakeup.count = 0;
	for (std::uint64_t n : t.wakeup.hist)
		t.wakeup.count += n;
	t.wakeup.sum_ns = t.wakeup.count * std::max<std::uint64_t>(2500, min_ns);
	return t;
}

inline WorkloadSpike workload_spike(const char* comm, std::uint64_t tid, unsigned cpu,
				    WorkloadSpikeType type, std::uint64_t at_ms,
				    std::uint64_t latency_ns, std::vector<Cause> causes)
{
	WorkloadSpike w;
	w.cpu = cpu;
	w.tid = tid;
	w.comm = comm;
	w.type = type;
	w.timer = type == WorkloadSpikeType::wakeup;
	w.from_ns = 100000000000ULL + at_ms * 1000000;
	w.to_ns = w.from_ns + latency_ns;
	std::uint64_t explained = 0;
	for (const Cause& c : causes)
		explained += c.duration_ns;
	w.causes = std::move(causes);
	w.unexplained_ns = latency_ns > explained ? latency_ns - explained : 0;
	w.explained = Explained::at_spike;
	return w;
}

inline Snapshot with_workload(Snapshot s, std::uint64_t scale)
{
	// Spikes of 60, 70, ... us, each explained by virtio's IRQ and a kworker.
	const std::uint64_t spikes = 3 * scale;
	std::vector<std::uint64_t> timer_hist{0, 0, 7000, 2900, 90};
	timer_hist.resize(200);
	for (std::uint64_t i = 0; i < spikes; i++)
		timer_hist[60 + 10 * i] = 1;
	WorkloadThread timer = workload_thread(4242, "cyclictest", 2, timer_hist, 2100,
					       60000 + 10000 * (spikes - 1) + 500, spikes);
	timer.timer_wakeups = timer.wakeup.count;
	timer.self = {900000000, 0, 2, 10003, 40000000, 0, 10003, 4};
	timer.taken = {4, 300000, 30 * scale, 1500000 * scale, 61000};
	WorkloadThread poller =
		workload_thread(4250, "poller", 3, {0, 0, 0, 0, 0, 40, 10}, 5000, 6900, 0);
	poller.taken = {0, 0, 2000 * scale, 6000000 * scale, 9000};
	poller.self = {9800000000, 12, 1, 50, 100000, 1, 0, 2000};
	s.workload = {timer, poller};
	s.workload_threshold_ns = 50000;
	for (std::uint64_t i = 0; i < spikes; i++)
		s.workload_spikes.push_back(workload_spike(
			"cyclictest", 4242, 2, WorkloadSpikeType::wakeup, 100 + i * 1000,
			60000 + i * 10000,
			{{"irq", "24:virtio0-input", 40000}, {"thread", "kworker/2:1:87", 15000}}));
	s.workload_spikes.back().stack = {"virtnet_poll", "__napi_poll", "net_rx_action"};
	s.workload_spikes.push_back(workload_spike("poller", 4250, 3, WorkloadSpikeType::taken,
						   9500, 52000,
						   {{"local_timer", "tick_sched_timer", 3000}}));
	fill_percentiles(s);
	workload_percentiles(s);
	return s;
}

}  // namespace report_fixtures
