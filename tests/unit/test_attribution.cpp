// SPDX-License-Identifier: GPL-2.0
// The spike join and the noise budget, on hand-made event timelines.
#include <gtest/gtest.h>

#include "analysis/attribution.hpp"
#include "analysis/report_json.hpp"
#include "events.hpp"
#include "render/render.hpp"

#include <map>

#include <nlohmann/json.hpp>

using namespace rtnoise;
using rtnoise::test::ev;

namespace {

std::uint64_t part(const Explanation& x, unsigned kind, std::uint64_t id)
{
	for (const auto& p : x.parts)
		if (p.kind == kind && p.id == id)
			return p.ns;
	return 0;
}

std::uint64_t sum(const Explanation& x)
{
	std::uint64_t s = x.unexplained_ns;
	for (const auto& p : x.parts)
		s += p.ns;
	return s;
}

}  // namespace

TEST(ExplainWindow, NothingTracedIsAllUnexplained)
{
	Explanation x = explain_window({}, 100, 250);
	EXPECT_TRUE(x.parts.empty());
	EXPECT_EQ(x.unexplained_ns, 150u);
}

TEST(ExplainWindow, NestedEventsAreNotCountedTwice)
{
	// A thread [0,100) interrupted by a softirq [40,60), itself
	// interrupted by an IRQ [45,50). The window [30,70) is 40 ns.
	std::vector<TraceEvent> evs{
		ev(RTNOISE_KIND_THREAD, 7, 0, 0, 100, 80),
		ev(RTNOISE_KIND_SOFTIRQ, 1, 1, 40, 60, 15),
		ev(RTNOISE_KIND_IRQ, 24, 2, 45, 50),
	};
	Explanation x = explain_window(evs, 30, 70);
	EXPECT_EQ(part(x, RTNOISE_KIND_THREAD, 7), 20u);
	EXPECT_EQ(part(x, RTNOISE_KIND_SOFTIRQ, 1), 15u);
	EXPECT_EQ(part(x, RTNOISE_KIND_IRQ, 24), 5u);
	EXPECT_EQ(x.unexplained_ns, 0u);
	EXPECT_EQ(sum(x), 40u);
	EXPECT_EQ(x.parts.front().kind, unsigned(RTNOISE_KIND_THREAD));
}

TEST(ExplainWindow, GapsAreUnexplainedAndOutsideEventsIgnored)
{
	std::vector<TraceEvent> evs{
		ev(RTNOISE_KIND_IRQ, 24, 1, 0, 10),  // before
		ev(RTNOISE_KIND_HRTIMER, 0xabc, 1, 120, 150),
		ev(RTNOISE_KIND_WORKQUEUE, 0xdef, 1, 180, 190),
		ev(RTNOISE_KIND_IRQ, 25, 1, 400, 500),	// after
	};
	Explanation x = explain_window(evs, 100, 200);
	EXPECT_EQ(part(x, RTNOISE_KIND_HRTIMER, 0xabc), 30u);
	EXPECT_EQ(part(x, RTNOISE_KIND_WORKQUEUE, 0xdef), 10u);
	EXPECT_EQ(part(x, RTNOISE_KIND_IRQ, 24), 0u);
	EXPECT_EQ(part(x, RTNOISE_KIND_IRQ, 25), 0u);
	EXPECT_EQ(x.unexplained_ns, 60u);
}

TEST(ExplainWindow, RepeatedSourceIsSummed)
{
	std::vector<TraceEvent> evs{
		ev(RTNOISE_KIND_IPI, 2, 1, 10, 20),
		ev(RTNOISE_KIND_IPI, 2, 1, 30, 45),
	};
	Explanation x = explain_window(evs, 0, 50);
	ASSERT_EQ(x.parts.size(), 1u);
	EXPECT_EQ(x.parts[0].ns, 25u);
	EXPECT_EQ(x.unexplained_ns, 25u);
}

namespace {

Snapshot snapshot_with_spike()
{
	Snapshot s;
	s.sampled = true;
	s.state = SamplerState::running;
	s.start_ns = 1000;
	s.end_ns = 1000 + 1000000000ULL;  // 1 s
	CpuResult c;
	c.cpu = 3;
	s.cpus.push_back(c);
	Spike sp;
	sp.cpu = 3;
	sp.type = LatType::thread;
	sp.expected_ns = 500000;
	sp.observed_ns = 600000;  // 100 us late
	s.spikes.push_back(sp);
	return s;
}

TraceData trace_with_hog()
{
	TraceData t;
	t.start_ns = 1000;
	t.sources.push_back({3, RTNOISE_KIND_THREAD, 4242, 3, 90000, 80000, "noise-hog"});
	t.sources.push_back({3, RTNOISE_KIND_THREAD, 17, 2, 5000, 3000, "myapp"});
	t.sources.push_back({3, RTNOISE_KIND_IRQ, 24, 10, 10000, 2000, "virtio0-input"});
	t.sources.push_back({3, RTNOISE_KIND_TICK, 4, 6, 0, 0, ""});
	CpuTrace& c = t.cpus[3];
	c.events.push_back(ev(RTNOISE_KIND_THREAD, 4242, 0, 490000, 580000, 78000));
	c.events.push_back(ev(RTNOISE_KIND_IRQ, 24, 1, 550000, 552000));
	c.events.push_back(ev(RTNOISE_KIND_THREAD, 17, 0, 580000, 590000));
	return t;
}

}  // namespace

