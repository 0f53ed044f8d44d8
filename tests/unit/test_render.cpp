// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "golden.hpp"
#include "render/render.hpp"
#include "report_fixtures.hpp"

using namespace rtnoise;

namespace {

std::string fixture(const std::string& name)
{
	std::ifstream in(std::string(RTNOISE_FIXTURES) + "/" + name);
	std::ostringstream out;
	out << in.rdbuf();
	return out.str();
}

LatencyStats stats(std::uint64_t count, std::uint64_t min_us, std::uint64_t avg_us,
		   std::uint64_t max_us, std::uint64_t overflows, std::vector<std::uint64_t> hist)
{
	LatencyStats l;
	l.count = count;
	l.min_ns = min_us * 1000;
	l.max_ns = max_us * 1000;
	l.sum_ns = avg_us * 1000 * count;
	l.overflows = overflows;
	l.hist = std::move(hist);
	return l;
}

Spike spike(unsigned cpu, LatType type, std::uint64_t cycle, std::uint64_t expected,
	    std::uint64_t observed)
{
	Spike s;
	s.cpu = cpu;
	s.type = type;
	s.seq = cycle;
	s.cycle = cycle;
	s.expected_ns = expected;
	s.observed_ns = observed;
	return s;
}

// Two CPUs whose thread latencies are those of the real `cyclictest -t2
// -h 5` run in fixtures/golden/cyclictest-t2-h5.txt: every sample overflowed.
Snapshot all_overflow()
{
	Snapshot s;
	s.kernel_release = "6.1.0-test";
	s.kernel_version = "#1 SMP PREEMPT_RT";
	s.sampled = true;
	s.state = SamplerState::stopped;
	s.period_ns = 1000000;
	s.threshold_ns = 5000;
	s.hist_buckets = 5;
	s.start_ns = 1000;
	s.end_ns = 1000 + 1000000000ULL;
	s.cpus.resize(2);
	s.cpus[0].cpu = 2;
	s.cpus[1].cpu = 3;
	s.cpus[0].of(LatType::thread) = stats(999, 61, 66, 1202, 999, {0, 0, 0, 0, 0});
	s.cpus[1].of(LatType::thread) = stats(1000, 28, 64, 130, 1000, {0, 0, 0, 0, 0});
	for (unsigned i = 0; i < 2; i++)
		for (std::uint64_t c = 0; c < 999u + i; c++)
			s.spikes.push_back(spike(s.cpus[i].cpu, LatType::thread, c,
						 s.start_ns + c * 1000000,
						 s.start_ns + c * 1000000 + 70000));
	return s;
}

Snapshot small()
{
	Snapshot s;
	s.kernel_release = "6.1.0-test";
	s.kernel_version = "#1 SMP";
	s.sampled = true;
	s.state = SamplerState::running;
	s.period_ns = 1000000;
	s.threshold_ns = 3000;
	s.hist_buckets = 4;
	s.prio = 95;
	s.start_ns = 5000000000ULL;
	s.end_ns = 7000000000ULL;
	CpuResult c;
	c.cpu = 1;
	c.running = true;
	c.hotplug_offline = 1;
	c.of(LatType::irq) = stats(10, 1, 1, 2, 0, {3, 7, 0, 0});
	c.of(LatType::thread) = stats(10, 2, 2, 9, 1, {0, 4, 5, 0});
	c.of(LatType::thread).spikes = 1;
	c.of(LatType::thread).missed = 2;
	s.cpus.push_back(c);
	s.spikes.push_back(spike(1, LatType::thread, 42, 5042000000ULL, 5042009000ULL));
	return s;
}

}  // namespace

TEST(RenderCyclictest, ByteIdenticalToRealCyclictest)
{
	EXPECT_EQ(render_cyclictest(all_overflow(), LatType::thread),
		  fixture("golden/cyclictest-t2-h5.txt"));
}

TEST(RenderCyclictest, HistogramRowsAndOutliers)
{
	std::string out = render_cyclictest(small(), LatType::thread);
	EXPECT_EQ(out, "# Histogram\n"
		       "000000 000000\n"
		       "000001 000004\n"
		       "000002 000005\n"
		       "000003 000000\n"
		       "# Total: 000000009\n"
		       "# Min Latencies: 00002\n"
		       "# Avg Latencies: 00002\n"
		       "# Max Latencies: 00009\n"
		       "# Histogram Overflows: 00001\n"
		       "# Histogram Overflow at cycle number:\n"
		       "# Thread 0: 00042\n"
		       "\n");
	std::string irq = render_cyclictest(small(), LatType::irq);
	EXPECT_NE(irq.find("000000 000003\n000001 000007\n"), std::string::npos);
	EXPECT_NE(irq.find("# Thread 0:\n"), std::string::npos);
}

