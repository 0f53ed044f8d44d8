// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "analysis/compare.hpp"
#include "analysis/report_json.hpp"
#include "golden.hpp"
#include "render/render.hpp"
#include "report_fixtures.hpp"
#include "util/error.hpp"

using namespace rtnoise;

namespace {

Comparison fixtures()
{
	return compare(read_report_json(golden::read("reports/before.json")),
		       read_report_json(golden::read("reports/after.json")));
}

}  // namespace

TEST(Compare, GoldenText)
{
	golden::expect("golden/compare.txt", render_compare_text(fixtures()));
}

TEST(Compare, GoldenJson)
{
	golden::expect("golden/compare.json", render_compare_json(fixtures()));
}

TEST(Compare, FiguresSideBySide)
{
	const Comparison c = fixtures();
	ASSERT_EQ(c.latency.size(), 4u);
	const LatencyDelta& irq2 = c.latency[0];
	EXPECT_EQ(irq2.cpu, 2u);
	EXPECT_EQ(irq2.type, LatType::irq);
	EXPECT_EQ(irq2.max_us.before, 140);
	EXPECT_EQ(irq2.max_us.after, 2);
	EXPECT_EQ(irq2.max_us.change(), -138);
	EXPECT_NEAR(*irq2.max_us.change_pct(), -98.571, 0.001);
	// p99.99: among the overflows before, 2 us after.
	EXPECT_FALSE(irq2.pct_us[3].before);
	EXPECT_EQ(irq2.pct_us[3].after, 2);
	EXPECT_FALSE(irq2.pct_us[3].change());

	// The IRQ vanished, the hrtimer appeared, the kworker shrank.
	auto find = [&](unsigned cpu, const std::string& name) {
		for (const SourceDelta& s : c.sources)
			if (s.cpu == cpu && s.name == name)
				return s;
		ADD_FAILURE() << name;
		return SourceDelta{};
	};
	EXPECT_EQ(find(2, "24:virtio0-input").presence, Presence::vanished);
	EXPECT_EQ(find(3, "hrtimer_wakeup").presence, Presence::appeared);
	const SourceDelta kw = find(2, "kworker/2:1:87");
	EXPECT_EQ(kw.presence, Presence::both);
	EXPECT_DOUBLE_EQ(*kw.us_per_s.before, 700);
	EXPECT_DOUBLE_EQ(*kw.us_per_s.after, 100);

	// Spikes of thread latency on CPU 2: 6 before, led by the IRQ.
	const SpikeDelta& t2 = c.spikes[1];
	EXPECT_EQ(t2.type, LatType::thread);
	EXPECT_EQ(t2.recorded.before, 6);
	EXPECT_EQ(t2.recorded.after, 0);
	ASSERT_EQ(t2.causes_before.size(), 2u);
	EXPECT_EQ(t2.causes_before[0].name, "24:virtio0-input");
	EXPECT_EQ(t2.causes_before[0].spikes, 3u);
	EXPECT_EQ(t2.causes_before[1].name, "kworker/2:1:87");
	EXPECT_TRUE(t2.causes_after.empty());
}

TEST(Compare, RefusesDifferentCpus)
{
	Snapshot other = report_fixtures::after();
	other.cpus[1].cpu = 5;
	try {
		compare(report_fixtures::before(), other);
		FAIL();
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::usage);
		EXPECT_STREQ(e.what(), "the reports watched different CPUs: 2-3 before, 2,5 after");
	}
}