TEST(Attribute, SpikeCausesAndBudget)
{
	Snapshot s = snapshot_with_spike();
	attribute(s, trace_with_hog(), Ksyms::parse(""));

	ASSERT_TRUE(s.attributed);
	const Spike& sp = s.spikes[0];
	ASSERT_EQ(sp.causes.size(), 3u);
	EXPECT_EQ(sp.causes[0].kind, "thread");
	EXPECT_EQ(sp.causes[0].name, "noise-hog:4242");
	EXPECT_EQ(sp.causes[0].duration_ns, 78000u);
	EXPECT_EQ(sp.causes[1].name, "myapp:17");
	EXPECT_EQ(sp.causes[1].duration_ns, 10000u);
	EXPECT_EQ(sp.causes[2].name, "24:virtio0-input");
	EXPECT_EQ(sp.causes[2].duration_ns, 2000u);
	EXPECT_EQ(sp.unexplained_ns, 10000u);
	EXPECT_FALSE(sp.history_lost);

	// Sources, without the tick; the tick in its own table.
	ASSERT_EQ(s.sources.size(), 3u);
	EXPECT_EQ(s.sources[0].name, "noise-hog:4242");
	ASSERT_EQ(s.ticks.size(), 1u);
	EXPECT_EQ(s.ticks[0].reason, "SCHED");
	EXPECT_EQ(s.ticks[0].count, 6u);

	// 105 us of noise in 1 s.
	EXPECT_EQ(s.cpus[0].noise.total_ns, 105000u);
	EXPECT_NEAR(s.cpus[0].noise.per_second_us, 105.0, 1e-6);
	EXPECT_NEAR(s.cpus[0].noise.available_pct, 99.9895, 1e-4);
}

TEST(Attribute, WorkloadIsNeitherNoiseNorCause)
{
	Snapshot s = snapshot_with_spike();
	attribute(s, trace_with_hog(), Ksyms::parse(""), {"myapp"}, {});
	const Spike& sp = s.spikes[0];
	for (const Cause& c : sp.causes)
		EXPECT_NE(c.name, "myapp:17");
	EXPECT_EQ(sp.unexplained_ns, 20000u);
	EXPECT_EQ(s.sources.size(), 2u);
	EXPECT_EQ(s.cpus[0].noise.total_ns, 100000u);

	Snapshot by_pid = snapshot_with_spike();
	attribute(by_pid, trace_with_hog(), Ksyms::parse(""), {}, {4242});
	EXPECT_EQ(by_pid.spikes[0].causes[0].name, "myapp:17");
}

// The workload the BPF side followed: myapp (tid 17) on CPU 3, woken
// late once by its timer while noise-hog held the CPU (joined in the
// kernel), and once more late with no join (a kernel without one): that
// spike's causes come from the CPU's events.
TraceData trace_with_workload()
{
	TraceData t = trace_with_hog();
	TraceWorkloadThread w;
	w.tid = 17;
	w.tgid = 17;
	w.comm = "myapp";
	w.cpu = 3;
	w.wakeups = 4;
	w.timer_wakeups = 4;
	w.min_ns = 5000;
	w.max_ns = 100000;
	w.sum_ns = 125000;
	w.overflows = 1;
	w.hist.assign(21, 0);
	w.hist[5] = 1;
	w.hist[10] = 1;
	w.hist[20] = 1;
	w.preemptions = 2;
	w.preempted_ns = 30000;
	w.max_taken_ns = 20000;
	w.syscalls = 9;
	t.workload.push_back(w);
	TraceWorkloadThread idle = w;  // never ran on a watched CPU
	idle.tid = 18;
	idle.cpu = -1;
	idle.wakeups = 0;
	idle.run_ns = 0;
	t.workload.push_back(idle);
	TraceWorkloadSpike sp;
	sp.cpu = 3;
	sp.tid = 17;
	sp.comm = "myapp";
	sp.timer = true;
	sp.from_ns = 490000;
	sp.to_ns = 580000;
	sp.joined = true;
	sp.causes.parts = {{RTNOISE_KIND_THREAD, 4242, 88000}, {RTNOISE_KIND_IRQ, 24, 2000}};
	t.workload_spikes.push_back(sp);
	sp.joined = false;
	sp.kind = kWlTaken;
	sp.from_ns = 545000;
	sp.to_ns = 560000;
	sp.causes = {};
	t.workload_spikes.push_back(sp);
	t.workload_threshold_ns = 10000;
	return t;
}

TEST(Attribute, WorkloadThreadsAndTheirSpikes)
{
	Snapshot s = snapshot_with_spike();
	attribute(s, trace_with_workload(), Ksyms::parse(""));
	// Only the thread that ran on a watched CPU.
	ASSERT_EQ(s.workload.size(), 1u);
	const WorkloadThread& w = s.workload[0];
	EXPECT_EQ(w.comm, "myapp");
	EXPECT_EQ(w.cpu, 3);
	EXPECT_EQ(w.wakeup.count, 4u);
	EXPECT_EQ(w.wakeup.pct.samples, 4u);
	EXPECT_EQ(w.wakeup.pct.p50_us, 10u);
	EXPECT_FALSE(w.wakeup.pct.p99_us.has_value());	// among the overflows
	EXPECT_EQ(w.taken.total_ns(), 30000u);
	EXPECT_EQ(w.self.syscalls, 9u);
	// A followed thread is the workload's, though this report names none.
	for (const SourceRow& r : s.sources)
		EXPECT_NE(r.name, "myapp:17");
	// By time: the interruption ended first.
	ASSERT_EQ(s.workload_spikes.size(), 2u);
	const WorkloadSpike& joined = s.workload_spikes[1];
	EXPECT_EQ(joined.explained, Explained::at_spike);
	EXPECT_EQ(joined.latency_ns(), 90000u);
	ASSERT_EQ(joined.causes.size(), 2u);
	EXPECT_EQ(joined.causes[0].name, "noise-hog:4242");
	const WorkloadSpike& history = s.workload_spikes[0];
	EXPECT_EQ(history.type, WorkloadSpikeType::taken);
	EXPECT_EQ(history.explained, Explained::history);
	ASSERT_EQ(history.causes.size(), 2u);
	EXPECT_EQ(history.causes[0].name, "noise-hog:4242");
	EXPECT_EQ(history.causes[0].duration_ns, 13000u);
	EXPECT_EQ(history.causes[1].name, "24:virtio0-input");
	EXPECT_EQ(s.workload_threshold_ns, 10000u);
}