TEST(RenderJson, FollowsTheDesignShape)
{
	auto j = nlohmann::json::parse(render_json(small()));
	EXPECT_EQ(j["version"], 1);
	EXPECT_EQ(j["kernel"], "6.1.0-test #1 SMP");
	EXPECT_EQ(j["period_ns"], 1000000);
	EXPECT_EQ(j["threshold_ns"], 3000);
	EXPECT_EQ(j["duration_ns"], 2000000000ULL);
	ASSERT_EQ(j["cpus"].size(), 1u);
	const auto& cpu = j["cpus"][0];
	EXPECT_EQ(cpu["cpu"], 1);
	for (const char* type : {"irq", "thread"})
		for (const char* key :
		     {"count", "min_ns", "avg_ns", "max_ns", "overflows", "histogram_us"})
			EXPECT_TRUE(cpu[type].contains(key)) << type << "." << key;
	EXPECT_EQ(cpu["irq"]["histogram_us"], nlohmann::json::parse(R"({"0": 3, "1": 7})"));
	EXPECT_EQ(cpu["thread"]["max_ns"], 9000);
	EXPECT_EQ(cpu["thread"]["overflows"], 1);
	EXPECT_EQ(cpu["thread"]["missed_periods"], 2);
	EXPECT_EQ(cpu["hotplug_offline"], 1);
	ASSERT_EQ(j["spikes"].size(), 1u);
	EXPECT_EQ(j["spikes"][0]["type"], "thread");
	EXPECT_EQ(j["spikes"][0]["at_ns"], 5042000000ULL);
	EXPECT_EQ(j["spikes"][0]["latency_ns"], 9000);
	EXPECT_TRUE(j["sources"].is_array());
	EXPECT_TRUE(j["tick"].is_array());
}

TEST(RenderText, SummaryRowAndSpikes)
{
	std::string out = render_text(small(), 10);
	EXPECT_NE(out.find("sampler running on CPUs 1 for 2.0 s: period 1 ms, "
			   "threshold 3 us, SCHED_FIFO 95"),
		  std::string::npos)
		<< out;
	EXPECT_NE(out.find("  1         10      1      1      2      0      0"
			   "         10      2      2      9      1      1      2\n"),
		  std::string::npos)
		<< out;
	EXPECT_NE(out.find("CPU 1   thread       9.0 us  at +0.042000 s  (cycle 42)"),
		  std::string::npos)
		<< out;
	EXPECT_NE(out.find("CPU 1 went offline 1 time(s)"), std::string::npos);
}

TEST(RenderText, TopLimitsTheSpikeList)
{
	std::string out = render_text(all_overflow(), 3);
	EXPECT_NE(out.find("1999 recorded; the 3 largest:"), std::string::npos) << out;
}

TEST(Render, DispatchesOnFormat)
{
	RenderOptions o;
	o.format = Format::json;
	EXPECT_EQ(render(small(), o).front(), '{');
	o.format = Format::cyclictest;
	EXPECT_EQ(render(small(), o).rfind("# Histogram", 0), 0u);
}

namespace {

// small(), attributed: its spike explained at spike time, with a stack,
// and a CPU whose tracer could not count everything.
Snapshot explained()
{
	Snapshot s = small();
	s.attributed = true;
	s.trace_start_ns = s.start_ns;
	Spike& sp = s.spikes[0];
	sp.explained = Explained::at_spike;
	sp.smis = 1;
	sp.causes = {{"thread", "noise-hog:42", 6000},
		     {"idle", "C1 (state1)", 2000},
		     {"smi", "1 SMI", 500}};
	sp.unexplained_ns = 500;
	sp.stack = {"do_syscall_64+0x10", "entry_SYSCALL_64+0x10"};
	s.cpus[0].noise.clamped = 2;
	s.cpus[0].noise.clamped_ns = 1500;
	s.cpus[0].noise.source_drops = 3;
	return s;
}

}  // namespace

TEST(RenderJson, SpikesSayHowTheyWereExplainedWithTheirStack)
{
	auto j = nlohmann::json::parse(render_json(explained()));
	const auto& sp = j["spikes"][0];
	EXPECT_EQ(sp["explained"], "spike");
	EXPECT_EQ(sp["smis"], 1);
	EXPECT_EQ(sp["causes"][1]["kind"], "idle");
	EXPECT_EQ(sp["causes"][1]["name"], "C1 (state1)");
	EXPECT_EQ(sp["stack"],
		  nlohmann::json::parse(R"(["do_syscall_64+0x10", "entry_SYSCALL_64+0x10"])"));
	const auto& noise = j["cpus"][0]["noise"];
	EXPECT_EQ(noise["incomplete"], true);
	EXPECT_EQ(noise["clamped"], 2);
	EXPECT_EQ(noise["clamped_ns"], 1500);
	EXPECT_EQ(noise["source_drops"], 3);
	EXPECT_EQ(noise["origin_drops"], 0);
}

