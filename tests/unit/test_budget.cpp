// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "analysis/budget.hpp"
#include "analysis/report_json.hpp"
#include "golden.hpp"
#include "render/render.hpp"
#include "report_fixtures.hpp"
#include "util/error.hpp"

using namespace rtnoise;

namespace {

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

std::vector<std::string> violated(const std::string& yaml, const Snapshot& s)
{
	std::vector<std::string> v;
	for (const Violation& x : judge(parse_budget(yaml, "b.yaml"), s).violations)
		v.push_back(x.limit + (x.cpu ? " cpu " + std::to_string(*x.cpu) : "") +
			    (x.source.empty() ? "" : " " + x.source) + ": " + x.measured + " > " +
			    fmt::format("{:g}", x.allowed));
	return v;
}

using V = std::vector<std::string>;

}  // namespace

TEST(Budget, TheShapeOfTheIssueParses)
{
	const Budget b = parse_budget(golden::read("budgets/ci.yaml"), "ci.yaml");
	EXPECT_EQ(b.latency[1].max_us, 100);
	EXPECT_EQ(b.latency[1].pct_us[1], 20);
	EXPECT_EQ(b.latency[1].pct_us[2], 40);
	EXPECT_FALSE(b.latency[1].pct_us[0]);
	EXPECT_EQ(b.latency[0].max_us, 50);
	EXPECT_EQ(b.noise_us_per_s, 500);
	EXPECT_EQ(b.noise_cpus.at(2), 200);
	ASSERT_EQ(b.sources.size(), 1u);
	EXPECT_EQ(b.sources[0].kind, "irq");
	EXPECT_EQ(b.sources[0].name, "*virtio*");
	EXPECT_EQ(b.sources[0].us_per_s, 10);
	EXPECT_EQ(b.spikes_max, 0u);
}

TEST(Budget, ErrorsNameTheLineAndTheKey)
{
	EXPECT_EQ(refusal("latency:\n  thread: {max_us: 100, colour: 3}\n"),
		  "budget b.yaml:2: key 'colour': unknown key (max_us, p50_us, p99_us, p999_us, "
		  "p9999_us)");
	EXPECT_EQ(refusal("latency:\n  soft: {max_us: 1}\n"),
		  "budget b.yaml:2: key 'soft': unknown key (irq, thread, cpus)");
	EXPECT_EQ(refusal("noise:\n  us_per_s: lots\n"),
		  "budget b.yaml:2: key 'us_per_s': 'lots' is not a number");
	EXPECT_EQ(refusal("noise:\n  us_per_s: -5\n"), "budget b.yaml:2: key 'us_per_s': negative");
	EXPECT_EQ(refusal("noise:\n  us_per_s: .inf\n"),
		  "budget b.yaml:2: key 'us_per_s': '.inf' is not a number");
	EXPECT_EQ(refusal("noise:\n  us_per_s: [1]\n"),
		  "budget b.yaml:2: key 'us_per_s': not a single value");
	EXPECT_EQ(refusal("noise:\n  cpus: {two: {us_per_s: 1}}\n"),
		  "budget b.yaml:2: key 'two': not a CPU number");
	EXPECT_EQ(refusal("sources:\n  - {kind: gremlin, us_per_s: 1}\n"),
		  "budget b.yaml:2: key 'kind': 'gremlin' is none of thread, irq, softirq, nmi, "
		  "ipi, local_timer, hrtimer, timer, workqueue, tick, idle, smi, steal");
	EXPECT_EQ(refusal("sources:\n  - {kind: irq}\n"),
		  "budget b.yaml:2: key 'us_per_s': missing");
	EXPECT_EQ(refusal("sources: {kind: irq}\n"), "budget b.yaml:1: key 'sources': not a list");
	EXPECT_EQ(refusal("spikes:\n  max: 1.5\n"),
		  "budget b.yaml:2: key 'max': '1.5' is not a whole number");
	EXPECT_EQ(refusal("spikes:\n  max: -1\n"), "budget b.yaml:2: key 'max': negative");
	EXPECT_EQ(refusal("\n\nlimits: 3\n"),
		  "budget b.yaml:3: key 'limits': unknown key "
		  "(latency, noise, sources, spikes, workload, baseline)");
	EXPECT_EQ(refusal("- 1\n"), "budget b.yaml:1: not a map of limits (latency, noise, "
				    "sources, spikes, workload, baseline)");
	EXPECT_EQ(refusal(""), "budget b.yaml:1: not a map of limits (latency, noise, sources, "
			       "spikes, workload, baseline)");
	EXPECT_EQ(refusal("latency: {thread: {max_us: 1}\n"),
		  "budget b.yaml:2: not YAML: end of map flow not found");
}