TEST(Attribute, SpikesOlderThanTheEventsSayHistoryLost)
{
	Snapshot s = snapshot_with_spike();
	TraceData t = trace_with_hog();
	t.cpus[3].lost = 5000;
	t.cpus[3].events.erase(t.cpus[3].events.begin());  // oldest gone
	t.cpus[3].events.erase(t.cpus[3].events.begin());
	t.cpus[3].events.front().start_ns = 700000;
	t.cpus[3].events.front().end_ns = 710000;
	attribute(s, t, Ksyms::parse(""));
	EXPECT_TRUE(s.spikes[0].history_lost);
	EXPECT_EQ(s.cpus[0].noise.events_lost, 5000u);
}

TEST(Remedy, KnownSourcesHaveOne)
{
	EXPECT_NE(remedy("irq", "24:virtio0-input", 3).find("/proc/irq/24/smp_affinity_list"),
		  std::string::npos);
	EXPECT_NE(remedy("workqueue", "vmstat_update", 3).find("vm.stat_interval"),
		  std::string::npos);
	EXPECT_NE(remedy("timer", "delayed_work_timer_fn", 3).find("timer_migration"),
		  std::string::npos);
	EXPECT_NE(remedy("softirq", "RCU", 3).find("rcu_nocbs=3"), std::string::npos);
	EXPECT_NE(remedy("thread", "kworker/3:1:87", 3).find("workqueue/cpumask"),
		  std::string::npos);
	EXPECT_NE(remedy("hrtimer", "sched_rt_period_timer", 3).find("sched_rt_runtime_us"),
		  std::string::npos);
	EXPECT_EQ(remedy("hrtimer", "some_driver_fn", 3), "");
}

TEST(Attribute, LongEventsThatBeganLongBeforeTheSpikeAreFound)
{
	Snapshot s = snapshot_with_spike();
	TraceData t;
	t.start_ns = 1000;
	CpuTrace& c = t.cpus[3];
	// A thread that ran from the start, then many short IRQs before the
	// spike; the join must still reach back to the thread.
	c.events.push_back(ev(RTNOISE_KIND_THREAD, 99, 0, 0, 900000, 800000));
	for (std::uint64_t i = 0; i < 1000; i++)
		c.events.push_back(
			ev(RTNOISE_KIND_IRQ, 24, 1, 1000 + i * 400, 1000 + i * 400 + 50));
	t.sources.push_back({3, RTNOISE_KIND_THREAD, 99, 1, 800000, 800000, "longrun"});
	attribute(s, t, Ksyms::parse(""));
	ASSERT_FALSE(s.spikes[0].causes.empty());
	EXPECT_EQ(s.spikes[0].causes[0].name, "longrun:99");
	EXPECT_EQ(s.spikes[0].causes[0].duration_ns, 100000u);
	EXPECT_EQ(s.spikes[0].unexplained_ns, 0u);
}

TEST(Attribute, OriginsAndRunningThreadsReachTheReport)
{
	TraceData t = trace_with_hog();
	t.sources.push_back({3, RTNOISE_KIND_IPI, RTNOISE_IPI_CALL_FUNCTION, 5, 4000, 1000, ""});
	t.sources.push_back({3, RTNOISE_KIND_WORKQUEUE, 0xffffffff81200000, 2, 3000, 2000, ""});
	// Wakers of the hog: one local, one remote and more frequent.
	t.origins.push_back({3, RTNOISE_KIND_THREAD, 4242, 3, 0, "swapper/3", 2, 0});
	t.origins.push_back({3, RTNOISE_KIND_THREAD, 4242, 0, 812, "noise-ping", 40, 0});
	// An IPI and the function it ran; work queued from CPU 1.
	t.origins.push_back({3, RTNOISE_KIND_IPI, RTNOISE_IPI_CALL_FUNCTION, 0, 99, "bash", 5,
			     0xffffffff81100010});
	t.origins.push_back({3, RTNOISE_KIND_WORKQUEUE, 0xffffffff81200000, 1, 7, "sh", 2, 0});
	// Caused something on CPU 3 that never ran, or on another CPU.
	t.origins.push_back({3, RTNOISE_KIND_THREAD, 5555, 0, 1, "init", 1, 0});
	t.origins.push_back({2, RTNOISE_KIND_THREAD, 4242, 0, 812, "noise-ping", 9, 0});

	t.sources[0].running = true;  // the hog, on the CPU when read

	Snapshot s = snapshot_with_spike();
	attribute(s, t,
		  Ksyms::parse("ffffffff81100000 T flush_tlb_func\n"
			       "ffffffff81200000 t vmstat_update\n"));
	std::map<std::string, const SourceRow*> by;
	for (const SourceRow& r : s.sources)
		by[r.kind + " " + r.name] = &r;

	const SourceRow* hog = by.at("thread noise-hog:4242");
	ASSERT_EQ(hog->origins.size(), 2u);
	EXPECT_EQ(hog->origins[0].comm, "noise-ping");
	EXPECT_EQ(hog->origins[0].cpu, 0u);
	EXPECT_EQ(hog->origins[0].pid, 812u);
	EXPECT_EQ(hog->origins[0].count, 40u);
	EXPECT_EQ(hog->origins[1].comm, "swapper/3");

	const SourceRow* ipi = by.at("ipi call_function");
	ASSERT_EQ(ipi->origins.size(), 1u);
	EXPECT_EQ(ipi->origins[0].via, "flush_tlb_func");
	const SourceRow* work = by.at("workqueue vmstat_update");
	ASSERT_EQ(work->origins.size(), 1u);
	EXPECT_EQ(work->origins[0].comm, "sh");
	EXPECT_TRUE(by.at("thread myapp:17")->origins.empty());

	const std::string json = render_json(s);
	EXPECT_NE(json.find("\"via\": \"flush_tlb_func\""), std::string::npos);
	const std::string text = render_text(s, 10);
	EXPECT_NE(text.find("from noise-ping:812 on CPU 0 x40, IRQ/idle on CPU 3 x2"),
		  std::string::npos)
		<< text;
	EXPECT_TRUE(hog->running);
	EXPECT_FALSE(by.at("thread myapp:17")->running);
	EXPECT_NE(text.find("noise-hog:4242 (running)"), std::string::npos) << text;
	EXPECT_NE(json.find("\"running\": true"), std::string::npos);
}

