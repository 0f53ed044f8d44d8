// SPDX-License-Identifier: GPL-2.0
// The monitor's incremental read against today's full one: over a run
// that grows between reads, the same Prometheus text and spike lines;
// and the event rings left alone while the kernel joins every spike.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "analysis/series.hpp"
#include "app/increment.hpp"
#include "app/monitor.hpp"
#include "app/session.hpp"
#include "monitor_world.hpp"
#include "render/render.hpp"

using namespace rtnoise;
using rtnoise::test::MonitorWorld;

namespace {

// prometheus - what the monitor serves for s, the interval since before.
std::string prometheus(const Snapshot& s, const Snapshot* before)
{
	Metrics m = metrics_of(s, before, kSeriesSourcesDefault);
	RenderOptions ro;
	ro.format = Format::prometheus;
	ro.metrics = &m;
	ro.realtime_offset_ns = 0;
	return render(s, ro);
}

// Monitors - the two ways of monitoring one world, read side by side.
class Monitors {
public:
	explicit Monitors(MonitorWorld& w, const Workload& workload = {})
	    : world_(w), workload_(workload), increment_(w.delta_sources(), workload)
	{
	}

	// read - one interval both ways; their texts and spike lines equal.
	void read(const std::string& step)
	{
		SCOPED_TRACE(step);
		Snapshot full = collect(world_.full_sources(), workload_);
		Snapshot inc = increment_.read();
		EXPECT_EQ(prometheus(inc, prev_inc_ ? &*prev_inc_ : nullptr),
			  prometheus(full, prev_full_ ? &*prev_full_ : nullptr));
		EXPECT_EQ(lines(inc, inc_spikes_), lines(full, full_spikes_));
		logged_ += lines(inc, check_).size();
		prev_full_ = std::move(full);
		prev_inc_ = std::move(inc);
		prev_inc_->spikes = {};
	}

	const Increment& increment() const { return increment_; }
	std::size_t logged() const { return logged_; }

private:
	static std::vector<std::string> lines(const Snapshot& s, SpikeTracker& t)
	{
		std::vector<std::string> out;
		for (const Spike* sp : t.fresh(s))
			out.push_back(render_spike_line(*sp, s.attributed, 0));
		return out;
	}

