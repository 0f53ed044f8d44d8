// SPDX-License-Identifier: GPL-2.0
// The Prometheus exposition against its golden file (which the
// prometheus_* ctest tests feed to promtool), and label escaping.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "analysis/series.hpp"
#include "render/render.hpp"

using namespace rtnoise;

namespace {

std::string golden_path()
{
	return std::string(RTNOISE_FIXTURES) + "/golden/prometheus.txt";
}

std::string read(const std::string& path)
{
	std::ifstream in(path);
	std::ostringstream out;
	out << in.rdbuf();
	return out.str();
}

LatencyStats stats(std::uint64_t count, std::uint64_t min_ns, std::uint64_t max_ns,
		   std::uint64_t sum_ns, std::vector<std::uint64_t> hist)
{
	LatencyStats l;
	l.count = count;
	l.min_ns = min_ns;
	l.max_ns = max_ns;
	l.sum_ns = sum_ns;
	l.hist = std::move(hist);
	std::uint64_t in = 0;
	for (std::uint64_t h : l.hist)
		in += h;
	l.overflows = count - in;
	return l;
}

SourceRow source(unsigned cpu, std::string kind, std::string name, std::uint64_t count,
		 std::uint64_t total_ns, std::uint64_t max_ns)
{
	SourceRow r;
	r.cpu = cpu;
	r.kind = std::move(kind);
	r.name = std::move(name);
	r.count = count;
	r.total_ns = total_ns;
	r.max_ns = max_ns;
	return r;
}

// Two watched CPUs, one of them offline now, a 12 µs histogram, and
// sources whose names need every kind of escaping, two kworkers.
Snapshot fleet()
{
	Snapshot s;
	s.kernel_release = "6.1.0-56-amd64";
	s.kernel_version = "#1 SMP PREEMPT_DYNAMIC";
	s.sampled = true;
	s.state = SamplerState::running;
	s.period_ns = 1000000;
	s.threshold_ns = 10000;
	s.hist_buckets = 12;
	s.start_ns = 100'000'000'000ULL;
	s.end_ns = 160'000'000'000ULL;
	s.attributed = true;
	s.trace_start_ns = s.start_ns;
	CpuResult c2;
	c2.cpu = 2;
	c2.running = true;
	c2.of(LatType::irq) = stats(60000, 800, 4200, 60000ULL * 1500,
				    {0, 41000, 18000, 900, 80, 20, 0, 0, 0, 0, 0, 0});
	c2.of(LatType::thread) = stats(60000, 2100, 250000, 60000ULL * 4000,
				       {0, 0, 100, 30000, 25000, 4000, 800, 50, 20, 10, 10, 5});
	c2.of(LatType::thread).spikes = 17;
	c2.of(LatType::thread).missed = 3;
	c2.noise.total_ns = 120'000'000;
	c2.noise.events_lost = 4;
	c2.noise.clamped = 1;
	CpuResult c3;
	c3.cpu = 3;
	c3.running = false;
	c3.hotplug_offline = 2;
	c3.start_error = 0;
	c3.of(LatType::irq) = stats(30000, 900, 3000, 30000ULL * 1400,
				    {0, 20000, 9000, 1000, 0, 0, 0, 0, 0, 0, 0, 0});
	c3.of(LatType::thread) = stats(30000, 2000, 9000, 30000ULL * 3500,
				       {0, 0, 50, 20000, 9000, 900, 40, 5, 5, 0, 0, 0});
	s.cpus = {c2, c3};
	s.sources = {source(2, "irq", "24:virtio0-input", 3000, 90'000'000, 55000),
		     source(2, "thread", "say \"hi\"\\now:812", 20, 25'000'000, 2'000'000),
		     source(2, "workqueue", "vmstat_update", 60, 4'000'000, 90000),
		     // one label, kworker/2
		     source(2, "thread", "kworker/2:1:90", 40, 6'000'000, 300000),
		     source(2, "thread", "kworker/2:3:4711", 8, 1'000'000, 700000),
		     source(3, "thread", "bad\\xff:77", 5, 1'000'000, 400000),
		     source(3, "timer", "line\nbreak", 1, 12345, 12345)};
	s.ticks = {{2, "POSIX_TIMER", 42, ""}, {3, "SCHED", 7, ""}};
	return s;
}

constexpr std::int64_t kOffset = 1'700'000'000'000'000'000LL;  // monotonic 0 in 2023

// prom - the exposition of s as the monitor's first read makes it.
std::string prom(const Snapshot& s, std::int64_t offset)
{
	return render_prometheus(s, metrics_of(s, nullptr, kSeriesSourcesDefault), offset);
}

}  // namespace

