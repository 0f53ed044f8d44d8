// SPDX-License-Identifier: GPL-2.0
// The Prometheus exposition's series: sources under labels that do not
// churn (a comm, not a pid; at most N per CPU and "other"), the interval
// maxima from two reads.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analysis/series.hpp"

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