namespace {

// The causes the kernel-side join stored for the spike of
// snapshot_with_spike(), when the ring still held its events.
SpikeCauses kernel_causes()
{
	SpikeCauses c;
	c.expected_ns = 500000;
	c.observed_ns = 600000;
	c.parts = {{RTNOISE_KIND_THREAD, 4242, 60000},
		   {RTNOISE_KIND_IDLE, 1, 20000},
		   {RTNOISE_KIND_THREAD, 17, 8000},
		   {RTNOISE_KIND_IRQ, 24, 2000}};
	c.other_ns = 1000;
	c.steal_ns = 4000;
	c.smi_ns = 3000;
	c.smis = 2;
	c.unexplained_ns = 2000;
	c.stack_kind = RTNOISE_KIND_THREAD;
	c.stack_of = 4242;
	c.stack = {0xffffffff81000010, 0xffffffff81000110, 0xffffffff81000210};
	return c;
}

}  // namespace

TEST(Attribute, CausesJoinedAtSpikeTimeOutliveTheHistory)
{
	// The ring has wrapped: its oldest event is after the spike. The
	// causes the kernel stored when the spike was recorded still hold.
	Snapshot s = snapshot_with_spike();
	TraceData t = trace_with_hog();
	t.cpus[3].lost = 5000;
	t.cpus[3].events.clear();
	t.cpus[3].events.push_back(ev(RTNOISE_KIND_IRQ, 24, 1, 900000, 901000));
	t.explained.push_back({{3, 1, 0}, kernel_causes()});
	t.idle_names[{3, 1}] = "C1";
	attribute(s, t,
		  Ksyms::parse("ffffffff81000000 T asm_sysvec_apic_timer_interrupt\n"
			       "ffffffff81000100 T do_syscall_64\n"
			       "ffffffff81000200 T entry_SYSCALL_64\n"));
	const Spike& sp = s.spikes[0];
	EXPECT_EQ(sp.explained, Explained::at_spike);
	EXPECT_FALSE(sp.history_lost);
	ASSERT_EQ(sp.causes.size(), 7u);
	EXPECT_EQ(sp.causes[0].name, "noise-hog:4242");
	EXPECT_EQ(sp.causes[0].duration_ns, 60000u);
	EXPECT_EQ(sp.causes[1].kind, "idle");
	EXPECT_EQ(sp.causes[1].name, "C1 (state1)");
	EXPECT_EQ(sp.causes[2].name, "myapp:17");
	EXPECT_EQ(sp.causes[3].kind, "steal");
	EXPECT_EQ(sp.causes[3].duration_ns, 4000u);
	EXPECT_EQ(sp.causes[4].kind, "smi");
	EXPECT_EQ(sp.causes[4].name, "2 SMIs");
	EXPECT_EQ(sp.causes[5].kind, "irq");
	EXPECT_EQ(sp.causes[6].kind, "other");
	std::uint64_t sum = sp.unexplained_ns;
	for (const Cause& c : sp.causes)
		sum += c.duration_ns;
	EXPECT_EQ(sum, sp.latency_ns());
	// The stack, without the timer interrupt's own way in.
	ASSERT_EQ(sp.stack.size(), 2u);
	EXPECT_EQ(sp.stack[0], "do_syscall_64+0x10");
	EXPECT_EQ(sp.stack[1], "entry_SYSCALL_64+0x10");

	// The workload is no cause, in the kernel's list either.
	Snapshot w = snapshot_with_spike();
	attribute(w, t, Ksyms::parse(""), {"noise-hog"}, {});
	EXPECT_EQ(w.spikes[0].causes[0].kind, "idle");
	EXPECT_EQ(w.spikes[0].unexplained_ns, 62000u);
}

// Events the tracer saw overlapping beyond their nesting (a switch it
// missed, a context longer than the one around it) can give the kernel's
// join more causes than the window; seen under TCG: 15.3 ms of causes for
// a 10.7 ms spike. A spike's causes and remainder are its latency: the
// excess comes off the smallest causes.
TEST(Attribute, KernelCausesBeyondTheWindowAreTrimmedFromTheSmallest)
{
	Snapshot s = snapshot_with_spike();
	TraceData t = trace_with_hog();
	SpikeCauses c = kernel_causes();  // a 100 us window
	c.parts = {{RTNOISE_KIND_THREAD, 4242, 70000},
		   {RTNOISE_KIND_IDLE, 1, 25000},
		   {RTNOISE_KIND_IRQ, 24, 9000}};
	c.other_ns = 2000;
	c.steal_ns = 0;
	c.smi_ns = 0;
	c.smis = 0;
	c.unexplained_ns = 0;  // 106 us of causes
	t.explained.push_back({{3, 1, 0}, c});
	attribute(s, t, Ksyms::parse(""));
	const Spike& sp = s.spikes[0];
	ASSERT_EQ(sp.explained, Explained::at_spike);
	std::uint64_t sum = sp.unexplained_ns;
	for (const Cause& x : sp.causes)
		sum += x.duration_ns;
	EXPECT_EQ(sum, sp.latency_ns());
	ASSERT_EQ(sp.causes.size(), 3u) << "other (2 us) is gone, the IRQ has 5 us left";
	EXPECT_EQ(sp.causes[0].duration_ns, 70000u);
	EXPECT_EQ(sp.causes[1].duration_ns, 25000u);
	EXPECT_EQ(sp.causes[2].kind, "irq");
	EXPECT_EQ(sp.causes[2].duration_ns, 5000u);
	EXPECT_EQ(sp.unexplained_ns, 0u);
}

