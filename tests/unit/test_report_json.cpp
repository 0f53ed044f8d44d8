// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "analysis/budget.hpp"
#include "analysis/compare.hpp"
#include "analysis/report_json.hpp"
#include "golden.hpp"
#include "render/render.hpp"
#include "report_fixtures.hpp"
#include "util/error.hpp"

using namespace rtnoise;

namespace {

std::string refusal(const std::string& text)
{
	try {
		read_report_json(text);
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::usage);
		return e.what();
	}
	return "(read)";
}

// The report with one thing changed.
std::string edited(const std::function<void(nlohmann::json&)>& edit)
{
	auto j = nlohmann::json::parse(render_json(report_fixtures::before()));
	edit(j);
	return j.dump();
}

}  // namespace

TEST(ReportJson, GoldenWithPercentiles)
{
	golden::expect("golden/report-before.json", render_json(report_fixtures::before()));
	golden::expect("golden/report-after.json", render_json(report_fixtures::after()));
}

TEST(ReportJson, PercentilesInTheJson)
{
	auto j = nlohmann::json::parse(render_json(report_fixtures::before()));
	EXPECT_EQ(j["cpus"][0]["irq"]["percentiles"],
		  nlohmann::json::parse(R"({"samples": 9973, "overflow_us": 100, "p50_us": 1,
			"p99_us": 3, "p999_us": 5, "p9999_us": null, "max_us": 140})"));
}

TEST(ReportJson, ReadsBackWhatItRendered)
{
	for (const Snapshot& s : {report_fixtures::before(), report_fixtures::after()}) {
		const std::string text = render_json(s);
		const Snapshot back = read_report_json(text);
		EXPECT_EQ(render_json(back), text);
		ASSERT_EQ(back.cpus.size(), 2u);
		EXPECT_EQ(back.cpus[0].of(LatType::irq).pct, s.cpus[0].of(LatType::irq).pct);
		EXPECT_EQ(back.cpus[0].of(LatType::irq).hist, s.cpus[0].of(LatType::irq).hist);
		EXPECT_EQ(back.kernel_version, s.kernel_version);
	}
	EXPECT_EQ(read_report_json(golden::read("golden/report-before.json")).sources.size(), 4u);
}

TEST(ReportJson, RefusesWhatIsNotAReport)
{
	EXPECT_EQ(refusal("hello"), "not an rtnoise report: not JSON");
	EXPECT_EQ(refusal("[1]"), "not an rtnoise report: no version and cpus");
	EXPECT_EQ(refusal(golden::read("golden/cyclictest-t2-h5.json")),
		  "not an rtnoise report: no version and cpus");
	EXPECT_EQ(refusal(edited([](auto& j) { j["version"] = 2; })),
		  "not an rtnoise report: version: not 1, the only version this rtnoise reads");
	EXPECT_EQ(refusal(edited([](auto& j) { j.erase("period_ns"); })),
		  "not an rtnoise report: no key 'period_ns'");
	EXPECT_EQ(refusal(edited([](auto& j) { j["colour"] = "red"; })),
		  "not an rtnoise report: unknown key 'colour'");
	EXPECT_EQ(refusal(edited([](auto& j) { j["cpus"][1]["irq"]["count"] = -1; })),
		  "not an rtnoise report: cpus[1].irq.count: not an unsigned integer");
	EXPECT_EQ(refusal(edited([](auto& j) { j["cpus"][0]["thread"]["max_ns"] = "9"; })),
		  "not an rtnoise report: cpus[0].thread.max_ns: not an unsigned integer");
	EXPECT_EQ(refusal(edited([](auto& j) { j["cpus"][0]["irq"]["histogram_us"]["100"] = 1; })),
		  "not an rtnoise report: cpus[0].irq.histogram_us.100: beyond the 100 buckets");
	EXPECT_EQ(refusal(edited([](auto& j) { j["cpus"][0]["irq"]["histogram_us"]["01"] = 1; })),
		  "not an rtnoise report: cpus[0].irq.histogram_us.01: not a bucket number");
	EXPECT_EQ(refusal(edited([](auto& j) { j["cpus"][1]["cpu"] = 2; })),
		  "not an rtnoise report: cpus[1].cpu: CPU 2 twice");
	EXPECT_EQ(refusal(edited([](auto& j) { j["spikes"][0]["cpu"] = 5; })),
		  "not an rtnoise report: spikes[0].cpu: CPU 5 is not among cpus");
	EXPECT_EQ(refusal(edited([](auto& j) { j["spikes"][0]["type"] = "soft"; })),
		  "not an rtnoise report: spikes[0].type: not irq or thread");
	EXPECT_EQ(refusal(edited([](auto& j) { j["spikes"][0]["latency_ns"] = 1; })),
		  "not an rtnoise report: spikes[0].latency_ns: not observed_ns - at_ns");
	EXPECT_EQ(refusal(edited([](auto& j) { j["state"] = "dancing"; })),
		  "not an rtnoise report: state: not idle, running or stopped");
	EXPECT_EQ(refusal(edited([](auto& j) { j["hist_buckets"] = 100001; })),
		  "not an rtnoise report: hist_buckets: larger than 100000");
	EXPECT_EQ(refusal(edited([](auto& j) { j["cpus"][0]["noise"]["per_second_us"] = true; })),
		  "not an rtnoise report: cpus[0].noise.per_second_us: not a finite number");
}

