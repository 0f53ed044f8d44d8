// SPDX-License-Identifier: GPL-2.0
// test_gate.cpp - CI gates: budgets relative to the run before (compare
// --budget, baseline:) and the JUnit form of a verdict.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "analysis/budget.hpp"
#include "analysis/compare.hpp"
#include "analysis/report_json.hpp"
#include "golden.hpp"
#include "render/render.hpp"
#include "report_fixtures.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

using namespace rtnoise;

namespace {

using V = std::vector<std::string>;

// violated - each violation of yaml judged on after against before, as
// "LIMIT cpu N SOURCE: MEASURED > ALLOWED (before: BASELINE)".
V violated(const std::string& yaml, const Snapshot& before, const Snapshot& after)
{
	V v;
	const BudgetResult r = judge(parse_budget(yaml, "b.yaml"), after, compare(before, after));
	for (const Violation& x : r.violations)
		v.push_back(x.limit + (x.cpu ? " cpu " + std::to_string(*x.cpu) : "") +
			    (x.source.empty() ? "" : " " + x.source) + ": " + x.measured + " > " +
			    fmt::format("{:g}", x.allowed) +
			    (x.baseline.empty() ? "" : " (before: " + x.baseline + ")"));
	return v;
}

std::string refusal(const std::string& yaml)
{
	try {
		parse_budget(yaml, "b.yaml");
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::usage);
		return e.what();
	}
	return "(parsed)";
}

// The fixtures' runs: before, CPU 2 has an IRQ of virtio (2200 us/s) and
// a kworker (700 us/s); after, the IRQ is gone, the kworker takes 100
// us/s and a timer (hrtimer_wakeup, 50 us/s) is new on CPU 3. Judged
// the other way round, after -> before is a regression.
const Snapshot& isolated()
{
	static const Snapshot s = report_fixtures::after();
	return s;
}
const Snapshot& noisy()
{
	static const Snapshot s = report_fixtures::before();
	return s;
}

}  // namespace

TEST(BudgetBaseline, ARegressionIsCaughtAndNamed)
{
	EXPECT_EQ(violated("baseline: {source_ratio: 2}", isolated(), noisy()),
		  (V{"baseline.source_ratio cpu 2 thread kworker/2:1:87: 700.0 > 200 (before: "
		     "100.0)"}));
}

TEST(BudgetBaseline, ANewSourceIsCaught)
{
	// The IRQ of virtio was not there before.
	EXPECT_EQ(violated("baseline: {new_source_us_per_s: 20}", isolated(), noisy()),
		  (V{"baseline.new_source_us_per_s cpu 2 irq 24:virtio0-input: 2200.0 > 20 "
		     "(before: absent)"}));
	// After isolation, the timer on CPU 3 is new, and 50 us/s.
	EXPECT_EQ(violated("baseline: {new_source_us_per_s: 20}", noisy(), isolated()),
		  (V{"baseline.new_source_us_per_s cpu 3 hrtimer hrtimer_wakeup: 50.0 > 20 "
		     "(before: absent)"}));
	EXPECT_EQ(violated("baseline: {new_source_us_per_s: 50}", noisy(), isolated()), V{});
}

TEST(BudgetBaseline, ASourceWithinItsRatioPasses)
{
	// The kworker took 7 times its us/s before.
	EXPECT_EQ(violated("baseline: {source_ratio: 7}", isolated(), noisy()), V{});
	// Less than before, and the same: both hold any ratio.
	EXPECT_EQ(violated("baseline: {source_ratio: 1}", noisy(), isolated()), V{});
	EXPECT_EQ(violated("baseline: {source_ratio: 1, new_source_us_per_s: 0}", noisy(), noisy()),
		  V{});
}

TEST(BudgetBaseline, TheFloorIsRespected)
{
	// 700 us/s is 7 times 100, but under a floor of 1000 us/s.
	EXPECT_EQ(violated("baseline: {source_ratio: 2, source_floor_us_per_s: 1000}", isolated(),
			   noisy()),
		  V{});
	EXPECT_EQ(violated("baseline: {source_ratio: 2, source_floor_us_per_s: 500}", isolated(),
			   noisy()),
		  (V{"baseline.source_ratio cpu 2 thread kworker/2:1:87: 700.0 > 500 (before: "
		     "100.0)"}));
	// The default floor, 10 us/s: a source of 5 us/s that was 1 trips nothing.
	Snapshot b = isolated(), a = isolated();
	b.sources.push_back(report_fixtures::source(3, "softirq", "RCU", 10, 10000, 1000));
	a.sources.push_back(report_fixtures::source(3, "softirq", "RCU", 50, 50000, 1000));
	EXPECT_EQ(violated("baseline: {source_ratio: 2}", b, a), V{});
	EXPECT_EQ(violated("baseline: {source_ratio: 2, source_floor_us_per_s: 1}", b, a),
		  (V{"baseline.source_ratio cpu 3 softirq RCU: 5.0 > 2 (before: 1.0)"}));
}