TEST(Attribute, AnotherSpikesCausesAreNotTaken)
{
	// The entry of that spike-ring position belongs to a later spike
	// (another window): fall back to the history, which still has it.
	Snapshot s = snapshot_with_spike();
	TraceData t = trace_with_hog();
	SpikeCauses c = kernel_causes();
	c.expected_ns = 700000;
	c.observed_ns = 750000;
	t.explained.push_back({{3, 1, 0}, c});
	attribute(s, t, Ksyms::parse(""));
	EXPECT_EQ(s.spikes[0].explained, Explained::history);
	EXPECT_EQ(s.spikes[0].causes[0].duration_ns, 78000u);
}

namespace {

// Two CPUs, both types, three sequence numbers each; the joins in the
// order @order of the list built below (one of them for a spike the
// module no longer holds), and one spike without a join: each spike
// must get its own causes.
void expect_each_spike_meets_its_join(unsigned lo, unsigned hi,
				      const std::vector<std::size_t>& order)
{
	Snapshot s;
	s.start_ns = 0;
	s.end_ns = 1000000000ULL;
	std::vector<std::pair<SpikeKey, SpikeCauses>> joins;
	for (unsigned cpu : {hi, lo}) {
		CpuResult c;
		c.cpu = cpu;
		s.cpus.push_back(c);
	}
	// The spikes by time, as the sampler hands them over.
	for (std::uint64_t seq = 0; seq < 3; seq++)
		for (unsigned cpu : {lo, hi})
			for (LatType type : {LatType::irq, LatType::thread}) {
				Spike sp;
				sp.cpu = cpu;
				sp.type = type;
				sp.seq = seq;
				sp.expected_ns = 1000000 * (seq + 1) + (cpu == hi ? 1000 : 0);
				sp.observed_ns = sp.expected_ns + 50000;
				s.spikes.push_back(sp);
				if (cpu == lo && type == LatType::irq && seq == 1)
					continue;  // never joined
				SpikeCauses c;
				c.expected_ns = sp.expected_ns;
				c.observed_ns = sp.observed_ns;
				// The cause names the spike.
				c.parts = {{RTNOISE_KIND_IRQ,
					    cpu * 100 + static_cast<unsigned>(type) * 10 + seq,
					    50000}};
				joins.push_back(
					{{cpu, static_cast<unsigned>(type), seq}, std::move(c)});
			}
	SpikeCauses gone;
	gone.expected_ns = 1;
	gone.observed_ns = 2;
	joins.push_back({{hi, 0, 7}, gone});
	TraceData t;
	t.cpus[lo];
	t.cpus[hi];
	for (std::size_t i : order)
		t.explained.push_back(joins[i]);

	attribute(s, t, Ksyms::parse(""));
	for (const Spike& sp : s.spikes) {
		const auto want = sp.cpu * 100 + static_cast<unsigned>(sp.type) * 10 + sp.seq;
		if (sp.cpu == lo && sp.type == LatType::irq && sp.seq == 1) {
			EXPECT_NE(sp.explained, Explained::at_spike);
			continue;
		}
		EXPECT_EQ(sp.explained, Explained::at_spike) << want;
		ASSERT_EQ(sp.causes.size(), 1u) << want;
		EXPECT_EQ(sp.causes[0].name, std::to_string(want)) << want;
	}
}

}  // namespace

TEST(Attribute, EachSpikeMeetsItsOwnKernelJoinInAnyOrder)
{
	// The causes map's order: by CPU slot and type, each a ring that
	// wrapped.
	expect_each_spike_meets_its_join(2, 3, {5, 11, 0, 9, 2, 7, 1, 10, 3, 8, 4, 6});
	// In key order already, and in the reverse of it.
	expect_each_spike_meets_its_join(2, 3, {0, 7, 1, 4, 8, 2, 5, 9, 11, 3, 6, 10});
	expect_each_spike_meets_its_join(2, 3, {10, 6, 3, 11, 9, 5, 2, 8, 4, 1, 7, 0});
}

TEST(Attribute, EachSpikeMeetsItsOwnKernelJoinOnCpusFarApart)
{
	// CPU numbers too sparse to count by: ordered by a sort instead.
	expect_each_spike_meets_its_join(2, 100000, {5, 11, 0, 9, 2, 7, 1, 10, 3, 8, 4, 6});
	expect_each_spike_meets_its_join(0, 4095, {11, 7, 3, 9, 5, 1, 10, 6, 2, 8, 4, 0});
}