// RTNOISE_UPDATE_GOLDEN=1 rewrites the golden file (review its diff).
// Three sources a CPU: CPU 2's fourth, vmstat_update, is its "other".
TEST(RenderPrometheus, MatchesTheGoldenFile)
{
	const std::string out =
		render_prometheus(fleet(), metrics_of(fleet(), nullptr, 3), kOffset);
	if (std::getenv("RTNOISE_UPDATE_GOLDEN"))
		std::ofstream(golden_path()) << out;
	EXPECT_EQ(out, read(golden_path()));
}

TEST(RenderPrometheus, BucketsAreCumulativeUpToTheHistogramSize)
{
	const std::string out = prom(fleet(), kOffset);
	// The thread histogram of CPU 2: under 1 µs none, under 2 none,
	// under 5: 100 + 30000 + 25000, under 10: + 4000 + 800 + 50 + 20 +
	// 10; 12 µs of histogram: no bound of 20 µs.
	const std::string l = "rtnoise_latency_seconds_bucket{cpu=\"2\",type=\"thread\",";
	EXPECT_NE(out.find(l + "le=\"1e-06\"} 0\n"), std::string::npos);
	EXPECT_NE(out.find(l + "le=\"5e-06\"} 55100\n"), std::string::npos);
	EXPECT_NE(out.find(l + "le=\"1e-05\"} 59980\n"), std::string::npos);
	EXPECT_EQ(out.find(l + "le=\"2e-05\"}"), std::string::npos);
	EXPECT_NE(out.find(l + "le=\"+Inf\"} 60000\n"), std::string::npos);
	EXPECT_NE(out.find("rtnoise_latency_seconds_sum{cpu=\"2\",type=\"thread\"} 0.24\n"),
		  std::string::npos);
	EXPECT_NE(out.find("rtnoise_latency_max_seconds{cpu=\"2\",type=\"thread\"} 0.00025\n"),
		  std::string::npos);
	EXPECT_NE(out.find("rtnoise_sampling{cpu=\"3\"} 0\n"), std::string::npos);
	EXPECT_NE(out.find("rtnoise_start_time_seconds 1700000100\n"), std::string::npos);
}

// A thread is a series per comm, not per pid; the sampler's state is a
// value, not a label of rtnoise_info, so neither churns.
TEST(RenderPrometheus, LabelsThatDoNotChurn)
{
	const std::string out = prom(fleet(), kOffset);
	EXPECT_EQ(out.find(":812\""), std::string::npos);
	EXPECT_NE(out.find("rtnoise_noise_events_total{cpu=\"2\",kind=\"thread\","
			   "name=\"say \\\"hi\\\"\\\\now\"} 20\n"),
		  std::string::npos)
		<< out;
	EXPECT_NE(out.find("rtnoise_info{kernel=\"6.1.0-56-amd64\",sampled=\"1\",attributed=\"1\"} "
			   "1\n"),
		  std::string::npos);
	EXPECT_EQ(out.find("state=\""), std::string::npos);
	EXPECT_NE(out.find("\nrtnoise_sampler_running 1\n"), std::string::npos);
	Snapshot stopped = fleet();
	stopped.state = SamplerState::stopped;
	EXPECT_NE(prom(stopped, 0).find("\nrtnoise_sampler_running 0\n"), std::string::npos);
	EXPECT_NE(out.find("rtnoise_sources_folded{cpu=\"3\"} 0\n"), std::string::npos);
	EXPECT_NE(out.find("rtnoise_latency_interval_max_seconds{cpu=\"2\",type=\"thread\"} "
			   "0.00025\n"),
		  std::string::npos);
}

TEST(RenderPrometheus, RacingTotalNeverBreaksCumulation)
{
	Snapshot s = fleet();
	s.cpus[0].of(LatType::irq).count = 10;	// read before the buckets
	const std::string out = prom(s, 0);
	EXPECT_NE(out.find("rtnoise_latency_seconds_bucket{cpu=\"2\",type=\"irq\",le=\"+Inf\"} "
			   "60000\n"),
		  std::string::npos);
}

TEST(RenderPrometheus, WithoutAttributionNoNoiseFamilies)
{
	Snapshot s = fleet();
	s.attributed = false;
	const std::string out = prom(s, 0);
	EXPECT_EQ(out.find("rtnoise_noise_seconds_total"), std::string::npos);
	EXPECT_NE(out.find("# TYPE rtnoise_latency_seconds histogram\n"), std::string::npos);
	s.sampled = false;
	s.attributed = true;
	const std::string bpf_only = prom(s, 0);
	EXPECT_EQ(bpf_only.find("rtnoise_latency_seconds"), std::string::npos);
	EXPECT_NE(bpf_only.find("# TYPE rtnoise_noise_seconds_total counter\n"), std::string::npos);
}