TEST(BudgetBaseline, LatencyRatios)
{
	// CPU 3's thread maximum went from 5.8 us (5 in whole us) to 61 us.
	EXPECT_EQ(violated("baseline: {latency: {thread: {max_ratio: 2}}}", noisy(), isolated()),
		  (V{"baseline.latency.thread.max_ratio cpu 3: 61 > 10 (before: 5)"}));
	// Under a floor of 100 us nothing trips.
	EXPECT_EQ(violated("baseline: {latency: {thread: {max_ratio: 2, floor_us: 100}}}", noisy(),
			   isolated()),
		  V{});
	// The other way round, CPU 2's IRQ p99.99 went into the overflows
	// (>= 100 us) from 3 us: certain to be over 2 x 3 and the floor.
	EXPECT_EQ(violated("baseline: {latency: {irq: {p9999_ratio: 2}}}", isolated(), noisy()),
		  (V{"baseline.latency.irq.p9999_ratio cpu 2: >= 100 > 10 (before: 2)"}));
	// Before in the overflows, it is bounded by its maximum (140 us):
	// after (2 us) holds any ratio of it.
	EXPECT_EQ(violated("baseline: {latency: {irq: {p9999_ratio: 1, floor_us: 0}}}", noisy(),
			   isolated()),
		  V{});
}

TEST(BudgetBaseline, NotTracedIsViolated)
{
	Snapshot b = noisy();
	b.attributed = false;
	EXPECT_EQ(violated("baseline: {source_ratio: 2}", b, isolated()),
		  (V{"baseline.source_ratio cpu 2: not traced > 2",
		     "baseline.source_ratio cpu 3: not traced > 2"}));
}

TEST(BudgetBaseline, KeysAreChecked)
{
	EXPECT_EQ(refusal("baseline:\n  source_ration: 2\n"),
		  "budget b.yaml:2: key 'source_ration': unknown key (new_source_us_per_s, "
		  "source_ratio, source_floor_us_per_s, latency)");
	EXPECT_EQ(refusal("baseline:\n  latency: {thread: {p99_us: 3}}\n"),
		  "budget b.yaml:2: key 'p99_us': unknown key (max_ratio, p50_ratio, p99_ratio, "
		  "p999_ratio, p9999_ratio, floor_us)");
	EXPECT_EQ(refusal("baseline:\n  source_ratio: 0\n"),
		  "budget b.yaml:2: key 'source_ratio': not above 0");
	EXPECT_EQ(refusal("baseline: 3\n"), "budget b.yaml:1: key 'baseline': not a map");
}

TEST(BudgetBaseline, AReportAloneRefusesThem)
{
	const Budget b = parse_budget("baseline: {source_ratio: 2}\n", "b.yaml");
	try {
		refuse_baseline(b);
		ADD_FAILURE() << "accepted";
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::usage);
		EXPECT_STREQ(e.what(), "budget b.yaml: baseline limits need a run before: rtnoise "
				       "compare BEFORE AFTER --budget b.yaml");
	}
	EXPECT_NO_THROW(refuse_baseline(parse_budget("spikes: {max: 0}\n", "b.yaml")));
}

TEST(BudgetBaseline, TheExampleCiBudgetLoads)
{
	const Budget b = parse_budget(golden::read("../../examples/ci/budget.yaml"), "budget.yaml");
	ASSERT_TRUE(b.baseline);
	EXPECT_EQ(b.baseline->new_source_us_per_s, 20);
	EXPECT_EQ(b.baseline->source_ratio, 2);
	EXPECT_EQ(b.baseline->source_floor_us_per_s, 10);
	EXPECT_EQ(b.baseline->latency[1].pct_ratio[2], 1.5);
	// A run against itself holds it (after isolation: within the
	// absolute limits too).
	EXPECT_TRUE(judge(b, isolated(), compare(isolated(), isolated())).passed());
	// Isolation took the IRQ of virtio off CPU 2, but left a new timer
	// on CPU 3, and its thread latency worse: the gate names both.
	EXPECT_EQ(violated(golden::read("../../examples/ci/budget.yaml"), noisy(), isolated()),
		  (V{"baseline.new_source_us_per_s cpu 3 hrtimer hrtimer_wakeup: 50.0 > 20 "
		     "(before: absent)",
		     "baseline.latency.thread.max_ratio cpu 3: 61 > 20 (before: 5)"}));
}