	MonitorWorld& world_;
	Workload workload_;
	Increment increment_;
	std::optional<Snapshot> prev_full_, prev_inc_;
	SpikeTracker full_spikes_, inc_spikes_, check_;
	std::size_t logged_ = 0;
};

// grow - one interval of a world of CPUs 2-5: samples everywhere, a
// spike or two on each CPU, a kworker that keeps running on CPU 3.
void grow(MonitorWorld& w, unsigned round)
{
	for (unsigned cpu = 2; cpu <= 5; cpu++)
		for (LatType t : kLatTypes)
			w.samples(cpu, t, 1000 + round, 3 + cpu % 2);
	w.spike(2, LatType::thread, 60'000 + round * 1000);
	w.spike(3, LatType::irq, 40'000);
	w.spike(4, LatType::thread, 80'000, 30);
	w.source(3, kThread, 87, "kworker/3:1", 5'000 * (round + 1));
	w.event(3, kThread, 87, w.now_ns, w.now_ns + 5'000);
	w.tick(100'000'000);
}

}  // namespace

TEST(MonitorIncrement, SameTextAndLinesAsTheFullRead)
{
	MonitorWorld w({2, 3, 4, 5});
	// Spikes before the BPF side was attached have no join.
	w.trace_start_ns = w.now_ns + 1'500'000;
	w.spike(2, LatType::irq, 30'000);
	Monitors m(w);
	m.read("first read, a spike before the trace");

	grow(w, 1);
	m.read("spikes appear");

	w.source(5, kSoftirq, 1, "", 12'000);
	w.source(3, kHrtimer, 0xffffffff81000000ULL, "", 7'000);
	w.origin({3, kThread, 87, 0, 1, "systemd", 4, 0});
	w.running_threads.push_back({4, 500, "busy", w.now_ns - 50'000, 40'000, 0, false});
	m.read("sources move, a thread still running");
	w.running_threads.clear();

	// More spikes on CPU 2 than its ring keeps: some are lost.
	for (int i = 0; i < 12; i++)
		w.spike(2, LatType::thread, 55'000 + static_cast<std::uint64_t>(i) * 100);
	grow(w, 2);
	m.read("CPU 2's spike ring wrapped");

	// CPU 5: the kernel joins none of its spikes; the history does,
	// and one goes back further than its ring.
	w.unjoined_cpus.insert(5);
	w.spike(5, LatType::irq, 45'000, 40);
	w.spike(5, LatType::thread, 90'000, 41);
	grow(w, 3);
	m.read("CPU 5 without a kernel join");
	EXPECT_EQ(m.increment().rings_read(), CpuSet{5});

	for (int i = 0; i < 70; i++)
		w.event(5, kIrq, 42, w.now_ns + static_cast<std::uint64_t>(i) * 10,
			w.now_ns + static_cast<std::uint64_t>(i) * 10 + 5);
	w.tick(1'000'000);
	w.spike(5, LatType::irq, 100'000, 40);
	m.read("CPU 5's event ring wrapped");

	grow(w, 4);
	m.read("nothing unjoined new");
	EXPECT_TRUE(m.increment().rings_read().empty());
	m.read("nothing new at all");

	// Enough for CPU 5's unjoined spikes to leave its rings.
	w.unjoined_cpus.clear();
	for (int i = 0; i < 10; i++)
		w.spike(5, LatType::irq, 30'000);
	for (int i = 0; i < 10; i++)
		w.spike(5, LatType::thread, 30'000);
	m.read("CPU 5's unjoined spikes overwritten");
	// 48 spikes, of which 12 were overwritten before a read.
	EXPECT_EQ(m.logged(), 36u);
}

TEST(MonitorIncrement, SameOverRandomRuns)
{
	for (unsigned seed = 1; seed <= 4; seed++) {
		SCOPED_TRACE("seed " + std::to_string(seed));
		std::mt19937 rng(seed);
		auto below = [&](unsigned n) { return static_cast<unsigned>(rng() % n); };
		MonitorWorld w({0, 1, 2, 3, 5, 8});
		w.cap = 8;
		w.ring_size = 32;
		Monitors m(w);
		for (unsigned round = 0; round < 25; round++) {
			for (unsigned cpu : {0u, 1u, 2u, 3u, 5u, 8u}) {
				if (below(4) == 0)
					w.unjoined_cpus.insert(cpu);
				else if (below(3) == 0)
					w.unjoined_cpus.erase(cpu);
				w.samples(cpu, LatType::irq, below(500), below(120));
				for (unsigned n = below(12); n > 0; n--)
					w.spike(cpu, below(2) ? LatType::irq : LatType::thread,
						20'000 + below(200'000), 20 + below(3));
				for (unsigned n = below(40); n > 0; n--) {
					const std::uint64_t at = w.now_ns + below(900'000);
					w.event(cpu, kSoftirq, below(4), at, at + below(5'000) + 1,
						2);
				}
				if (below(2))
					w.source(cpu, kThread, 1000 + below(30),
						 "kworker/" + std::to_string(cpu) + ":" +
							 std::to_string(below(3)),
						 below(20'000) + 1);
			}
			w.running_threads.clear();
			if (below(2))
				w.running_threads.push_back(
					{1, 77, "stress", w.now_ns - 30'000, 20'000, 0, false});
			w.tick(below(3) * 10'000'000);
			m.read("round " + std::to_string(round));
		}
	}
}

TEST(MonitorIncrement, SameWhenAJoinIsStoredAfterItsSpikeWasRead)
{
	MonitorWorld w({0, 1});
	Monitors m(w);
	w.unjoined_cpus.insert(1);
	w.spike(1, LatType::irq, 50'000);
	w.spike(1, LatType::thread, 50'000);
	w.spike(0, LatType::irq, 50'000);
	m.read("two spikes without a join yet");
	w.unjoined_cpus.clear();
	w.join_late(1, LatType::irq);
	m.read("one joined late");
	// The other's entry taken by a newer spike's join first.
	for (int i = 0; i < 8; i++)
		w.spike(1, LatType::thread, 30'000);
	m.read("the other's entry overwritten");
}

TEST(MonitorIncrement, SameOnAKernelWithoutBpfLoop)
{
	MonitorWorld w({0, 1});
	w.limits = kLimitNoBpfLoop;
	w.cap = 4;
	Monitors m(w);
	for (unsigned round = 0; round < 4; round++) {
		w.samples(0, LatType::irq, 100, 2);
		w.spike(0, LatType::irq, 50'000);
		if (round % 2)
			w.spike(1, LatType::thread, 70'000, 25);
		for (int i = 0; i < static_cast<int>(round) * 3; i++)
			w.spike(0, LatType::thread, 20'000);
		w.tick(50'000'000);
		m.read("round " + std::to_string(round));
		// Only the CPUs with new spikes, each a round.
		const CpuSet want = round % 2 ? CpuSet{0, 1} : CpuSet{0};
		EXPECT_EQ(m.increment().rings_read(), want);
	}
}

TEST(MonitorIncrement, SameForAStoppedSamplerAndAWorkload)
{
	MonitorWorld w({1, 2});
	Workload workload;
	workload.comms = {"busy"};
	w.source(1, kThread, 500, "busy", 9'000);
	w.source(1, kThread, 501, "other", 3'000);
	Monitors m(w, workload);
	w.spike(1, LatType::thread, 45'000);
	m.read("a workload's thread is no source");
	w.running = false;
	w.spike(2, LatType::irq, 45'000);
	m.read("the sampler stopped");
	m.read("again");
}

TEST(MonitorIncrement, EventRingsUnreadWhileEverySpikeIsJoined)
{
	MonitorWorld w({0, 1, 2, 3});
	w.refuse_rings = true;
	Increment inc(w.delta_sources(), {});
	for (unsigned round = 0; round < 5; round++) {
		for (unsigned cpu = 0; cpu < 4; cpu++)
			for (int i = 0; i < 6; i++)
				w.spike(cpu, i % 2 ? LatType::irq : LatType::thread, 40'000 + cpu);
		w.tick(10'000'000);
		Snapshot s;
		ASSERT_NO_THROW(s = inc.read()) << "round " << round;
		EXPECT_EQ(s.spikes.size(), 24u);
		for (const Spike& sp : s.spikes)
			EXPECT_EQ(sp.explained, Explained::at_spike);
	}
	EXPECT_TRUE(w.rings_asked.empty());
	// Only the new spikes' entries were looked up: 3 per CPU and type.
	EXPECT_EQ(w.causes_asked, 5u * 4 * 2 * 3);

	// One unjoined spike: that CPU's ring, and only it, is asked for.
	w.refuse_rings = false;
	w.unjoined_cpus.insert(2);
	w.spike(2, LatType::irq, 40'000);
	w.spike(1, LatType::irq, 40'000);
	inc.read();
	EXPECT_EQ(w.rings_asked, CpuSet{2});
}

TEST(MonitorIncrement, LostSpikesAsAReadFromZeroCountsThem)
{
	MonitorWorld w({0});
	w.cap = 4;
	Increment inc(w.delta_sources(), {});
	std::uint64_t lost = 0;
	for (unsigned round = 0; round < 3; round++) {
		for (int i = 0; i < 10; i++)
			w.spike(0, LatType::irq, 30'000);
		const Snapshot s = inc.read();
		lost = s.cpus.at(0).of(LatType::irq).spikes_lost;
		EXPECT_EQ(lost, w.sampler_full().cpus.at(0).of(LatType::irq).spikes_lost);
	}
	// 30 written, 3 kept while the sampler runs.
	EXPECT_EQ(lost, 27u);
}

TEST(MonitorIncrement, KernelSymbolsLoadedAgainOnlyWhenModulesMove)
{
	char tmpl[] = "/tmp/rtnoise-ksyms-XXXXXX";
	const std::filesystem::path root = mkdtemp(tmpl);
	std::filesystem::create_directories(root / "proc");
	auto write = [&](const char* name, const std::string& text) {
		std::ofstream(root / "proc" / name) << text;
	};
	write("kallsyms", "ffffffff81000000 T start_kernel\n");
	write("modules", "virtio_net 61440 0 - Live 0xffffffffc0400000\n");
	unsigned keys = 0;
	auto ksyms = cached_ksyms(root, [&] {
		keys++;
		return KsymsKey{};
	});
	const auto first = ksyms();
	EXPECT_EQ(first->size(), 1u);
	// A use count that moved is no other layout.
	write("modules", "virtio_net 61440 3 - Live 0xffffffffc0400000\n");
	EXPECT_EQ(ksyms(), first);
	write("kallsyms",
	      "ffffffff81000000 T start_kernel\nffffffffc0500000 t rtnoise_tick\t[rtnoise]\n");
	write("modules", "virtio_net 61440 3 - Live 0xffffffffc0400000\n"
			 "rtnoise 40960 0 - Live 0xffffffffc0500000\n");
	const auto second = ksyms();
	EXPECT_NE(second, first);
	EXPECT_EQ(second->size(), 2u);
	EXPECT_EQ(keys, 1u);
	std::filesystem::remove_all(root);
}
