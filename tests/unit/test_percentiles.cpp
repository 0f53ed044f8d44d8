// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include "analysis/percentiles.hpp"

using namespace rtnoise;

namespace {

LatencyStats hist(std::vector<std::uint64_t> buckets, std::uint64_t overflows, std::uint64_t max_ns)
{
	LatencyStats l;
	l.hist = std::move(buckets);
	l.overflows = overflows;
	l.max_ns = max_ns;
	for (std::uint64_t n : l.hist)
		l.count += n;
	l.count += overflows;
	return l;
}

}  // namespace

TEST(Percentiles, EmptyHistogramHasNone)
{
	Percentiles p = percentiles(hist({0, 0, 0}, 0, 0));
	EXPECT_EQ(p.samples, 0u);
	EXPECT_EQ(p.overflow_us, 3u);
	EXPECT_FALSE(p.p50_us);
	EXPECT_FALSE(p.p99_us);
	EXPECT_FALSE(p.p999_us);
	EXPECT_FALSE(p.p9999_us);
	EXPECT_FALSE(p.max_us);
	// Not sampled at all: no buckets either.
	EXPECT_EQ(percentiles(LatencyStats{}), Percentiles{});
}

TEST(Percentiles, AllInTheOverflowAreNotNumbers)
{
	// fixtures/golden/cyclictest-t2-h5.txt: 999 samples, all beyond 5 us.
	Percentiles p = percentiles(hist({0, 0, 0, 0, 0}, 999, 1202345));
	EXPECT_EQ(p.samples, 999u);
	EXPECT_EQ(p.overflow_us, 5u);
	EXPECT_FALSE(p.p50_us);
	EXPECT_FALSE(p.p9999_us);
	EXPECT_EQ(p.max_us, 1202u);
}

TEST(Percentiles, NearestRankAtBucketBoundaries)
{
	// 100 samples: ranks 50, 99, 100, 100.
	Percentiles p = percentiles(hist({50, 49, 1}, 0, 2999));
	EXPECT_EQ(p.p50_us, 0u);  // the 50th sample is the last of bucket 0
	EXPECT_EQ(p.p99_us, 1u);  // the 99th, the last of bucket 1
	EXPECT_EQ(p.p999_us, 2u);
	EXPECT_EQ(p.p9999_us, 2u);
	EXPECT_EQ(p.max_us, 2u);
	// One sample later the median moves to the next bucket.
	EXPECT_EQ(percentiles(hist({49, 51}, 0, 1500)).p50_us, 1u);
	// A single sample is every percentile.
	Percentiles one = percentiles(hist({0, 0, 0, 1}, 0, 3100));
	EXPECT_EQ(one.p50_us, 3u);
	EXPECT_EQ(one.p9999_us, 3u);
	EXPECT_EQ(one.max_us, 3u);
}

TEST(Percentiles, TheTailReachesTheOverflow)
{
	// 10000 samples: ranks 5000, 9900, 9990, 9999.
	std::vector<std::uint64_t> b(6, 0);
	b[0] = 9990;
	b[5] = 9;
	Percentiles p = percentiles(hist(b, 1, 80000));
	EXPECT_EQ(p.samples, 10000u);
	EXPECT_EQ(p.p50_us, 0u);
	EXPECT_EQ(p.p99_us, 0u);
	EXPECT_EQ(p.p999_us, 0u);
	EXPECT_EQ(p.p9999_us, 5u);
	EXPECT_EQ(p.max_us, 80u);
	// One more in the overflow, one less in bucket 5: p99.99 is beyond it.
	b[5] = 8;
	p = percentiles(hist(b, 2, 80000));
	EXPECT_EQ(p.p999_us, 0u);
	EXPECT_FALSE(p.p9999_us);
	EXPECT_EQ(p.overflow_us, 6u);
}

TEST(Percentiles, RanksOfHugeCountsDoNotOverflow)
{
	// 2^62 samples: ppm * samples needs more than 64 bits.
	const std::uint64_t half = 1ULL << 61;
	Percentiles p = percentiles(hist({half, half}, 0, 1000));
	EXPECT_EQ(p.p50_us, 0u);
	EXPECT_EQ(p.p99_us, 1u);
}

TEST(Percentiles, FillSetsEveryCpuAndType)
{
	Snapshot s;
	s.cpus.resize(2);
	s.cpus[1].of(LatType::irq) = hist({1, 1}, 0, 1200);
	s.cpus[1].of(LatType::thread) = hist({0, 0, 2}, 0, 2500);
	fill_percentiles(s);
	EXPECT_EQ(s.cpus[0].of(LatType::irq).pct.samples, 0u);
	EXPECT_EQ(s.cpus[1].of(LatType::irq).pct.p50_us, 0u);
	EXPECT_EQ(s.cpus[1].of(LatType::irq).pct.p99_us, 1u);
	EXPECT_EQ(s.cpus[1].of(LatType::thread).pct.p50_us, 2u);
}