TEST(Attribute, CausesOfEqualLengthKeepTheKernelsOrder)
{
	Snapshot s = snapshot_with_spike();
	TraceData t = trace_with_hog();
	SpikeCauses c = kernel_causes();
	// 30 us each: the kernel's largest-first order, then steal and SMIs.
	c.parts = {{RTNOISE_KIND_THREAD, 4242, 30000}, {RTNOISE_KIND_THREAD, 17, 30000}};
	c.other_ns = 0;
	c.steal_ns = 30000;
	c.smi_ns = 10000;
	c.unexplained_ns = 0;
	t.explained.push_back({{3, 1, 0}, c});
	attribute(s, t, Ksyms::parse(""));
	const Spike& sp = s.spikes[0];
	ASSERT_EQ(sp.causes.size(), 4u);
	EXPECT_EQ(sp.causes[0].name, "noise-hog:4242");
	EXPECT_EQ(sp.causes[1].name, "myapp:17");
	EXPECT_EQ(sp.causes[2].kind, "steal");
	EXPECT_EQ(sp.causes[3].kind, "smi");
}

TEST(Attribute, TheSamplersOwnEventsAreNoCause)
{
	Snapshot s = snapshot_with_spike();
	TraceData t = trace_with_hog();
	TraceEvent own = ev(RTNOISE_KIND_THREAD, 99, 0, 590000, 600000);
	own.flags = RTNOISE_EV_NOT_CAUSE;
	t.cpus[3].events.push_back(own);
	attribute(s, t, Ksyms::parse(""));
	for (const Cause& c : s.spikes[0].causes)
		EXPECT_NE(c.name, "?:99");
	EXPECT_EQ(s.spikes[0].unexplained_ns, 10000u);
}

TEST(Attribute, OverlappingWindowsInAnyOrderFindTheirOwnEvents)
{
	// Spikes listed out of time order, one window inside another, one
	// ending where a later one begins, and one before any event: each
	// gets what explain_window() finds in all the CPU's events.
	Snapshot s = snapshot_with_spike();
	s.spikes.clear();
	TraceData t;
	t.start_ns = 1000;
	CpuTrace& c = t.cpus[3];
	c.events.push_back(ev(RTNOISE_KIND_THREAD, 7, 0, 100000, 900000, 700000));
	c.events.push_back(ev(RTNOISE_KIND_IRQ, 24, 1, 200000, 260000));
	c.events.push_back(ev(RTNOISE_KIND_SOFTIRQ, 1, 1, 300000, 400000, 80000));
	c.events.push_back(ev(RTNOISE_KIND_HRTIMER, 0xabc, 2, 350000, 370000));
	c.events.push_back(ev(RTNOISE_KIND_IPI, 2, 1, 600000, 610000));
	c.events.push_back(ev(RTNOISE_KIND_THREAD, 8, 0, 900000, 990000));
	t.sources.push_back({3, RTNOISE_KIND_THREAD, 7, 1, 700000, 700000, "a"});
	t.sources.push_back({3, RTNOISE_KIND_THREAD, 8, 1, 90000, 90000, "b"});
	const std::vector<std::pair<std::uint64_t, std::uint64_t>> windows{
		{580000, 950000}, {250000, 620000}, {340000, 365000},
		{50000, 150000},  {620000, 640000}, {250000, 380000},
	};
	for (const auto& [from, to] : windows) {
		Spike sp;
		sp.cpu = 3;
		sp.type = LatType::irq;
		sp.seq = s.spikes.size();
		sp.expected_ns = from;
		sp.observed_ns = to;
		s.spikes.push_back(sp);
	}
	const std::vector<TraceEvent> all = c.events;
	attribute(s, t, Ksyms::parse(""));
	ASSERT_EQ(s.spikes.size(), windows.size());
	for (const Spike& sp : s.spikes) {
		SCOPED_TRACE(sp.expected_ns);
		const Explanation x = explain_window(all, sp.expected_ns, sp.observed_ns);
		EXPECT_EQ(sp.explained, Explained::history);
		EXPECT_EQ(sp.unexplained_ns, x.unexplained_ns);
		std::map<std::string, std::uint64_t> want, got;
		for (const auto& p : x.parts)
			want[kind_name(p.kind)] += p.ns;
		for (const Cause& cause : sp.causes)
			got[cause.kind] += cause.duration_ns;
		EXPECT_EQ(got, want);
	}
	// The window inside the softirq: the hrtimer nested in it, then it.
	EXPECT_EQ(s.spikes[2].causes.at(0).kind, "hrtimer");
	EXPECT_EQ(s.spikes[2].causes.at(0).duration_ns, 15000u);
	EXPECT_EQ(s.spikes[3].unexplained_ns, 50000u);
}

TEST(Attribute, ARunningThreadIsFoundBeforeWhatInterruptedItLater)
{
	// A busy loop on the CPU since 700 us, read at 1 ms: the IRQs that
	// interrupted it are in the ring, after it by start. A spike between
	// them is the loop's.
	Snapshot s = snapshot_with_spike();
	s.spikes[0].expected_ns = 760000;
	s.spikes[0].observed_ns = 800000;
	TraceData t;
	t.start_ns = 1000;
	CpuTrace& c = t.cpus[3];
	c.events.push_back(ev(RTNOISE_KIND_IRQ, 24, 1, 750000, 752000));
	c.events.push_back(ev(RTNOISE_KIND_IRQ, 24, 1, 900000, 902000));
	t.sources.push_back({3, RTNOISE_KIND_IRQ, 24, 2, 4000, 2000, "virtio0-input"});
	t.running.push_back({3, 900, "spin", 700000, 296000, 1000000, false});
	attribute(s, t, Ksyms::parse(""));
	const Spike& sp = s.spikes[0];
	ASSERT_EQ(sp.causes.size(), 1u);
	EXPECT_EQ(sp.causes[0].name, "spin:900");
	EXPECT_EQ(sp.causes[0].duration_ns, 40000u);
	EXPECT_EQ(sp.unexplained_ns, 0u);
}