TEST(Budget, LatencyLimits)
{
	const Snapshot s = report_fixtures::after();
	EXPECT_EQ(violated("latency: {thread: {max_us: 100}, irq: {max_us: 50}}", s), V{});
	// CPU 3's thread maximum is 61 us; CPU 2's 6.1 us.
	EXPECT_EQ(
		violated("latency: {thread: {max_us: 6}}", s),
		(V{"latency.thread.max_us cpu 2: 6.1 > 6", "latency.thread.max_us cpu 3: 61 > 6"}));
	// p50 is 2 us on every CPU; p99.9 3 us on CPU 2, 4 us on CPU 3.
	EXPECT_EQ(violated("latency: {thread: {p50_us: 1}}", s),
		  (V{"latency.thread.p50_us cpu 2: 2 > 1", "latency.thread.p50_us cpu 3: 2 > 1"}));
	EXPECT_EQ(violated("latency: {thread: {p999_us: 4}}", s), V{});
	EXPECT_EQ(violated("latency: {thread: {p999_us: 3}}", s),
		  (V{"latency.thread.p999_us cpu 3: 4 > 3"}));
	// Before, the p99.99 of CPU 2's IRQ latency is among the overflows
	// (>= 100 us), whose maximum is 140.2 us.
	const Snapshot b = report_fixtures::before();
	EXPECT_EQ(violated("latency: {irq: {p9999_us: 10}}", b),
		  (V{"latency.irq.p9999_us cpu 2: >= 100 > 10"}));
	EXPECT_EQ(violated("latency: {irq: {p9999_us: 141}}", b), V{});
	// A per-CPU limit replaces the general one.
	EXPECT_EQ(violated("latency: {thread: {max_us: 6}, cpus: {\"3\": {thread: {max_us: 70}}}}",
			   s),
		  (V{"latency.thread.max_us cpu 2: 6.1 > 6"}));
}

TEST(Budget, NoiseSourceAndSpikeLimits)
{
	const Snapshot before = report_fixtures::before();
	EXPECT_EQ(violated("noise: {us_per_s: 500}", before),
		  (V{"noise.us_per_s cpu 2: 3000.0 > 500"}));
	EXPECT_EQ(violated("noise: {us_per_s: 500, cpus: {\"3\": {us_per_s: 50}}}", before),
		  (V{"noise.us_per_s cpu 2: 3000.0 > 500",
		     "noise.cpus.3.us_per_s cpu 3: 100.0 > 50"}));
	EXPECT_EQ(violated("sources: [{kind: irq, name: \"*virtio*\", us_per_s: 10}]", before),
		  (V{"sources[0].us_per_s cpu 2 irq 24:virtio0-input: 2200.0 > 10"}));
	EXPECT_EQ(violated("sources: [{kind: irq, name: \"*virtio*\", cpu: 3, us_per_s: 10}]",
			   before),
		  V{});
	EXPECT_EQ(violated("sources: [{kind: thread, us_per_s: 100}]", before),
		  (V{"sources[0].us_per_s cpu 2 thread kworker/2:1:87: 700.0 > 100"}));
	EXPECT_EQ(violated("spikes: {max: 0}", before), (V{"spikes.max: 11 > 0"}));
	EXPECT_EQ(violated("spikes: {max: 11}", before), V{});
	// Not traced: a noise limit cannot be shown to hold.
	Snapshot untraced = before;
	untraced.attributed = false;
	EXPECT_EQ(violated("noise: {us_per_s: 500}", untraced),
		  (V{"noise.us_per_s cpu 2: not traced > 500",
		     "noise.us_per_s cpu 3: not traced > 500"}));
}

TEST(Budget, GoldenVerdicts)
{
	const Budget b = parse_budget(golden::read("budgets/ci.yaml"), "ci.yaml");
	const BudgetResult before = judge(b, report_fixtures::before());
	const BudgetResult after = judge(b, report_fixtures::after());
	EXPECT_FALSE(before.passed());
	golden::expect("golden/budget-before.txt", render_budget_text(before));
	golden::expect("golden/budget-after.txt", render_budget_text(after));
	golden::expect("golden/report-budget.json",
		       render_json(report_fixtures::before(), &before));
	golden::expect("golden/report-budget.txt",
		       render_text(report_fixtures::before(), 10, &before));
}