TEST(RenderPrometheus, DispatchedByFormat)
{
	RenderOptions o;
	o.format = Format::prometheus;
	o.realtime_offset_ns = kOffset;
	// The series are analysis/'s: without them, no exposition.
	EXPECT_THROW(render(fleet(), o), std::logic_error);
	const Metrics m = metrics_of(fleet(), nullptr, kSeriesSourcesDefault);
	o.metrics = &m;
	EXPECT_EQ(render(fleet(), o), prom(fleet(), kOffset));
}

TEST(PrometheusLabel, EscapesBackslashQuoteNewline)
{
	EXPECT_EQ(prometheus_label_value("plain"), "plain");
	EXPECT_EQ(prometheus_label_value("a\\b"), "a\\\\b");
	EXPECT_EQ(prometheus_label_value("say \"hi\""), "say \\\"hi\\\"");
	EXPECT_EQ(prometheus_label_value("two\nlines"), "two\\nlines");
	EXPECT_EQ(prometheus_label_value("ü中"), "ü中");
}

TEST(PrometheusLabel, InvalidUtf8IsEscapedFirst)
{
	// escape_name's \xff, whose backslash the exposition escapes again.
	EXPECT_EQ(prometheus_label_value("bad\xff"), "bad\\\\xff");
	EXPECT_EQ(prometheus_label_value(std::string("nul\0x", 5)), "nul\\\\x00x");
}

// The spike log's lines are written without a document: each must be
// what nlohmann's compact dump of the same object is, with every
// optional key, control bytes and bytes that are not UTF-8 in its names.
TEST(SpikeLine, TheBytesOfNlohmannsCompactDump)
{
	Spike sp;
	sp.cpu = 7;
	sp.type = LatType::irq;
	sp.seq = 123456;
	sp.cycle = 99;
	sp.expected_ns = 6'000'000'000ULL;
	sp.observed_ns = 6'000'500'000ULL;
	sp.causes = {{"thread", "a\"b\\c\x01\xff", 300000}, {"softirq", "TIMER", 1}};
	sp.stack = {"__schedule+0x4f8", "do_\x7f\xc3(nop)", "\t"};
	sp.unexplained_ns = 7;
	sp.explained = Explained::history;
	sp.join_missing = JoinMissing::overwritten;
	sp.cut = true;
	sp.history_lost = true;
	sp.smis = 3;
	for (bool attributed : {true, false}) {
		for (std::int64_t offset : {std::int64_t{0}, kOffset}) {
			const std::string line = render_spike_line(sp, attributed, offset);
			ASSERT_FALSE(line.empty());
			EXPECT_EQ(line.back(), '\n');
			const nlohmann::json j = nlohmann::json::parse(line);
			EXPECT_EQ(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
					  "\n",
				  line);
			EXPECT_EQ(j.contains("stack"), attributed);
			EXPECT_EQ(j.contains("time"), offset != 0);
			EXPECT_EQ(j["seq"], 123456);
			EXPECT_TRUE(j.contains("smis") && j.contains("history_lost"));
		}
	}
}

TEST(SpikeLine, OneJsonObjectOnOneLine)
{
	Spike sp;
	sp.cpu = 3;
	sp.type = LatType::thread;
	sp.seq = 9;
	sp.cycle = 1234;
	sp.expected_ns = 5'000'000'000ULL;
	sp.observed_ns = 5'000'250'000ULL;
	sp.causes = {{"thread", "noise\nhog:42", 200000}, {"irq", "24:virtio0-input", 30000}};
	sp.unexplained_ns = 20000;
	sp.explained = Explained::at_spike;
	EXPECT_EQ(render_spike_line(sp, true, kOffset),
		  "{\"at_ns\":5000000000,\"causes\":[{\"duration_ns\":200000,\"kind\":"
		  "\"thread\",\"name\":\"noise\\nhog:42\"},{\"duration_ns\":30000,\"kind\":"
		  "\"irq\",\"name\":\"24:virtio0-input\"}],\"cpu\":3,\"cycle\":1234,"
		  "\"explained\":\"spike\",\"latency_ns\":250000,\"observed_ns\":5000250000,"
		  "\"seq\":9,\"time\":\"2023-11-14T22:13:25.000000Z\",\"type\":\"thread\","
		  "\"unexplained_ns\":20000}\n");
	// Without a clock, no time; without attribution, all unexplained.
	const std::string bare = render_spike_line(sp, false, 0);
	EXPECT_EQ(bare.find("\"time\""), std::string::npos);
	EXPECT_NE(bare.find("\"unexplained_ns\":250000"), std::string::npos);
	EXPECT_EQ(bare.find('\n'), bare.size() - 1);
}