TEST(SymbolizeStack, AStackTakenAtTheSwitchStartsAtSchedule)
{
	Ksyms k = Ksyms::parse("ffffffff81000000 T bpf_trace_run2\n"
			       "ffffffff81000100 T __schedule\n"
			       "ffffffff81000200 T do_nanosleep\n");
	auto frames =
		symbolize_stack({0xffffffff81000004, 0xffffffff81000110, 0xffffffff81000208}, k);
	ASSERT_EQ(frames.size(), 2u);
	EXPECT_EQ(frames[0], "__schedule+0x10");
	EXPECT_EQ(frames[1], "do_nanosleep+0x8");
}

TEST(SymbolizeStack, UserSpaceWhenOnlyTheInterruptPathIsLeft)
{
	Ksyms k = Ksyms::parse("ffffffff81000000 T hrtimer_interrupt\n"
			       "ffffffff81000100 T asm_sysvec_apic_timer_interrupt\n");
	auto frames = symbolize_stack({0xffffffff81000004, 0xffffffff81000104}, k);
	ASSERT_EQ(frames.size(), 1u);
	EXPECT_EQ(frames[0], "(user space)");
}

TEST(Attribute, SpikesWithoutTheKernelsJoinAreCountedByWhy)
{
	// Four spikes of CPU 3 the kernel's joins (capacity 4) do not explain:
	// seq 0 was recorded before the trace began, seq 1's entry holds
	// seq 5 (overwritten), seq 2's holds another window (mismatch), seq 3's
	// was never written (not run). Seq 4 is joined.
	Snapshot s = snapshot_with_spike();
	s.spikes.clear();
	TraceData t = trace_with_hog();
	t.start_ns = 1000000;
	t.causes_capacity = 4;
	for (std::uint64_t seq = 0; seq < 5; seq++) {
		Spike sp;
		sp.cpu = 3;
		sp.type = LatType::thread;
		sp.seq = seq;
		sp.expected_ns = seq ? 2000000 * seq : 500000;
		sp.observed_ns = sp.expected_ns + 100000;
		s.spikes.push_back(sp);
	}
	auto joined = [](std::uint64_t expected) {
		SpikeCauses c = kernel_causes();
		c.expected_ns = expected;
		c.observed_ns = expected + 100000;
		return c;
	};
	t.explained.push_back({{3, 1, 5}, joined(10000000)});
	t.explained.push_back({{3, 1, 2}, joined(4000001)});
	t.explained.push_back({{3, 1, 4}, joined(8000000)});
	attribute(s, t, Ksyms::parse(""));

	const JoinMissing want[] = {JoinMissing::before_trace, JoinMissing::overwritten,
				    JoinMissing::mismatch, JoinMissing::not_run, JoinMissing::none};
	for (std::size_t i = 0; i < s.spikes.size(); i++)
		EXPECT_EQ(s.spikes[i].join_missing, want[i]) << "spike " << i;
	EXPECT_EQ(s.spikes[4].explained, Explained::at_spike);
	const auto& n = s.cpus[0].noise.joins_missing;
	EXPECT_EQ(n[0], 0u);
	for (std::size_t r = 1; r < kJoinMissingCount; r++) {
		if (static_cast<JoinMissing>(r) != JoinMissing::unsupported) {
			EXPECT_EQ(n[r], 1u) << join_missing_name(static_cast<JoinMissing>(r));
		}
	}
	EXPECT_EQ(n[static_cast<std::size_t>(JoinMissing::unsupported)], 0u);

	// Each reason in the JSON report, which reads back as it was.
	const std::string json = render_json(s);
	EXPECT_NE(json.find("\"join_missing\": \"overwritten\""), std::string::npos) << json;
	Snapshot back = read_report_json(json);
	ASSERT_EQ(back.spikes.size(), s.spikes.size());
	for (std::size_t i = 0; i < s.spikes.size(); i++)
		EXPECT_EQ(back.spikes[i].join_missing, want[i]) << "spike " << i;
	EXPECT_EQ(back.cpus[0].noise.joins_missing, n);

	// A report of an earlier release, which had no such counts, still reads.
	auto older = nlohmann::json::parse(json);
	for (auto& c : older["cpus"])
		c["noise"].erase("joins_missing");
	for (auto& sp : older["spikes"])
		sp.erase("join_missing");
	Snapshot old = read_report_json(older.dump());
	EXPECT_EQ(old.cpus[0].noise.joins_missing[1], 0u);
	EXPECT_EQ(old.spikes[1].join_missing, JoinMissing::none);
}

TEST(Attribute, AKernelWithoutTheJoinIsNamedAndItsSpikesSayWhy)
{
	// A kernel without bpf_loop (5.10) loads no spike-time join: every
	// spike recorded while attached is "unsupported", not "not_run", and
	// the report names the limits, in JSON too, and reads them back.
	Snapshot s = snapshot_with_spike();
	TraceData t = trace_with_hog();
	t.causes_capacity = 4;
	t.limits = kLimitNoFetchAtomics | kLimitNoBpfLoop | kLimitNoRename;
	t.refused = {"softirq_entry_btf"};
	t.cpus[3].nested = 7;
	t.cpus[3].preempted = 2;
	attribute(s, t, Ksyms::parse(""));

	ASSERT_FALSE(s.spikes.empty());
	for (const Spike& sp : s.spikes) {
		EXPECT_EQ(sp.join_missing, JoinMissing::unsupported);
		EXPECT_NE(sp.explained, Explained::at_spike);
	}
	std::vector<std::string> names;
	for (const TraceLimit& l : s.limits)
		names.push_back(l.name);
	EXPECT_EQ(names, (std::vector<std::string>{"no_fetch_atomics", "no_bpf_loop", "no_rename",
						   "refused:softirq_entry_btf"}));
	const CpuResult& c = s.cpus[0];
	EXPECT_EQ(c.noise.nested, 7u);
	EXPECT_EQ(c.noise.preempted, 2u);
	EXPECT_TRUE(c.noise.incomplete());

	const std::string text = render_text(s, 10);
	EXPECT_NE(text.find("BPF limit (no_bpf_loop): this kernel has no bpf_loop"),
		  std::string::npos)
		<< text;
	EXPECT_NE(text.find("the kernel cannot join at spike time"), std::string::npos) << text;
	Snapshot back = read_report_json(render_json(s));
	ASSERT_EQ(back.limits.size(), s.limits.size());
	for (std::size_t i = 0; i < s.limits.size(); i++) {
		EXPECT_EQ(back.limits[i].name, s.limits[i].name);
		EXPECT_EQ(back.limits[i].effect, s.limits[i].effect);
	}
	EXPECT_EQ(back.spikes.front().join_missing, JoinMissing::unsupported);
	EXPECT_EQ(back.cpus[0].noise.nested, 7u);
	EXPECT_EQ(back.cpus[0].noise.preempted, 2u);
}

