// SPDX-License-Identifier: GPL-2.0
// The Prometheus exposition's series: sources under labels that do not
// churn (a comm, not a pid; at most N per CPU and "other"), the interval
// maxima from two reads, and the bound held over many monitor intervals
// of short-lived threads, checked by promtool.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/series.hpp"
#include "app/report.hpp"
#include "render/render.hpp"

using namespace rtnoise;

namespace {

SourceRow row(unsigned cpu, std::string kind, std::string name, std::uint64_t count,
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

LatencyStats hist(std::vector<std::uint64_t> buckets, std::uint64_t overflows, std::uint64_t max_ns)
{
	LatencyStats l;
	l.hist = std::move(buckets);
	l.overflows = overflows;
	l.count = overflows;
	for (std::uint64_t b : l.hist)
		l.count += b;
	l.max_ns = max_ns;
	return l;
}

}  // namespace

TEST(SeriesName, ThreadsLoseTheirPidAndWorkerNumbers)
{
	EXPECT_EQ(series_name("thread", "kworker/3:1:812"), "kworker/3");
	EXPECT_EQ(series_name("thread", "kworker/3:2:813"), "kworker/3");
	EXPECT_EQ(series_name("thread", "kworker/u16:2:90"), "kworker/u16");
	EXPECT_EQ(series_name("thread", "kworker/3:1H:91"), "kworker/3H");
	// A per-CPU kthread keeps its CPU, a threaded IRQ its number.
	EXPECT_EQ(series_name("thread", "ksoftirqd/3:31"), "ksoftirqd/3");
	EXPECT_EQ(series_name("thread", "irq/24-virtio0:400"), "irq/24-virtio0");
	// Numbers a runtime counts threads with; those of a word stay.
	EXPECT_EQ(series_name("thread", "pool-2-thread-7:5000"), "pool-thread");
	EXPECT_EQ(series_name("thread", "Thread 12:77"), "Thread");
	EXPECT_EQ(series_name("thread", "python3:4242"), "python3");
	EXPECT_EQ(series_name("thread", "2fast:9"), "2fast");
	EXPECT_EQ(series_name("thread", "-5:9"), "-5");
	// Escaped names stay escaped; an empty comm was written "?".
	EXPECT_EQ(series_name("thread", "bad\\xff:77"), "bad\\xff");
	EXPECT_EQ(series_name("thread", "?:1"), "?");
	EXPECT_EQ(series_name("thread", "say \"hi\"\\now:812"), "say \"hi\"\\now");
	// Other kinds' names are already stable.
	EXPECT_EQ(series_name("irq", "24:virtio0-input"), "24:virtio0-input");
	EXPECT_EQ(series_name("workqueue", "vmstat_update"), "vmstat_update");
}

TEST(FoldSources, SameLabelsAreSummedAndTheSmallestFoldedIntoOther)
{
	const std::vector<SourceRow> rows = {
		row(3, "thread", "kworker/3:1:100", 10, 1000, 300),
		row(3, "thread", "kworker/3:2:101", 5, 4000, 900),
		row(3, "irq", "24:virtio0-input", 50, 3000, 80),
		row(3, "thread", "sh:7001", 1, 100, 100),
		row(3, "thread", "sleep:7002", 2, 200, 150),
		row(3, "workqueue", "vmstat_update", 3, 150, 60),
		row(5, "thread", "sh:7003", 1, 10, 10),
	};
	Metrics m;
	fold_sources(rows, {3, 4, 5}, 2, m);
	ASSERT_EQ(m.sources.size(), 4u);
	// The two kworkers of CPU 3 are one series: counts and times summed,
	// the largest maximum.
	EXPECT_EQ(m.sources[0].name, "kworker/3");
	EXPECT_EQ(m.sources[0].count, 15u);
	EXPECT_EQ(m.sources[0].total_ns, 5000u);
	EXPECT_EQ(m.sources[0].max_ns, 900u);
	EXPECT_EQ(m.sources[1].name, "24:virtio0-input");
	// sleep, vmstat_update, sh: three labels as one.
	EXPECT_EQ(m.sources[2].cpu, 3u);
	EXPECT_EQ(m.sources[2].kind, "other");
	EXPECT_EQ(m.sources[2].name, "other");
	EXPECT_EQ(m.sources[2].count, 6u);
	EXPECT_EQ(m.sources[2].total_ns, 450u);
	EXPECT_EQ(m.sources[2].max_ns, 150u);
	EXPECT_EQ(m.sources[3].cpu, 5u);
	EXPECT_EQ(m.sources[3].name, "sh");
	// Every watched CPU says how many it folded, none too.
	ASSERT_EQ(m.folded.size(), 3u);
	EXPECT_EQ(m.folded[0].cpu, 3u);
	EXPECT_EQ(m.folded[0].labels, 3u);
	EXPECT_EQ(m.folded[1].cpu, 4u);
	EXPECT_EQ(m.folded[1].labels, 0u);
	EXPECT_EQ(m.folded[2].labels, 0u);
}

TEST(FoldSources, TiesAreOrderedTheSameEveryRead)
{
	std::vector<SourceRow> rows = {row(1, "thread", "b:1", 1, 100, 1),
				       row(1, "thread", "a:2", 1, 100, 1),
				       row(1, "irq", "9:acpi", 2, 100, 1)};
	Metrics m;
	fold_sources(rows, {1}, 3, m);
	ASSERT_EQ(m.sources.size(), 3u);
	EXPECT_EQ(m.sources[0].name, "9:acpi");	 // more events
	EXPECT_EQ(m.sources[1].name, "a");
	EXPECT_EQ(m.sources[2].name, "b");
}

TEST(IntervalMax, TheHighestBucketThatGrew)
{
	const LatencyStats before = hist({0, 5, 3, 0, 1}, 0, 4900);
	// Buckets 1 and 2 grew, 4 did not: [2, 3) µs, to the µs below.
	EXPECT_EQ(interval_max_ns(&before, hist({0, 9, 4, 0, 1}, 0, 4900)), 2000u);
	// Nothing grew: no sample, 0.
	EXPECT_EQ(interval_max_ns(&before, before), 0u);
	// A new maximum since the attach is this interval's, exactly.
	EXPECT_EQ(interval_max_ns(&before, hist({0, 5, 3, 0, 2}, 0, 4950)), 4950u);
	// An overflow under the old maximum: at least the histogram's size.
	const LatencyStats wide = hist({0, 5, 3, 0, 1}, 1, 90000);
	EXPECT_EQ(interval_max_ns(&wide, hist({0, 5, 3, 0, 1}, 2, 90000)), 5000u);
	// The first read: since the attach, the maximum.
	EXPECT_EQ(interval_max_ns(nullptr, before), 4900u);
	EXPECT_EQ(interval_max_ns(nullptr, hist({0, 0, 0}, 0, 0)), 0u);
	// Counts that went down are a new run's: all of it counts.
	EXPECT_EQ(interval_max_ns(&before, hist({0, 1, 0, 0, 0}, 0, 1500)), 1500u);
}

TEST(IntervalMax, PerCpuAndTypeAgainstThePreviousReadOfTheSameRun)
{
	Snapshot then;
	then.sampled = true;
	then.start_ns = 10;
	CpuResult c;
	c.cpu = 2;
	c.of(LatType::irq) = hist({0, 10, 0, 0}, 0, 1200);
	c.of(LatType::thread) = hist({0, 0, 10, 1}, 0, 3700);
	then.cpus = {c};
	Snapshot now = then;
	now.cpus[0].of(LatType::irq) = hist({0, 12, 0, 0}, 0, 1200);
	now.cpus[0].of(LatType::thread) = hist({0, 0, 11, 1}, 0, 3700);
	Metrics m = metrics_of(now, &then, 10);
	ASSERT_EQ(m.interval.size(), 2u);
	EXPECT_EQ(m.interval[0].type, LatType::irq);
	EXPECT_EQ(m.interval[0].max_ns, 1000u);
	EXPECT_EQ(m.interval[1].max_ns, 2000u);
	// Another attach since: the previous read is not this run's.
	then.start_ns = 5;
	m = metrics_of(now, &then, 10);
	EXPECT_EQ(m.interval[1].max_ns, 3700u);
}

// make_report, as the monitor calls it, with its previous read.
TEST(IntervalMax, TheMonitorsReportsAreOfTheInterval)
{
	Snapshot then;
	then.sampled = true;
	then.state = SamplerState::running;
	then.hist_buckets = 4;
	CpuResult c;
	c.cpu = 1;
	c.of(LatType::irq) = hist({0, 10, 0, 0}, 0, 1200);
	c.of(LatType::thread) = hist({0, 0, 0, 10}, 0, 3700);
	then.cpus = {c};
	Snapshot now = then;
	now.cpus[0].of(LatType::thread) = hist({0, 5, 0, 10}, 0, 3700);
	ReportRequest r;
	r.render.format = Format::prometheus;
	const std::string text = make_report(now, r, &then).text;
	EXPECT_NE(text.find("rtnoise_latency_interval_max_seconds{cpu=\"1\",type=\"thread\"} "
			    "1e-06\n"),
		  std::string::npos)
		<< text;
	EXPECT_NE(text.find("rtnoise_latency_interval_max_seconds{cpu=\"1\",type=\"irq\"} 0\n"),
		  std::string::npos);
	EXPECT_NE(make_report(now, r).text.find("rtnoise_latency_interval_max_seconds{cpu=\"1\","
						"type=\"thread\"} 3.7e-06\n"),
		  std::string::npos);
}

namespace {

// churn - interval i of a CPU that runs short-lived processes (each a new
// pid, some of them numbered threads of a pool), kworkers that come and
// go, and a few steady sources; sources are cumulative, as the BPF
// side's are.
void churn(Snapshot& s, unsigned i, std::uint64_t& pid)
{
	// '#': a number that counts the runtime's threads.
	static const char* const kComms[] = {"sh",	  "sleep",	     "python3",	  "cron",
					     "logrotate", "pool-#-thread-#", "gzip",	  "ssh",
					     "Thread-#",  "systemd-run",     "apt-check", "git"};
	for (unsigned k = 0; k < 100; k++) {
		std::string comm = kComms[(i + k) % std::size(kComms)];
		for (std::size_t at; (at = comm.find('#')) != std::string::npos;)
			comm.replace(at, 1, std::to_string(i * 100 + k));
		const std::uint64_t p = pid++;
		s.sources.push_back(row(3, "thread", comm + ":" + std::to_string(p), 1 + k % 3,
					1000 + (p * 7919) % 100000, 500 + k));
	}
	for (unsigned k = 0; k < 20; k++) {
		const std::string kw = k % 2 ? "kworker/3:" + std::to_string(i * 20 + k)
					     : "kworker/u16:" + std::to_string(i * 20 + k);
		s.sources.push_back(
			row(3, "thread", kw + ":" + std::to_string(pid++), 3, 300000, 900));
	}
	s.sources.push_back(row(3, "irq", "24:virtio0-input", 100, 50000, 700));
	s.sources.push_back(row(3, "thread", "ksoftirqd/3:31", 10, 30000, 4000));
	s.end_ns += 15'000'000'000ULL;
	s.cpus[0].of(LatType::thread).hist[i % 8] += 1000;
	s.cpus[0].of(LatType::thread).count += 1000;
}

// one_cpu - a running snapshot of CPU 3 with @sources.
Snapshot one_cpu(std::vector<SourceRow> sources)
{
	Snapshot s;
	s.sampled = true;
	s.attributed = true;
	s.state = SamplerState::running;
	s.period_ns = 1000000;
	s.hist_buckets = 8;
	s.end_ns = 1;
	CpuResult c;
	c.cpu = 3;
	c.running = true;
	c.of(LatType::irq).hist.assign(8, 0);
	c.of(LatType::thread).hist.assign(8, 0);
	s.cpus = {c};
	s.sources = std::move(sources);
	return s;
}

// series - the label sets of each family of the exposition.
std::map<std::string, std::set<std::string>> series(const std::string& text)
{
	std::map<std::string, std::set<std::string>> out;
	static const std::regex sample(R"(^([a-z_]+)\{(.*)\} \S+$)");
	std::istringstream in(text);
	std::string line;
	std::smatch m;
	while (std::getline(in, line))
		if (std::regex_match(line, m, sample))
			out[m[1]].insert(m[2]);
	return out;
}

}  // namespace

// Thousands of short-lived threads and kworkers on one CPU, over 60
// intervals of the monitor: each source family keeps at most N+1 series
// of the CPU at every read, and promtool accepts the exposition.
TEST(SeriesBound, ShortLivedThreadsStayWithinTheBound)
{
	constexpr std::size_t kN = 10;
	Snapshot s = one_cpu({});
	s.kernel_release = "6.12.0-rt";
	ReportRequest r;
	r.render.format = Format::prometheus;
	r.metrics_sources = kN;
	std::optional<Snapshot> previous;
	std::uint64_t pid = 1000;
	std::map<std::string, std::set<std::string>> ever;
	std::string text;
	for (unsigned i = 0; i < 60; i++) {
		churn(s, i, pid);
		text = make_report(s, r, previous ? &*previous : nullptr).text;
		previous = s;
		for (const auto& [family, labels] : series(text)) {
			if (family.rfind("rtnoise_noise_", 0) == 0) {
				EXPECT_LE(labels.size(), kN + 1) << family << " at interval " << i;
			}
			ever[family].insert(labels.begin(), labels.end());
		}
	}
	EXPECT_GT(s.sources.size(), 7000u);
	// Over the whole run, the labels are the comms' (12, 2 kworkers, the
	// IRQ, ksoftirqd and other), however many threads ran: which of them
	// are the largest changes from read to read, the bound holds at each.
	const std::size_t ever_shown = ever["rtnoise_noise_seconds_total"].size();
	EXPECT_GE(ever_shown, kN + 1);
	EXPECT_LE(ever_shown, 17u);
	EXPECT_NE(text.find("rtnoise_sources_folded{cpu=\"3\"} "), std::string::npos);
	EXPECT_NE(text.find("name=\"kworker/3\""), std::string::npos);
	EXPECT_NE(text.find("kind=\"other\",name=\"other\""), std::string::npos);
	EXPECT_EQ(text.find("kworker/3:"), std::string::npos);

	// promtool, as the prometheus_metrics test runs it.
	const std::string path = ::testing::TempDir() + "rtnoise-series-bound.prom";
	std::ofstream(path) << text;
	ASSERT_EQ(std::system("command -v promtool >/dev/null"), 0)
		<< "promtool is missing (Debian: prometheus; scripts/install-deps.sh)";
	EXPECT_EQ(std::system(("promtool check metrics < " + path).c_str()), 0);
	std::remove(path.c_str());
}

namespace {

// counters - the value of each sample of a counter of the exposition, by
// its family and labels.
std::map<std::string, double> counters(const std::string& text)
{
	std::map<std::string, double> out;
	static const std::regex sample(R"(^([a-z_]+_total\{.*\}) (\S+)$)");
	std::istringstream in(text);
	std::string line;
	std::smatch m;
	while (std::getline(in, line))
		if (std::regex_match(line, m, sample))
			out[m[1]] = std::stod(m[2]);
	return out;
}

// NoCounterGoesDown - each counter of @now at least what it was in
// @then: Prometheus takes a counter that went down for a restart from 0,
// and its rate() for a burst of all it counts.
void no_counter_goes_down(const std::string& then, const std::string& now, unsigned at)
{
	const std::map<std::string, double> before = counters(then);
	for (const auto& [series, value] : counters(now))
		if (auto it = before.find(series); it != before.end()) {
			EXPECT_GE(value, it->second) << series << " at interval " << at;
		}
}

}  // namespace

// A chatty source in "other" overtakes the largest: it gets its own
// series, and "other" keeps what it counted (its events and time only
// grow), though the source folded into it now ran far fewer times.
TEST(SeriesOther, KeepsWhatItCountedWhenItsLargestIsPromoted)
{
	ReportRequest r;
	r.render.format = Format::prometheus;
	r.metrics_sources = 1;
	const Snapshot then = one_cpu({row(3, "thread", "hog:1", 1, 100, 100),
				       row(3, "thread", "chatty:2", 1000, 90, 1)});
	const Report first = make_report(then, r);
	EXPECT_NE(first.text.find("rtnoise_noise_events_total{cpu=\"3\",kind=\"other\","
				  "name=\"other\"} 1000\n"),
		  std::string::npos)
		<< first.text;
	Snapshot now = one_cpu({row(3, "thread", "hog:1", 1, 100, 100),
				row(3, "thread", "chatty:2", 1010, 200, 1)});
	now.end_ns = 2;
	const Report second = make_report(now, r, &then, &first.metrics);
	no_counter_goes_down(first.text, second.text, 1);
	EXPECT_NE(second.text.find("rtnoise_noise_events_total{cpu=\"3\",kind=\"thread\","
				   "name=\"chatty\"} 1010\n"),
		  std::string::npos)
		<< second.text;
	// What hog did since (nothing) added to what other had.
	EXPECT_NE(second.text.find("rtnoise_noise_events_total{cpu=\"3\",kind=\"other\","
				   "name=\"other\"} 1000\n"),
		  std::string::npos)
		<< second.text;
	// Once hog runs again, other grows by what it ran.
	Snapshot later = now;
	later.sources[0] = row(3, "thread", "hog:1", 4, 130, 100);
	later.end_ns = 3;
	const Report third = make_report(later, r, &now, &second.metrics);
	no_counter_goes_down(second.text, third.text, 2);
	EXPECT_NE(third.text.find("rtnoise_noise_events_total{cpu=\"3\",kind=\"other\","
				  "name=\"other\"} 1003\n"),
		  std::string::npos)
		<< third.text;
	// Another run of the sampler: other starts again with the sums.
	Snapshot rerun = later;
	rerun.start_ns = 7;
	const Report fourth = make_report(rerun, r, &later, &third.metrics);
	EXPECT_NE(fourth.text.find("rtnoise_noise_events_total{cpu=\"3\",kind=\"other\","
				   "name=\"other\"} 4\n"),
		  std::string::npos)
		<< fourth.text;
}

// The churn of SeriesBound, 60 intervals: no counter ever goes down.
TEST(SeriesOther, NoCounterGoesDownAcrossTheChurn)
{
	Snapshot s = one_cpu({});
	ReportRequest r;
	r.render.format = Format::prometheus;
	r.metrics_sources = 10;
	std::optional<Snapshot> previous;
	std::optional<Report> last;
	std::uint64_t pid = 1000;
	for (unsigned i = 0; i < 60; i++) {
		churn(s, i, pid);
		Report rep = make_report(s, r, previous ? &*previous : nullptr,
					 last ? &last->metrics : nullptr);
		if (last)
			no_counter_goes_down(last->text, rep.text, i);
		previous = s;
		last = std::move(rep);
	}
}