TEST(RenderText, SpikesWithCausesStackAndIncompleteFigures)
{
	std::string out = render_text(explained(), 10);
	EXPECT_NE(out.find("1 explained when recorded, 0 from the event history, "
			   "0 without causes"),
		  std::string::npos)
		<< out;
	EXPECT_NE(out.find("      idle         C1 (state1)"), std::string::npos) << out;
	EXPECT_NE(out.find("      stack of noise-hog:42 where it held the CPU:\n"
			   "        do_syscall_64+0x10\n"
			   "        entry_SYSCALL_64+0x10\n"),
		  std::string::npos)
		<< out;
	EXPECT_NE(out.find("  incomplete: 0 contexts nested too deep, 2 nested longer "
			   "than themselves (1.5 us), 3 not summed"),
		  std::string::npos)
		<< out;
}

TEST(RenderText, LongNamesAreNotCut)
{
	// Longer than any fixed line buffer: a cause, a source and a stack
	// frame are printed whole.
	Snapshot s = explained();
	const std::string name = "noise-" + std::string(600, 'x') + "-end";
	s.spikes[0].causes[0].name = name;
	s.spikes[0].stack[0] = name + "+0x10";
	SourceRow r;
	r.cpu = 1;
	r.kind = "thread";
	r.name = name;
	r.count = 1;
	r.total_ns = 1000;
	r.max_ns = 1000;
	s.sources.push_back(r);
	std::string out = render_text(s, 10);
	EXPECT_NE(out.find("      thread       " + name + "       6.0 us\n"), std::string::npos)
		<< out;
	EXPECT_NE(out.find("  thread       " + name + "       1        1.0       1.0    0.5\n"),
		  std::string::npos)
		<< out;
	EXPECT_NE(out.find("      stack of " + name + " where it held the CPU:\n        " + name +
			   "+0x10\n"),
		  std::string::npos)
		<< out;
}

namespace {

// The run of fixtures/golden/cyclictest-t2-h5.json (`cyclictest --json=FILE -l 50
// -t2 -h 5 -q -m`), as rtnoise's model holds it.
Snapshot json_run()
{
	Snapshot s;
	s.sampled = true;
	s.hist_buckets = 5;
	s.cpus.resize(2);
	s.cpus[0].cpu = 0;
	s.cpus[1].cpu = 1;
	LatencyStats& a = s.cpus[0].of(LatType::thread);
	a.hist.assign(5, 0);
	a.count = 50;
	a.min_ns = 58000;
	a.max_ns = 5682000;
	a.sum_ns = 14012000;  // 280.24 us on average
	LatencyStats& b = s.cpus[1].of(LatType::thread);
	b.hist.assign(5, 0);
	b.count = 13;
	b.min_ns = 60000;
	b.max_ns = 13983000;
	b.sum_ns = 38507040;  // 2962.08 us
	return s;
}

CyclictestInfo json_info()
{
	CyclictestInfo i;
	i.cmdline = "cyclictest --json=/tmp/ct-results.json -l 50 -t2 -h 5 -q -m";
	i.version = "2.40";
	i.start_time = i.end_time = "Sun, 22 Nov 2026 16:25:03 +0000";
	i.sysname = "Linux";
	i.nodename = "vm";
	i.release = "6.18.44-fc-v657";
	i.kernel_version = "#1 SMP PREEMPT_DYNAMIC @0";
	i.machine = "x86_64";
	return i;
}

}  // namespace

TEST(RenderCyclictestJson, ByteIdenticalToRealCyclictest)
{
	EXPECT_EQ(render_cyclictest_json(json_run(), LatType::thread, json_info()),
		  fixture("golden/cyclictest-t2-h5.json"));
}

TEST(RenderCyclictestJson, HistogramEntriesAsCyclictestWritesThem)
{
	// fixtures/golden/cyclictest-t1-h20000.json: one thread, a histogram.
	const std::string want = fixture("golden/cyclictest-t1-h20000.json");
	auto j = nlohmann::json::parse(want);
	Snapshot s;
	s.sampled = true;
	s.cpus.resize(1);
	LatencyStats& l = s.cpus[0].of(LatType::thread);
	l.hist.assign(20000, 0);
	for (const auto& [us, n] : j["thread"]["0"]["histogram"].items())
		l.hist[std::stoul(us)] = n.get<std::uint64_t>();
	l.count = 300;
	l.min_ns = 51000;
	l.max_ns = 4590000;
	l.sum_ns = 45339000;  // 151.13 us
	CyclictestInfo i = json_info();
	i.cmdline = j["cmdline:"];
	i.start_time = i.end_time = j["start_time"];
	EXPECT_EQ(render_cyclictest_json(s, LatType::thread, i), want);
	// Valid JSON even when the command line needs escaping.
	i.cmdline = "rtnoise \"report\"\t\\";
	EXPECT_EQ(nlohmann::json::parse(render_cyclictest_json(s, LatType::thread, i))["cmdline:"],
		  i.cmdline);
}

TEST(Render, TextAndJsonCarryPercentiles)
{
	golden::expect("golden/report-percentiles.txt", render_text(report_fixtures::after(), 10));
}