TEST(Attribute, ParkedContextsNotKeptMakeTheCpuIncompleteAndStaleOnesAreCounted)
{
	// A sleeping thread's contexts the parked map had no room for were
	// charged to the thread: the CPU's figures are incomplete, and say
	// why. Stale entries dropped are correct, and only counted.
	Snapshot s = snapshot_with_spike();
	TraceData t = trace_with_hog();
	t.cpus[3].parked_stale = 5;
	attribute(s, t, Ksyms::parse(""));
	EXPECT_EQ(s.cpus[0].noise.parked_stale, 5u);
	EXPECT_FALSE(s.cpus[0].noise.incomplete());

	t.cpus[3].parked_lost = 3;
	attribute(s, t, Ksyms::parse(""));
	const CpuResult& c = s.cpus[0];
	EXPECT_EQ(c.noise.parked_lost, 3u);
	EXPECT_TRUE(c.noise.incomplete());
	const std::string text = render_text(s, 10);
	EXPECT_NE(text.find("3 sleeping threads' contexts not kept (parked map full)"),
		  std::string::npos)
		<< text;
	Snapshot back = read_report_json(render_json(s));
	EXPECT_EQ(back.cpus[0].noise.parked_lost, 3u);
	EXPECT_EQ(back.cpus[0].noise.parked_stale, 5u);
	EXPECT_TRUE(back.cpus[0].noise.incomplete());
}

TEST(Attribute, NoJoinsInTheKernelWithoutASamplerAtAttach)
{
	Snapshot s = snapshot_with_spike();
	TraceData t = trace_with_hog();
	t.causes_capacity = 0;
	attribute(s, t, Ksyms::parse(""));
	EXPECT_EQ(s.spikes[0].join_missing, JoinMissing::not_run);
	EXPECT_EQ(s.spikes[0].explained, Explained::history) << "the history still explains it";
}

namespace {

// named_parts - what a report shows of @s's names: each source, tick and
// spike cause as "kind name".
std::vector<std::string> named_parts(const Snapshot& s)
{
	std::vector<std::string> out;
	for (const SourceRow& r : s.sources)
		out.push_back(r.kind + " " + r.name + " " + r.remedy);
	for (const TickRow& t : s.ticks)
		out.push_back("tick " + t.reason + " " + t.remedy);
	for (const Spike& sp : s.spikes)
		for (const Cause& c : sp.causes)
			out.push_back(c.kind + " " + c.name);
	return out;
}

}  // namespace

TEST(SourceNames, KeptAcrossAttributionsTheyNameAsAFreshOneWould)
{
	const Ksyms ksyms = Ksyms::parse("");
	SourceNames names;
	// each - one attribution with the names kept, and one made afresh.
	auto each = [&](const TraceData& t) {
		Snapshot kept = snapshot_with_spike(), fresh = snapshot_with_spike();
		attribute(kept, t, ksyms, {}, {}, &names);
		attribute(fresh, t, ksyms);
		EXPECT_EQ(named_parts(kept), named_parts(fresh));
		return named_parts(kept);
	};
	TraceData t = trace_with_hog();
	const auto first = each(t);
	EXPECT_NE(std::find(first.begin(), first.end(), "irq 24:virtio0-input"), first.end());
	EXPECT_EQ(names.size(), t.sources.size());

	// The hog renamed itself: named again.
	t.sources[0].comm = "noise-hog2";
	const auto renamed = each(t);
	EXPECT_NE(std::find(renamed.begin(), renamed.end(), "thread noise-hog2:4242"),
		  renamed.end());

	// The IRQ's source gone, its event still in the history: its name
	// is no longer the one it had.
	t.sources.erase(t.sources.begin() + 2);
	const auto gone = each(t);
	EXPECT_NE(std::find(gone.begin(), gone.end(), "irq 24"), gone.end());
	EXPECT_EQ(std::find(gone.begin(), gone.end(), "irq 24:virtio0-input"), gone.end());
}

TEST(SourceNames, ThreadsThatCameAndWentAreForgotten)
{
	const Ksyms ksyms = Ksyms::parse("");
	SourceNames names;
	TraceData t;
	t.start_ns = 1000;
	for (std::uint64_t round = 0; round < 4; round++) {
		t.sources.clear();
		for (std::uint64_t pid = 0; pid < 2000; pid++)
			t.sources.push_back({3, RTNOISE_KIND_THREAD, round * 10000 + pid, 1, 10, 10,
					     "short-lived"});
		Snapshot s = snapshot_with_spike();
		attribute(s, t, ksyms, {}, {}, &names);
	}
	// At most what one attribution named, and the slack end() leaves.
	EXPECT_LE(names.size(), 2 * 2000 + 1024);
	EXPECT_GE(names.size(), 2000u);
}