TEST(BudgetBaseline, EachLimitIsACheckOfEachCpu)
{
	const BudgetResult r =
		judge(parse_budget("noise: {us_per_s: 500}\nspikes: {max: 0}\n"
				   "baseline: {new_source_us_per_s: 20, source_ratio: 2}\n",
				   "b.yaml"),
		      noisy(), compare(isolated(), noisy()));
	V got;
	for (const Check& c : r.checks)
		got.push_back(c.limit + (c.cpu ? " cpu " + std::to_string(*c.cpu) : "") + ": " +
			      c.measured + (c.passed() ? " held" : " broken"));
	EXPECT_EQ(got,
		  (V{"noise.us_per_s cpu 2: 3000.0 broken", "noise.us_per_s cpu 3: 100.0 held",
		     "spikes.max: 11 broken", "baseline.new_source_us_per_s cpu 2: 2200.0 broken",
		     "baseline.source_ratio cpu 2: 7.00 broken",
		     "baseline.new_source_us_per_s cpu 3:  held",
		     "baseline.source_ratio cpu 3: 1.00 held"}));
	ASSERT_EQ(r.leading.at(2).size(), 3u);
	EXPECT_EQ(r.leading.at(2)[0].name, "24:virtio0-input");
	EXPECT_FALSE(r.leading.at(2)[0].before_us_per_s);
	EXPECT_EQ(r.leading.at(2)[1].before_us_per_s, 100);
}

// --- JUnit ------------------------------------------------------------------

TEST(Junit, GoldenReport)
{
	const Budget b = parse_budget(golden::read("budgets/ci.yaml"), "ci.yaml");
	golden::expect("golden/report-budget.junit.xml",
		       render_junit(judge(b, report_fixtures::before())));
}

TEST(Junit, GoldenCompare)
{
	const Snapshot before = read_report_json(golden::read("golden/report-after.json"));
	const Snapshot after = read_report_json(golden::read("golden/report-before.json"));
	const Budget b = parse_budget(golden::read("../../examples/ci/budget.yaml"), "budget.yaml");
	golden::expect("golden/compare-budget.junit.xml",
		       render_junit(judge(b, after, compare(before, after))));
}

TEST(Junit, CountsAndClassnames)
{
	const Budget b = parse_budget(golden::read("budgets/ci.yaml"), "ci.yaml");
	const std::string out = render_junit(judge(b, report_fixtures::after()));
	EXPECT_EQ(out.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0), 0u);
	// Per CPU: thread max, p99, p99.9, irq max, noise, one source limit;
	// and the spikes over every CPU.
	EXPECT_NE(
		out.find("<testsuite name=\"rtnoise budget ci.yaml\" tests=\"13\" failures=\"1\""),
		std::string::npos);
	EXPECT_EQ(golden::count(out, "<testcase "), 13u);
	EXPECT_EQ(golden::count(out, "<failure "), 1u);
	EXPECT_NE(out.find("<testcase classname=\"rtnoise.cpu3\" name=\"latency.thread.max_us\""),
		  std::string::npos);
	EXPECT_NE(out.find("<testcase classname=\"rtnoise\" name=\"spikes.max\""),
		  std::string::npos);
	EXPECT_NE(out.find("<failure message=\"spikes.max: 1 spikes &gt; 0 allowed\""),
		  std::string::npos);
}

TEST(Junit, HostileNamesAreEscaped)
{
	Snapshot before = report_fixtures::before();
	const std::string hostile = "<hog attr=\"x\"> & 'y'\n]]>\x01\xff\xfe";
	for (SourceRow& row : before.sources)
		if (row.kind == "irq")
			row.name = hostile;
	const Budget b = parse_budget("sources: [{kind: irq, us_per_s: 10}]\n", "b<&\">.yaml");
	const std::string out = render_junit(judge(b, before));
	golden::expect("golden/junit-hostile.xml", out);
	EXPECT_EQ(out.find("<hog"), std::string::npos);
	EXPECT_EQ(out.find("]]>"), std::string::npos);
	EXPECT_EQ(out.find('\x01'), std::string::npos);
	EXPECT_EQ(out.find('\xff'), std::string::npos);
	EXPECT_NE(out.find("irq &lt;hog attr=&quot;x&quot;&gt; &amp; &#39;y&#39;\\x0a]]&gt;"
			   "\\x01\\xff\\xfe"),
		  std::string::npos);
	EXPECT_NE(out.find("name=\"rtnoise budget b&lt;&amp;&quot;&gt;.yaml\""), std::string::npos);
	EXPECT_TRUE(valid_utf8(out));
	// Every '<' opens an element of the report's own.
	for (std::size_t at = out.find('<'); at != std::string::npos; at = out.find('<', at + 1))
		EXPECT_TRUE(out.compare(at, 2, "<?") == 0 || out.compare(at, 2, "</") == 0 ||
			    out.compare(at, 5, "<test") == 0 ||
			    out.compare(at, 8, "<failure") == 0 ||
			    out.compare(at, 11, "<system-out") == 0)
			<< out.substr(at, 40);
}

TEST(Junit, AnEmptyVerdictIsAnEmptySuite)
{
	const std::string out = render_junit(BudgetResult{});
	EXPECT_NE(out.find("tests=\"0\" failures=\"0\""), std::string::npos);
	EXPECT_EQ(golden::count(out, "<testcase"), 0u);
}
