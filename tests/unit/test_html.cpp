// SPDX-License-Identifier: GPL-2.0
// The HTML report: byte for byte against fixtures/golden/report.html
// (which the html_chromium test opens in a browser), and its properties
// on any snapshot: names escaped, one path per latency type in each
// histogram, one bar segment per source, one marker per spike. Also the
// progress line of `attach --duration`.
//
// RTNOISE_UPDATE_GOLDEN=1 rewrites fixtures/golden/report.html from the
// renderer (then read the diff before committing it).
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "golden.hpp"
#include "render/render.hpp"
#include "render/svg.hpp"
#include "util/utf8.hpp"

using namespace rtnoise;

namespace {

const std::string kGolden = std::string(RTNOISE_FIXTURES) + "/golden/report.html";

std::string read(const std::string& path)
{
	std::ifstream in(path, std::ios::binary);
	std::ostringstream out;
	out << in.rdbuf();
	return out.str();
}

using golden::count;

// between - every piece of text from an occurrence of open to the next close.
std::vector<std::string> between(const std::string& text, const std::string& open,
				 const std::string& close)
{
	std::vector<std::string> out;
	for (std::size_t at = text.find(open); at != std::string::npos;
	     at = text.find(open, at + 1)) {
		std::size_t end = text.find(close, at);
		out.push_back(text.substr(at, end == std::string::npos ? end : end - at));
	}
	return out;
}

LatencyStats stats(std::uint64_t min_us, std::uint64_t max_us, std::vector<std::uint64_t> hist,
		   std::uint64_t overflows = 0)
{
	LatencyStats l;
	for (std::size_t i = 0; i < hist.size(); i++) {
		l.count += hist[i];
		l.sum_ns += hist[i] * (i * 1000 + 500);
	}
	l.count += overflows;
	l.overflows = overflows;
	l.min_ns = min_us * 1000;
	l.max_ns = max_us * 1000;
	l.hist = std::move(hist);
	l.hist.resize(100);
	return l;
}

Spike spike(unsigned cpu, LatType type, std::uint64_t at_ms, std::uint64_t latency_us)
{
	Spike s;
	s.cpu = cpu;
	s.type = type;
	s.seq = s.cycle = at_ms;
	s.expected_ns = 1000000000ULL + at_ms * 1000000;
	s.observed_ns = s.expected_ns + latency_us * 1000;
	return s;
}

SourceRow source(unsigned cpu, std::string kind, std::string name, std::uint64_t count,
		 std::uint64_t total_us, std::string remedy = "")
{
	SourceRow r;
	r.cpu = cpu;
	r.kind = std::move(kind);
	r.name = std::move(name);
	r.count = count;
	r.total_ns = total_us * 1000;
	r.max_ns = r.total_ns / count;
	r.remedy = std::move(remedy);
	return r;
}

// A 10 s run on CPUs 2 and 3 with its causes traced: CPU 3 disturbed by
// a thread whose name needs escaping, a name of raw bytes, a tick that
// did not stop, three spikes explained three ways.
Snapshot report()
{
	Snapshot s;
	s.kernel_release = "6.1.0-test-rt-amd64";
	s.kernel_version = "#1 SMP PREEMPT_RT";
	s.sampled = true;
	s.state = SamplerState::stopped;
	s.period_ns = 1000000;
	s.threshold_ns = 50000;
	s.hist_buckets = 100;
	s.spike_capacity = 4096;
	s.prio = 95;
	s.start_ns = 1000000000ULL;
	s.end_ns = s.start_ns + 10000000000ULL;
	s.attributed = true;
	s.trace_start_ns = s.start_ns;

	CpuResult c2;
	c2.cpu = 2;
	c2.running = true;
	c2.of(LatType::irq) = stats(1, 7, {0, 9000, 900, 80, 15, 4, 0, 1});
	c2.of(LatType::thread) = stats(
		2, 120, {0, 0, 7000, 2500, 400, 60, 30, 7, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
			 0, 0, 0,    0,	   0,	0,  0,	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
	c2.of(LatType::thread).spikes = 1;
	c2.noise = {2200000, 220.0, 99.978, 0, 0, 0, 0, 0, 0};
	CpuResult c3;
	c3.cpu = 3;
	c3.running = true;
	c3.of(LatType::irq) = stats(1, 60, {0, 8000, 1500, 300, 150, 40, 6, 2, 1});
	c3.of(LatType::irq).spikes = 1;
	c3.of(LatType::thread) = stats(3, 812, {0, 0, 0, 5000, 3000, 1500, 400, 80, 15, 3}, 2);
	c3.of(LatType::thread).spikes = 1;
	c3.of(LatType::thread).missed = 1;
	c3.noise = {41000000, 4100.0, 99.59, 12, 0, 1, 2000, 0, 0};
	s.cpus = {c2, c3};

	s.sources = {
		source(2, "irq", "virtio0-req.0", 1200, 1500, "steer IRQ 25 off CPU 2"),
		source(2, "softirq", "NET_RX", 300, 500),
		source(2, "local_timer", "apic_timer", 100, 200),
		source(3, "thread", "noise<hog>:42 & 'x\"", 20, 40000,
		       "move noise<hog>:42 off CPU 3 (taskset -p)"),
		source(3, "hrtimer", "tick_sched_timer", 100, 600,
		       "let the tick stop: nohz_full=3"),
		source(3, "thread", "bad\xff\x01:77", 4, 400),
	};
	s.sources[3].running = true;
	s.sources[3].origins = {{0, 812, "noise-ping", 20, ""}, {1, 0, "", 2, "ttwu"}};
	s.ticks = {{3, "POSIX_TIMER", 12, "let the tick stop: no POSIX timers on CPU 3"}};

	s.spikes = {spike(3, LatType::thread, 2500, 812), spike(3, LatType::irq, 5000, 60),
		    spike(2, LatType::thread, 7250, 120)};
	s.spikes[0].explained = Explained::at_spike;
	s.spikes[0].causes = {{"thread", "noise<hog>:42 & 'x\"", 700000},
			      {"idle", "C1 (state1)", 100000}};
	s.spikes[0].unexplained_ns = 12000;
	s.spikes[0].stack = {"do_syscall_64+0x3d", "entry_SYSCALL_64_after_hwframe+0x63"};
	s.spikes[1].explained = Explained::history;
	s.spikes[1].causes = {{"irq", "virtio0-req.0", 55000}};
	s.spikes[1].unexplained_ns = 5000;
	s.spikes[2].unexplained_ns = 120000;
	return s;
}

}  // namespace

TEST(RenderHtml, MatchesTheGoldenPage)
{
	const std::string out = render_html(report(), 10);
	if (std::getenv("RTNOISE_UPDATE_GOLDEN")) {
		std::ofstream(kGolden, std::ios::binary) << out;
		GTEST_SKIP() << "wrote " << kGolden;
	}
	EXPECT_EQ(out, read(kGolden)) << "render_html() differs from " << kGolden
				      << " (RTNOISE_UPDATE_GOLDEN=1 rewrites it)";
}

TEST(RenderHtml, IsOnePageThatFetchesNothing)
{
	const std::string out = render_html(report(), 10);
	EXPECT_EQ(out.rfind("<!DOCTYPE html>\n", 0), 0u);
	EXPECT_EQ(count(out, "</html>"), 1u);
	EXPECT_NE(out.find("content=\"default-src 'none'; style-src 'unsafe-inline'\""),
		  std::string::npos);
	for (const char* fetch : {"<script", "<link", "<img", "<iframe", "src=", "href=", "url(",
				  "@import", "http://", "https://"}) {
		// The SVG namespace is a name, not a fetch.
		std::string rest = out;
		for (std::size_t at;
		     (at = rest.find("xmlns=\"http://www.w3.org/2000/svg\"")) != std::string::npos;)
			rest.erase(at, 34);
		EXPECT_EQ(rest.find(fetch), std::string::npos) << fetch;
	}
	EXPECT_TRUE(valid_utf8(out));
}

TEST(RenderHtml, EveryNameIsEscaped)
{
	const std::string out = render_html(report(), 10);
	EXPECT_EQ(out.find("noise<hog>"), std::string::npos);
	EXPECT_EQ(out.find("& 'x"), std::string::npos);
	EXPECT_NE(out.find("noise&lt;hog&gt;:42 &amp; &#39;x&quot;"), std::string::npos);
	// Raw bytes as escape_name() writes them; control characters never.
	EXPECT_NE(out.find("bad\\xff\\x01:77"), std::string::npos);
	EXPECT_EQ(out.find('\x01'), std::string::npos);
	// A name cannot add a line to a spike's hover text.
	Snapshot s = report();
	s.spikes[0].causes[0].name = "two\nlines";
	EXPECT_NE(render_html(s, 10).find("\nthread two\\x0alines: 700.0 us\n"), std::string::npos);
	// Every '<' opens a tag or comment of the page's own.
	for (std::size_t at = out.find('<'); at != std::string::npos; at = out.find('<', at + 1)) {
		char next = out[at + 1];
		EXPECT_TRUE(std::isalpha(static_cast<unsigned char>(next)) || next == '/' ||
			    next == '!')
			<< out.substr(at, 40);
	}
}

TEST(RenderHtml, TwoPathsPerHistogramOneSegmentPerSourceOneMarkerPerSpike)
{
	Snapshot s = report();
	const std::string out = render_html(s, 10);
	auto hists = between(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"histogram\"",
			     "</svg>");
	ASSERT_EQ(hists.size(), s.cpus.size());
	for (const std::string& h : hists) {
		EXPECT_EQ(count(h, "<path"), 2u);
		EXPECT_EQ(count(h, "<path class=\"hist irq\""), 1u);
		EXPECT_EQ(count(h, "<path class=\"hist thread\""), 1u);
	}
	for (const CpuResult& c : s.cpus) {
		auto bar = between(out, "<g class=\"bar\" id=\"budget-cpu" + std::to_string(c.cpu),
				   "</g>");
		ASSERT_EQ(bar.size(), 1u);
		std::size_t sources = 0;
		for (const SourceRow& r : s.sources)
			sources += r.cpu == c.cpu;
		EXPECT_EQ(count(bar[0], "<rect class=\"seg\""), sources) << c.cpu;
	}
	EXPECT_EQ(count(out, "<rect class=\"seg\""), s.sources.size());
	EXPECT_EQ(count(out, "<circle class=\"spike "), s.spikes.size());
	// A spike's hover lists its causes.
	EXPECT_NE(out.find("<title>CPU 3 thread 812.0 us at +2.500000 s (cycle 2500)\n"
			   "thread noise&lt;hog&gt;:42 &amp; &#39;x&quot;: 700.0 us\n"
			   "idle C1 (state1): 100.0 us\nunexplained: 12.0 us</title>"),
		  std::string::npos);

	// More CPUs, sources and spikes: the counts follow.
	CpuResult c4 = s.cpus[0];
	c4.cpu = 4;
	s.cpus.push_back(c4);
	s.sources.push_back(s.sources[0]);
	s.sources.back().cpu = 4;
	s.spikes.push_back(s.spikes[2]);
	const std::string more = render_html(s, 10);
	EXPECT_EQ(count(more, "<path class=\"hist "), 2 * s.cpus.size());
	EXPECT_EQ(count(more, "<rect class=\"seg\""), s.sources.size());
	EXPECT_EQ(count(more, "<circle class=\"spike "), s.spikes.size());
}

TEST(RenderHtml, AHistogramWiderThanItsPlotIsDrawnAPixelAtATime)
{
	Snapshot s = report();
	s.hist_buckets = 20000;
	for (CpuResult& c : s.cpus)
		for (LatType t : kLatTypes) {
			auto& h = c.of(t).hist;
			h.assign(20000, 0);
			for (std::size_t i = 0; i < h.size(); i += 2)
				h[i] = 1 + (i / 100) % 5;  // a level change at every bucket
		}
	const std::string out = render_html(s, 10);
	auto hists = between(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"histogram\"",
			     "</svg>");
	ASSERT_EQ(hists.size(), 2u);
	for (const std::string& h : hists) {
		EXPECT_EQ(count(h, "<path"), 2u);
		// 670 pixels wide: at most one step per 30 us group, not per bucket.
		EXPECT_LE(count(h, "H"), 2u * (20000 / 30 + 2));
		EXPECT_GT(count(h, "H"), 2u);
		EXPECT_NE(h.find("Latency (us; the largest count of each 30 us)"),
			  std::string::npos);
	}
}

TEST(RenderHtml, WithoutCausesOrSpikes)
{
	Snapshot s = report();
	s.attributed = false;
	s.sources.clear();
	s.ticks.clear();
	s.spikes.clear();
	const std::string out = render_html(s, 10);
	EXPECT_NE(out.find("No causes were traced"), std::string::npos);
	EXPECT_EQ(count(out, "<path class=\"hist "), 4u);
	EXPECT_EQ(out.find("class=\"timeline\""), std::string::npos);
	EXPECT_NE(out.find("<p>0 recorded.</p>"), std::string::npos);
}

TEST(RenderHtml, Dispatch)
{
	RenderOptions o;
	o.format = Format::html;
	EXPECT_EQ(render(report(), o), render_html(report(), 10));
}

TEST(Svg, EscapeNumbersAndScales)
{
	EXPECT_EQ(svg::escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
	EXPECT_EQ(svg::escape("ü中"), "ü中");
	EXPECT_EQ(svg::escape("x\xff\x1b[2J"), "x\\xff\\x1b[2J");
	EXPECT_EQ(svg::num(12.0), "12");
	EXPECT_EQ(svg::num(3.5), "3.5");
	EXPECT_EQ(svg::num(0.254), "0.25");
	EXPECT_EQ(svg::num(-0.001), "0");
	EXPECT_EQ(svg::nice_ticks(41, 10),
		  (std::vector<double>{0, 5, 10, 15, 20, 25, 30, 35, 40, 45}));
	EXPECT_EQ(svg::nice_ticks(10, 10).back(), 10);
	EXPECT_EQ(svg::decades(1), 1);
	EXPECT_EQ(svg::decades(10), 1);
	EXPECT_EQ(svg::decades(11), 2);
	EXPECT_EQ(svg::decades(9000), 4);
	const svg::Log10 y{-0.5, 4, 250, 30};
	EXPECT_DOUBLE_EQ(y(0), 250);
	EXPECT_DOUBLE_EQ(y(10000), 30);
	EXPECT_GT(y(0), y(1));
	const svg::Linear x{0, 100, 70, 740};
	EXPECT_DOUBLE_EQ(x(50), 405);
}

TEST(Svg, EscapeOfAnyBytesIsSafeText)
{
	std::mt19937 rng(42);
	for (int n = 0; n < 20000; n++) {
		std::string bytes(rng() % 24, '\0');
		for (char& c : bytes)
			c = static_cast<char>(n % 2 ? rng() % 256 : "<>&\"'a\\\n"[rng() % 8]);
		const std::string out = svg::escape(bytes);
		ASSERT_TRUE(valid_utf8(out)) << n;
		for (std::size_t i = 0; i < out.size(); i++) {
			const auto c = static_cast<unsigned char>(out[i]);
			ASSERT_TRUE(c >= 0x20 && c != 0x7f && c != '<' && c != '>' && c != '"' &&
				    c != '\'')
				<< n << ": " << out;
			auto entity = [&] {
				for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"})
					if (out.compare(i, std::strlen(e), e) == 0)
						return true;
				return false;
			};
			ASSERT_TRUE(c != '&' || entity()) << "a bare & in " << out;
		}
	}
}

TEST(Progress, ElapsedRemainingAndTheWorstLatencies)
{
	std::vector<CpuResult> cpus = report().cpus;
	EXPECT_EQ(render_progress(12400000000ULL, 60000000000ULL, cpus, 0),
		  "rtnoise: 12s of 60s, 48s left; worst thread/IRQ us: CPU 2 120/7, CPU 3 812/60");
	cpus[1].of(LatType::irq).count = 0;
	EXPECT_EQ(render_progress(0, 1500000000ULL, cpus, 0),
		  "rtnoise: 0s of 2s, 2s left; worst thread/IRQ us: CPU 2 120/7, CPU 3 812/-");
	EXPECT_EQ(render_progress(5000000000ULL, 10000000000ULL, {}, 80),
		  "rtnoise: 5s of 10s, 5s left");
	// Cut to the terminal, one column spare so it never wraps.
	std::string cut = render_progress(12400000000ULL, 60000000000ULL, cpus, 40);
	EXPECT_EQ(cut, "rtnoise: 12s of 60s, 48s left; worst...");
	EXPECT_EQ(cut.size(), 39u);
}