// A hostile report: every string it holds with terminal escapes (C0 and
// C1 controls). What compare and the budgets print of it, in every
// format, holds them escaped (\xNN) as names read from the kernel are.
TEST(ReportJson, StringsAreEscapedAsNamesFromTheKernel)
{
	nlohmann::json j = nlohmann::json::parse(render_json(report_fixtures::before()));
	j["kernel"] = "6.1.0 \x1b[2J all limits hold";
	j["sources"][0]["name"] = "24:virtio0-input\x1b]0;owned\x07";
	j["spikes"][0]["causes"][0]["kind"] = "irq\x1b[8m";
	j["spikes"][0]["causes"][0]["name"] = "24:virtio0-input\x1b]0;owned\x07";
	j["spikes"][0]["stack"] = {"do_idle\x1b[2J"};
	j["tick"][0]["reason"] = "POSIX_TIMER\u009b2J";	 // CSI, as one C1 character
	const std::string text = j.dump();

	const Snapshot hostile = read_report_json(text);
	EXPECT_EQ(hostile.kernel_version, "\\x1b[2J all limits hold");
	EXPECT_EQ(hostile.spikes[0].causes[0].kind, "irq\\x1b[8m");
	EXPECT_EQ(hostile.sources[0].name, "24:virtio0-input\\x1b]0;owned\\x07");
	EXPECT_EQ(hostile.spikes[0].causes[0].name, "24:virtio0-input\\x1b]0;owned\\x07");
	EXPECT_EQ(hostile.spikes[0].stack, std::vector<std::string>{"do_idle\\x1b[2J"});
	EXPECT_EQ(hostile.ticks[0].reason, "POSIX_TIMER\\xc2\\x9b2J");
	// What a real report holds escaped already reads back as it is.
	EXPECT_EQ(render_json(read_report_json(render_json(hostile))), render_json(hostile));

	const Snapshot before = read_report_json(render_json(report_fixtures::before()));
	Comparison c = compare(before, hostile);
	const Budget b = parse_budget("sources:\n  - kind: irq\n    us_per_s: 0\n", "b.yaml");
	c.budget = judge(b, hostile);
	ASSERT_FALSE(c.budget->passed());
	for (const std::string& out :
	     {render_compare_text(c), render_compare_json(c),
	      render_compare_html(c, before, hostile), render_budget_text(*c.budget),
	      render_text(hostile, 10), render_json(hostile)}) {
		EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
		EXPECT_EQ(out.find('\x07'), std::string::npos);
		EXPECT_EQ(out.find("\u009b"), std::string::npos);
	}
}

// A hostile or huge report: what it declares may not make the reader hold
// more than its bounds (a 310 KB report of 1000 CPUs of 100 000 buckets
// took 3.1 GB). Each bound is one line, a usage error.
TEST(ReportJson, BoundsWhatAReportMayDeclare)
{
	// 84 CPUs of 100 000 buckets, both types: 16.8 million buckets, each
	// 8 bytes, from a few KB of JSON.
	const std::string wide = edited([](auto& j) {
		j["hist_buckets"] = 100000;
		const auto cpu = j["cpus"][0];
		j["cpus"] = nlohmann::json::array();
		for (unsigned i = 0; i < 84; i++) {
			auto c = cpu;
			c["cpu"] = i;
			j["cpus"].push_back(c);
		}
		j["spikes"] = nlohmann::json::array();
		j["sources"] = nlohmann::json::array();
		j["tick"] = nlohmann::json::array();
	});
	EXPECT_LT(wide.size(), 200000u);
	EXPECT_EQ(refusal(wide), "not an rtnoise report: cpus: 84 CPUs of 100000 buckets, "
				 "more than the 16777216 buckets in all a report may hold");
	EXPECT_EQ(refusal(edited([](auto& j) {
			  j["cpus"] = nlohmann::json::array();
			  for (unsigned i = 0; i < 8193; i++)
				  j["cpus"].push_back(nlohmann::json::object());
		  })),
		  "not an rtnoise report: cpus: more than 8192 CPUs");
	EXPECT_EQ(refusal(edited([](auto& j) {
			  j["spikes"] = nlohmann::json::array();
			  j["spikes"][kReportMaxSpikes] = nlohmann::json::object();
		  })),
		  "not an rtnoise report: spikes: more than " + std::to_string(kReportMaxSpikes) +
			  " spikes");
	EXPECT_EQ(refusal(edited([](auto& j) {
			  j["sources"] = nlohmann::json::array();
			  j["sources"][kReportMaxSources] = nlohmann::json::object();
		  })),
		  "not an rtnoise report: sources: more than " + std::to_string(kReportMaxSources) +
			  " sources");
	// Nested deeper than a report ever is: refused before it is parsed.
	EXPECT_EQ(refusal(std::string(100000, '[') + std::string(100000, ']')),
		  "not an rtnoise report: nested deeper than 16");
	EXPECT_EQ(refusal(edited([](auto& j) {
			  nlohmann::json deep = 1;
			  for (int i = 0; i < 16; i++)
				  deep = {{"k", deep}};
			  j["budget"] = deep;  // 17 deep, with the report's own
		  })),
		  "not an rtnoise report: nested deeper than 16");
	// A bracket inside a string is not nesting.
	EXPECT_NO_THROW(read_report_json(
		edited([](auto& j) { j["sources"][0]["name"] = std::string(100, '[') + "\"{"; })));
	const Snapshot s = read_report_json(
		edited([](auto& j) { j["sources"][0]["name"] = std::string(100, '[') + "\"{"; }));
	EXPECT_EQ(s.sources[0].name.substr(0, 3), "[[[");
}
