// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "analysis/budget.hpp"
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
	return compare(read_report_json(golden::read("golden/report-before.json")),
		       read_report_json(golden::read("golden/report-after.json")));
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

// ---- compare --format html ---------------------------------------------------

namespace {

using golden::count;

// histograms - the text of each histogram plot, <svg to </svg>.
std::vector<std::string> histograms(const std::string& page)
{
	const std::string open = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"histogram\"";
	std::vector<std::string> out;
	for (std::size_t at = page.find(open); at != std::string::npos;
	     at = page.find(open, at + 1))
		out.push_back(page.substr(at, page.find("</svg>", at) - at));
	return out;
}

struct Runs {
	Snapshot before = read_report_json(golden::read("golden/report-before.json"));
	Snapshot after = read_report_json(golden::read("golden/report-after.json"));

	std::string page(const std::optional<std::string>& budget = std::nullopt) const
	{
		Comparison c = compare(before, after);
		if (budget)
			c.budget = judge(parse_budget(golden::read(*budget), "ci.yaml"), after);
		return render_compare_html(c, before, after);
	}
};

}  // namespace

// The page that the html_chromium_compare test opens in a browser.
TEST(CompareHtml, Golden)
{
	golden::expect("golden/compare.html", Runs().page("budgets/ci.yaml"));
}

TEST(CompareHtml, OnePageThatFetchesNothing)
{
	const std::string out = Runs().page("budgets/ci.yaml");
	EXPECT_EQ(out.rfind("<!DOCTYPE html>\n", 0), 0u);
	EXPECT_EQ(count(out, "</html>"), 1u);
	EXPECT_NE(out.find("content=\"default-src 'none'; style-src 'unsafe-inline'\""),
		  std::string::npos);
	std::string rest = out;
	for (std::size_t at;
	     (at = rest.find("xmlns=\"http://www.w3.org/2000/svg\"")) != std::string::npos;)
		rest.erase(at, 34);
	for (const char* fetch : {"<script", "<link", "<img", "<iframe", "src=", "href=", "url(",
				  "@import", "http://", "https://"})
		EXPECT_EQ(rest.find(fetch), std::string::npos) << fetch;
	// What the text form says, here too: the vanished IRQ, the verdict.
	EXPECT_NE(out.find("<td class=\"l\">24:virtio0-input</td><td>2200.0</td><td>-</td>"
			   "<td class=\"vanished\" colspan=\"2\">vanished</td>"),
		  std::string::npos);
	EXPECT_NE(out.find("<td class=\"l\">hrtimer_wakeup</td><td>-</td><td>50.0</td>"
			   "<td class=\"appeared\" colspan=\"2\">appeared</td>"),
		  std::string::npos);
	EXPECT_NE(
		out.find("<td class=\"l\">irq 24:virtio0-input x3, thread kworker/2:1:87 x1</td>"),
		std::string::npos);
	EXPECT_NE(out.find("<h2 id=\"verdict\">Budget ci.yaml (the run after)</h2>"),
		  std::string::npos);
	EXPECT_EQ(Runs().page().find("id=\"verdict\""), std::string::npos);
}

TEST(CompareHtml, TwoPathsPerCpuAndLatencyType)
{
	Runs r;
	auto check = [](const std::string& page, std::size_t cpus) {
		const auto plots = histograms(page);
		ASSERT_EQ(plots.size(), 2 * cpus);
		for (const std::string& h : plots) {
			EXPECT_EQ(count(h, "<path"), 2u);
			EXPECT_EQ(count(h, "<path class=\"hist before\""), 1u);
			EXPECT_EQ(count(h, "<path class=\"hist after\""), 1u);
		}
		EXPECT_EQ(count(page, "<figure id=\"hist-cpu"), 2 * cpus);
	};
	check(r.page(), r.before.cpus.size());
	// A third CPU in both runs: two more plots.
	for (Snapshot* s : {&r.before, &r.after}) {
		s->cpus.push_back(s->cpus[0]);
		s->cpus.back().cpu = 5;
	}
	const std::string more = r.page();
	check(more, 3);
	EXPECT_NE(more.find("<figure id=\"hist-cpu5-irq\">"), std::string::npos);
	EXPECT_NE(more.find("<figure id=\"hist-cpu5-thread\">"), std::string::npos);
	// Runs without the sampler: no histogram at all.
	r.before.sampled = r.after.sampled = false;
	EXPECT_TRUE(histograms(r.page()).empty());
}

TEST(CompareHtml, EveryNameIsEscaped)
{
	Runs r;
	const std::string hostile = "noise<hog> & 'x\"";
	for (Snapshot* s : {&r.before, &r.after}) {
		s->kernel_release = "6.1<b>";
		for (SourceRow& row : s->sources)
			if (row.name == "24:virtio0-input" || row.name == "tick_sched_timer")
				row.name = hostile;
		for (Spike& sp : s->spikes)
			for (Cause& c : sp.causes)
				c.name = c.name == "24:virtio0-input" ? hostile : "bad\xff\x01";
	}
	const std::string out = r.page("budgets/ci.yaml");
	EXPECT_EQ(out.find("<hog>"), std::string::npos);
	EXPECT_EQ(out.find("<b>"), std::string::npos);
	EXPECT_EQ(out.find("& 'x"), std::string::npos);
	EXPECT_NE(out.find("noise&lt;hog&gt; &amp; &#39;x&quot;"), std::string::npos);
	EXPECT_NE(out.find("6.1&lt;b&gt;"), std::string::npos);
	EXPECT_NE(out.find("bad\\xff\\x01"), std::string::npos);
	EXPECT_EQ(out.find('\x01'), std::string::npos);
	// The budget's verdict: its file and the source it caught.
	Comparison c = compare(r.before, r.after);
	c.budget = BudgetResult{};
	c.budget->file = "b<1>.yaml";
	c.budget->violations = {
		{"sources[0].us_per_s", 2u, "irq " + hostile, "5.0", 1, "us/s", ""}};
	const std::string verdict = render_compare_html(c, r.before, r.after);
	EXPECT_NE(verdict.find("Budget b&lt;1&gt;.yaml"), std::string::npos);
	EXPECT_NE(verdict.find("<td class=\"l\">irq noise&lt;hog&gt; &amp; &#39;x&quot;</td>"),
		  std::string::npos);
	EXPECT_EQ(verdict.find("<hog>"), std::string::npos);
	// Every '<' opens a tag or comment of the page's own.
	for (std::size_t at = out.find('<'); at != std::string::npos; at = out.find('<', at + 1)) {
		const char next = out[at + 1];
		EXPECT_TRUE(std::isalpha(static_cast<unsigned char>(next)) || next == '/' ||
			    next == '!')
			<< out.substr(at, 40);
	}
}
