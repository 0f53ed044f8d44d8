// SPDX-License-Identifier: GPL-2.0
// html.cpp - the report as one self-contained HTML page: per-CPU latency
// histograms on a log count axis (as the OSADL latency plots draw them),
// the noise budget as a stacked bar per CPU, the spikes on a timeline, and
// the tables of the text report. Inline CSS and SVG only: no script, no
// fetch of any kind (the page's Content-Security-Policy forbids them);
// hover texts are SVG <title> elements.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "render/html.hpp"

#include "render/detail.hpp"
#include "render/render.hpp"
#include "render/svg.hpp"
#include "util/error.hpp"
#include "util/units.hpp"

namespace rtnoise {
namespace html {
namespace {

constexpr double kWidth = 760;

const char* kStyle = R"(body{font:14px/1.4 sans-serif;margin:1.5em;color:#222;max-width:80em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}th,td{padding:2px 8px;text-align:right}
th{background:#eee}td.l,th.l{text-align:left}tr:nth-child(even) td{background:#f7f7f7}
figure{margin:1em 0}figcaption{font-weight:bold}.note{color:#a40}
svg{font:11px sans-serif;background:#fff}svg .caption{font-size:12px}
svg .grid{stroke:#e4e4e4}svg .axis,svg .tick{stroke:#444}
svg .hist{fill:none;stroke-width:1.5}svg .irq{stroke:#d62728}svg .thread{stroke:#1f77b4}
svg circle.irq{fill:#d62728;fill-opacity:.7}svg circle.thread{fill:#1f77b4;fill-opacity:.7}
svg .threshold{stroke:#888;stroke-dasharray:4 3}svg .seg{stroke:#fff;stroke-width:.5}
)";

}  // namespace

std::string page_open(std::string_view title, std::string_view extra_style)
{
	std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
	out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	       "style-src 'unsafe-inline'\">\n";
	out += "<meta name=\"viewport\" content=\"width=device-width\">\n";
	out += fmt::format("<title>{}</title>\n<style>\n{}{}</style>\n</head>\n<body>\n",
			   svg::escape(title), kStyle, extra_style);
	out += fmt::format("<h1>{}</h1>\n", svg::escape(title));
	return out;
}

std::string page_close()
{
	return "</body>\n</html>\n";
}

std::string us(std::uint64_t ns)
{
	return fmt::format("{:.1f}", static_cast<double>(ns) / 1e3);
}

const char* kind_colour(std::string_view kind)
{
	static constexpr std::pair<std::string_view, const char*> known[] = {
		{"thread", "#1f77b4"},	{"irq", "#d62728"},   {"softirq", "#ff7f0e"},
		{"nmi", "#8c564b"},	{"ipi", "#9467bd"},   {"local_timer", "#2ca02c"},
		{"hrtimer", "#bcbd22"}, {"timer", "#17becf"}, {"workqueue", "#e377c2"},
		{"tick", "#7f7f7f"},	{"idle", "#aec7e8"},  {"smi", "#393b79"},
		{"steal", "#843c39"}};
	for (const auto& [k, c] : known)
		if (k == kind)
			return c;
	return "#555555";
}

const char* lat_title(LatType t)
{
	return t == LatType::irq ? "IRQ latency" : "Thread latency";
}

namespace {

// hist_path - the histogram as a step line: each group of per 1 us
// buckets a level (its largest count: one group per pixel or more),
// drawn only where the level changes.
std::string hist_path(const HistLine& line, const svg::Linear& x, const svg::Log10& y,
		      std::size_t buckets, std::size_t per)
{
	const LatencyStats& l = *line.stats;
	auto level = [&](std::size_t from) {
		std::uint64_t v = 0;
		for (std::size_t i = from; i < from + per && i < l.hist.size(); i++)
			v = std::max(v, l.hist[i]);
		return static_cast<double>(v);
	};
	double cur = level(0);
	std::string d = fmt::format("M{} {}", svg::num(x(0)), svg::num(y(cur)));
	for (std::size_t i = per; i < buckets; i += per) {
		double v = level(i);
		if (v == cur)
			continue;
		d += fmt::format("H{}V{}", svg::num(x(static_cast<double>(i))), svg::num(y(v)));
		cur = v;
	}
	d += fmt::format("H{}", svg::num(x(static_cast<double>(buckets))));
	return fmt::format("<path class=\"hist {}\" d=\"{}\">{}</path>\n", svg::escape(line.cls), d,
			   svg::title(line.hover));
}

}  // namespace

std::string histogram_svg(const std::vector<HistLine>& lines, std::size_t hist_buckets,
			  std::string_view label, std::string_view cls)
{
	const double height = 300;
	const svg::Box box{70, 30, kWidth - 70 - 20, height - 30 - 50};
	std::size_t used = 0;  // buckets up to the last non-empty one
	std::uint64_t top = 1;
	for (const HistLine& line : lines) {
		const auto& h = line.stats->hist;
		for (std::size_t i = 0; i < h.size(); i++)
			if (h[i]) {
				used = std::max(used, i + 1);
				top = std::max(top, h[i]);
			}
	}
	std::vector<double> xt =
		svg::nice_ticks(static_cast<double>(std::max<std::size_t>(used, 10)), 10);
	const svg::Linear x{0, xt.back(), box.left, box.right()};
	const int dec = svg::decades(top);
	// Zero sits half a decade below 1, so a bucket of 1 is not empty.
	const svg::Log10 y{-0.5, static_cast<double>(dec), box.bottom(), box.top};
	const auto buckets = std::min<std::size_t>(static_cast<std::size_t>(xt.back()),
						   std::max<std::size_t>(hist_buckets, used));

	std::string out = svg::open(kWidth, height, cls, label);
	std::vector<double> px;
	std::vector<std::string> labels;
	for (double v : xt) {
		px.push_back(x(v));
		labels.push_back(svg::num(v));
	}
	// More buckets than pixels: each pixel shows the largest of its own.
	const std::size_t per =
		std::max<std::size_t>(1, (buckets + static_cast<std::size_t>(box.width) - 1) /
						 static_cast<std::size_t>(box.width));
	out += svg::x_axis(
		box, px, labels,
		per > 1 ? fmt::format("Latency (us; the largest count of each {} us)", per)
			: std::string("Latency (us)"));
	px.clear();
	labels.clear();
	double p = 1;
	for (int e = 0; e <= dec; e++, p *= 10) {
		px.push_back(y(p));
		labels.push_back(fmt::format("{}", static_cast<std::uint64_t>(p)));
	}
	out += svg::y_axis(box, px, labels, "Number of samples");
	for (const HistLine& line : lines)
		out += hist_path(line, x, y, buckets, per);
	// Legend, top right.
	double ly = box.top + 14;
	for (const HistLine& line : lines) {
		out += svg::line(box.right() - 330, ly - 4, box.right() - 308, ly - 4,
				 "legend " + line.cls);
		out += svg::text(box.right() - 302, ly, "start", line.legend);
		ly += 16;
	}
	out += svg::close();
	return out;
}

}  // namespace html

namespace {

using html::kind_colour;
using html::lat_title;
using html::us;
using render_detail::watched_cpus;
using svg::escape;
using svg::num;

constexpr double kWidth = 760;

double seconds(std::uint64_t ns)
{
	return static_cast<double>(ns) / 1e9;
}

// ---- header and tables -----------------------------------------------------

// kWorkloadStyle - the workload's plot and table, on pages that show one.
const char* kWorkloadStyle = "svg .wakeup{stroke:#2ca02c}\n";

std::string head(const Snapshot& s)
{
	std::string out = html::page_open(
		fmt::format("rtnoise report - kernel {} {}", s.kernel_release, s.kernel_version),
		render_detail::has_workload(s) ? kWorkloadStyle : "");
	if (s.sampled)
		out += fmt::format("<p>Sampler {} on CPUs {} for {}: period {}, threshold {}, "
				   "SCHED_FIFO {}.</p>\n",
				   sampler_state_name(s.state),
				   escape(format_cpulist(watched_cpus(s))),
				   escape(format_duration(s.duration_ns())),
				   escape(format_duration(s.period_ns)),
				   escape(format_duration(s.threshold_ns)), s.prio);
	if (s.attributed)
		out += fmt::format("<p>Causes traced with BPF on CPUs {} for {}.</p>\n",
				   escape(format_cpulist(watched_cpus(s))),
				   escape(format_duration(s.end_ns > s.trace_start_ns
								  ? s.end_ns - s.trace_start_ns
								  : 0)));
	for (const TraceLimit& l : s.limits)
		out += fmt::format("<p class=\"note\">BPF limit ({}): {}.</p>\n", escape(l.name),
				   escape(l.effect));
	if (!s.symbols_hidden.empty())
		out += "<p>Kernel functions named hidden#&hellip; are hidden: " +
		       escape(s.symbols_hidden) + ".</p>\n";
	return out;
}

std::string summary_table(const Snapshot& s)
{
	std::string out = "<h2 id=\"summary\">Latency summary</h2>\n<table class=\"summary\">\n";
	out += "<tr><th rowspan=\"2\">CPU</th><th colspan=\"6\">IRQ latency (us)</th>"
	       "<th colspan=\"7\">Thread latency (us)</th></tr>\n<tr>";
	for (LatType t : kLatTypes) {
		out += "<th>count</th><th>min</th><th>avg</th><th>max</th><th>overflows</th>"
		       "<th>spikes</th>";
		if (t == LatType::thread)
			out += "<th>missed</th>";
	}
	out += "</tr>\n";
	for (const CpuResult& c : s.cpus) {
		out += fmt::format("<tr><td>{}</td>", c.cpu);
		for (LatType t : kLatTypes) {
			const LatencyStats& l = c.of(t);
			out += fmt::format("<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
					   "<td>{}</td>",
					   l.count, ns_to_us(l.min_ns), ns_to_us(l.avg_ns()),
					   ns_to_us(l.max_ns), l.overflows, l.spikes);
		}
		out += fmt::format("<td>{}</td></tr>\n", c.of(LatType::thread).missed);
	}
	return out + "</table>\n";
}

// ---- latency histograms ------------------------------------------------------

std::string histogram(const Snapshot& s, const CpuResult& c)
{
	std::vector<html::HistLine> lines;
	for (LatType t : kLatTypes) {
		const LatencyStats& l = c.of(t);
		std::string legend = fmt::format("{}, max {} us", lat_title(t), us(l.max_ns));
		if (l.overflows)
			legend += fmt::format(", {} over {} us", l.overflows, s.hist_buckets);
		lines.push_back({&l, lat_type_name(t),
				 fmt::format("CPU {} {}: {} samples, min {} us, avg {} us, max {} "
					     "us, {} overflows",
					     c.cpu, lat_title(t), l.count, us(l.min_ns),
					     us(l.avg_ns()), us(l.max_ns), l.overflows),
				 legend});
	}
	return fmt::format("<figure id=\"hist-cpu{}\">\n<figcaption>CPU {}</figcaption>\n", c.cpu,
			   c.cpu) +
	       html::histogram_svg(lines, s.hist_buckets,
				   fmt::format("Latency histogram of CPU {}", c.cpu)) +
	       "</figure>\n";
}

// ---- noise budget ----------------------------------------------------------

// The height of a CPU's bar in the budget, and the space between two.
constexpr double kBudgetBar = 26;
constexpr double kBudgetGap = 12;

// budget_widest - the longest bar: a CPU's sources summed, or its noise
// per second where that is more.
double budget_widest(const Snapshot& s)
{
	double widest = 0;
	for (const CpuResult& c : s.cpus) {
		double sum = 0;
		for (const SourceRow& r : s.sources)
			if (r.cpu == c.cpu)
				sum += s.us_per_s(r.total_ns);
		widest = std::max({widest, sum, c.noise.per_second_us});
	}
	return widest;
}

// budget_kinds - the kinds of the sources, in the order they first come.
std::vector<std::string> budget_kinds(const Snapshot& s)
{
	std::vector<std::string> kinds;
	for (const SourceRow& r : s.sources)
		if (std::find(kinds.begin(), kinds.end(), r.kind) == kinds.end())
			kinds.push_back(r.kind);
	return kinds;
}

// budget_bars - a bar a CPU, a segment a source, the CPU's noise after it.
std::string budget_bars(const Snapshot& s, const svg::Box& box, const svg::Linear& x)
{
	std::string out;
	double top = box.top + kBudgetGap / 2;
	for (const CpuResult& c : s.cpus) {
		out += svg::text(box.left - 8, top + kBudgetBar / 2 + 4, "end",
				 fmt::format("CPU {}", c.cpu));
		double at = 0;
		out += fmt::format("<g class=\"bar\" id=\"budget-cpu{}\">\n", c.cpu);
		for (const SourceRow& r : s.sources) {
			if (r.cpu != c.cpu)
				continue;
			const double v = s.us_per_s(r.total_ns);
			std::string hover =
				fmt::format("{} {}{}: {} us in {} x, {:.1f} us/s, max {} us",
					    r.kind, r.name, r.running ? " (running)" : "",
					    us(r.total_ns), r.count, v, us(r.max_ns));
			out += fmt::format("<rect class=\"seg\" x=\"{}\" y=\"{}\" width=\"{}\" "
					   "height=\"{}\" fill=\"{}\">{}</rect>\n",
					   num(x(at)), num(top), num(x(at + v) - x(at)),
					   num(kBudgetBar), kind_colour(r.kind), svg::title(hover));
			at += v;
		}
		out += "</g>\n";
		out += svg::text(x(at) + 6, top + kBudgetBar / 2 + 4, "start",
				 fmt::format("{:.1f} us/s, {:.3f}% left", c.noise.per_second_us,
					     c.noise.available_pct));
		top += kBudgetBar + kBudgetGap;
	}
	return out;
}

// budget_legend - a swatch a kind, six a row, below the axis of box.
std::string budget_legend(const std::vector<std::string>& kinds, const svg::Box& box)
{
	std::string out;
	double lx = box.left, ly = box.bottom() + 50;
	for (std::size_t i = 0; i < kinds.size(); i++) {
		if (i && i % 6 == 0) {
			lx = box.left;
			ly += 18;
		}
		out += fmt::format("<rect class=\"swatch\" x=\"{}\" y=\"{}\" width=\"12\" "
				   "height=\"12\" fill=\"{}\"/>\n",
				   num(lx), num(ly - 10), kind_colour(kinds[i]));
		out += svg::text(lx + 16, ly, "start", kinds[i]);
		lx += 105;
	}
	return out;
}

// budget_svg - the budget as a stacked bar per CPU, with its axis and the
// legend of its colours.
std::string budget_svg(const Snapshot& s)
{
	const double widest = budget_widest(s);
	const svg::Box box{70, 16, kWidth - 70 - 190,
			   static_cast<double>(s.cpus.size()) * (kBudgetBar + kBudgetGap)};
	std::vector<double> xt = svg::nice_ticks(widest > 0 ? widest : 1, 6);
	const svg::Linear x{0, xt.back(), box.left, box.right()};

	const std::vector<std::string> kinds = budget_kinds(s);
	const double legend_rows = std::ceil(static_cast<double>(kinds.size()) / 6);
	const double height = box.bottom() + 44 + legend_rows * 18 + 6;

	std::string out = svg::open(kWidth, height, "budget", "Noise budget by source, per CPU");
	std::vector<double> px;
	std::vector<std::string> labels;
	for (double v : xt) {
		px.push_back(x(v));
		labels.push_back(num(v));
	}
	out += svg::x_axis(box, px, labels, "Noise (us of each second)");
	out += budget_bars(s, box, x);
	out += budget_legend(kinds, box);
	return out + svg::close();
}

// budget_notes - what a CPU's budget lost or could not count.
std::string budget_notes(const NoiseBudget& n)
{
	std::string out;
	if (n.events_lost)
		out += fmt::format("<p class=\"note\">{} older events overwritten.</p>\n",
				   n.events_lost);
	if (n.incomplete())
		out += fmt::format("<p class=\"note\">Incomplete: {} contexts nested too "
				   "deep, {} nested "
				   "longer than themselves ({} us), {} not summed (sources "
				   "map full), {} "
				   "origins not kept, {} programs skipped as nested "
				   "(no_fetch_atomics), {} sleeping threads' contexts "
				   "not kept (parked map full).</p>\n",
				   n.nesting_overflow, n.clamped, us(n.clamped_ns), n.source_drops,
				   n.origin_drops, n.nested, n.parked_lost);
	return out;
}

// budget_row - a source as a row of its CPU's table, with the first three
// of its origins.
std::string budget_row(const Snapshot& s, const SourceRow& r)
{
	std::string from;
	for (std::size_t i = 0; i < r.origins.size() && i < 3; i++) {
		const OriginRow& o = r.origins[i];
		from += fmt::format("{}{} on CPU {}{} x{}", i ? ", " : "",
				    o.pid ? fmt::format("{}:{}", o.comm, o.pid) : "IRQ/idle", o.cpu,
				    o.via.empty() ? "" : " running " + o.via, o.count);
	}
	if (r.origins.size() > 3)
		from += ", ...";
	return fmt::format("<tr><td class=\"l\">{}</td><td class=\"l\">{}{}</td>"
			   "<td>{}</td><td>{}</td><td>{}</td><td>{:.1f}</td>"
			   "<td class=\"l\">{}</td></tr>\n",
			   escape(r.kind), escape(r.name), r.running ? " (running)" : "", r.count,
			   us(r.total_ns), us(r.max_ns), s.us_per_s(r.total_ns), escape(from));
}

// budget_cpu - a CPU's noise, what its budget lost, and its sources.
std::string budget_cpu(const Snapshot& s, const CpuResult& c)
{
	std::string out = fmt::format("<h3>CPU {}: {:.1f} us/s, {:.3f}% of the CPU left to the "
				      "workload</h3>\n",
				      c.cpu, c.noise.per_second_us, c.noise.available_pct);
	out += budget_notes(c.noise);
	std::string rows;
	for (const SourceRow& r : s.sources)
		if (r.cpu == c.cpu)
			rows += budget_row(s, r);
	if (rows.empty())
		return out + "<p>No disturbance traced.</p>\n";
	return out +
	       "<table class=\"sources\">\n<tr><th class=\"l\">kind</th><th "
	       "class=\"l\">source</th><th>count</th><th>total us</th><th>max us</th>"
	       "<th>us/s</th><th class=\"l\">from</th></tr>\n" +
	       rows + "</table>\n";
}

// budget - the noise budget by source: the bars of every CPU, then each
// CPU's table.
std::string budget(const Snapshot& s)
{
	std::string out = "<h2 id=\"budget\">Noise budget by source</h2>\n";
	if (!s.attributed)
		return out + "<p>No causes were traced (attached with --no-bpf).</p>\n";
	out += budget_svg(s);
	for (const CpuResult& c : s.cpus)
		out += budget_cpu(s, c);
	return out;
}

// ---- spikes ----------------------------------------------------------------

std::vector<std::string> spike_hover(const Snapshot& s, const Spike& sp)
{
	std::vector<std::string> lines{fmt::format(
		"CPU {} {} {} us at +{:.6f} s (cycle {})", sp.cpu, lat_type_name(sp.type),
		us(sp.latency_ns()),
		seconds(sp.expected_ns > s.start_ns ? sp.expected_ns - s.start_ns : 0), sp.cycle)};
	if (!s.attributed)
		return lines;
	for (const Cause& c : sp.causes)
		lines.push_back(fmt::format("{} {}: {} us", c.kind, c.name, us(c.duration_ns)));
	lines.push_back(fmt::format("unexplained: {} us", us(sp.unexplained_ns)));
	return lines;
}

// timeline - the spikes over time, each written to os as it is drawn.
void timeline(std::ostream& os, const Snapshot& s)
{
	std::string out = fmt::format("<h2 id=\"spikes\">Spikes at or over {}</h2>\n",
				      escape(format_duration(s.threshold_ns)));
	std::uint64_t lost = 0;
	for (const CpuResult& c : s.cpus)
		for (LatType t : kLatTypes)
			lost += c.of(t).spikes_lost;
	out += fmt::format("<p>{} recorded", s.spikes.size());
	if (lost)
		out += fmt::format(", {} older ones overwritten", lost);
	if (s.attributed && !s.spikes.empty())
		out += escape(render_detail::spikes_explained(s));
	out += ".</p>\n";
	if (s.spikes.empty()) {
		os << out;
		return;
	}

	const double height = 280;
	const svg::Box box{70, 20, kWidth - 70 - 20, height - 20 - 50};
	std::uint64_t worst = s.threshold_ns;
	for (const Spike& sp : s.spikes)
		worst = std::max(worst, sp.latency_ns());
	std::vector<double> xt = svg::nice_ticks(std::max(seconds(s.duration_ns()), 1e-3), 10);
	std::vector<double> yt = svg::nice_ticks(static_cast<double>(worst) / 1e3, 6);
	const svg::Linear x{0, xt.back(), box.left, box.right()};
	const svg::Linear y{0, yt.back(), box.bottom(), box.top};

	out += svg::open(kWidth, height, "timeline", "Spikes over time");
	std::vector<double> px;
	std::vector<std::string> labels;
	for (double v : xt) {
		px.push_back(x(v));
		labels.push_back(num(v));
	}
	out += svg::x_axis(box, px, labels, "Time since attach (s)");
	px.clear();
	labels.clear();
	for (double v : yt) {
		px.push_back(y(v));
		labels.push_back(num(v));
	}
	out += svg::y_axis(box, px, labels, "Latency (us)");
	const double th = y(static_cast<double>(s.threshold_ns) / 1e3);
	out += svg::line(box.left, th, box.right(), th, "threshold");
	os << out;
	out.clear();
	for (const Spike& sp : s.spikes) {
		const double t =
			seconds(sp.expected_ns > s.start_ns ? sp.expected_ns - s.start_ns : 0);
		os << fmt::format("<circle class=\"spike {}\" cx=\"{}\" cy=\"{}\" r=\"3.5\">{}"
				  "</circle>\n",
				  lat_type_name(sp.type), num(x(t)),
				  num(y(static_cast<double>(sp.latency_ns()) / 1e3)),
				  svg::title(spike_hover(s, sp)));
	}
	double lx = box.right() - 200;
	for (LatType t : kLatTypes) {
		out += fmt::format("<circle class=\"legend {}\" cx=\"{}\" cy=\"{}\" r=\"3.5\"/>\n",
				   lat_type_name(t), num(lx), num(box.top + 6));
		out += svg::text(lx + 8, box.top + 10, "start", lat_title(t));
		lx += 100;
	}
	out += svg::close();
	os << out;
}

std::string spikes_table(const Snapshot& s, std::size_t top_spikes)
{
	const std::vector<const Spike*> top = render_detail::largest_spikes(s, top_spikes);
	if (top.empty())
		return {};
	std::string out =
		fmt::format("<h3>The {} largest</h3>\n<table class=\"spikes\">\n"
			    "<tr><th>CPU</th><th class=\"l\">type</th><th>latency us</th>"
			    "<th>at s</th><th>cycle</th><th class=\"l\">causes</th></tr>\n",
			    top.size());
	for (const Spike* sp : top) {
		std::string causes;
		if (s.attributed) {
			for (const Cause& c : sp->causes)
				causes += fmt::format("{} {} {} us<br>", escape(c.kind),
						      escape(c.name), us(c.duration_ns));
			causes += fmt::format("unexplained {} us", us(sp->unexplained_ns));
			if (!sp->stack.empty()) {
				causes += "<br>stack:";
				for (const std::string& f : sp->stack)
					causes += "<br>&nbsp;&nbsp;" + escape(f);
			}
		}
		out += fmt::format(
			"<tr><td>{}</td><td class=\"l\">{}</td><td>{}</td><td>{:.6f}</td>"
			"<td>{}</td><td class=\"l\">{}</td></tr>\n",
			sp->cpu, lat_type_name(sp->type), us(sp->latency_ns()),
			seconds(sp->expected_ns > s.start_ns ? sp->expected_ns - s.start_ns : 0),
			sp->cycle, causes);
	}
	return out + "</table>\n";
}

// ---- the workload ----------------------------------------------------------------

// workload_histogram - one thread's wakeup latency, titled with its comm,
// tid and CPU.
std::string workload_histogram(const WorkloadThread& t, std::size_t i)
{
	const LatencyStats& l = t.wakeup;
	const std::string who =
		fmt::format("{}:{} on CPU {}", t.comm, t.tid, render_detail::workload_cpu(t.cpu));
	std::string legend = fmt::format("wakeup latency, max {} us", us(l.max_ns));
	if (l.overflows)
		legend += fmt::format(", {} over {} us", l.overflows, l.hist.size());
	const std::vector<html::HistLine> lines{
		{&l, "wakeup",
		 fmt::format("{}: {} wakeups ({} by its timer), min {} us, avg {} us, max {} us, "
			     "{} overflows",
			     who, l.count, t.timer_wakeups, us(l.min_ns), us(l.avg_ns()),
			     us(l.max_ns), l.overflows),
		 legend}};
	return fmt::format("<figure id=\"hist-workload{}\">\n<figcaption>{}</figcaption>\n", i,
			   escape(who)) +
	       html::histogram_svg(lines, l.hist.size(), "Wakeup latency histogram of " + who,
				   "histogram workload") +
	       "</figure>\n";
}

// workload_table - per thread: wakeups, percentiles, time taken, itself.
std::string workload_table(const Snapshot& s)
{
	std::string out =
		"<table class=\"workload\">\n<tr><th class=\"l\">thread</th><th>CPU</th>"
		"<th>wakeups</th><th>timer</th><th>min us</th><th>avg us</th><th>max us</th>"
		"<th>p99 us</th><th>p99.9 us</th><th>spikes</th><th>preempted</th>"
		"<th>interrupted</th><th>taken us</th><th>longest us</th><th>faults u/k</th>"
		"<th>syscalls</th><th>migrations</th><th>vol/invol</th></tr>\n";
	auto pct = [](const Percentiles& p, const std::optional<std::uint64_t>& v) {
		return !p.samples ? std::string("-")
		       : v	  ? std::to_string(*v)
				  : fmt::format("&ge;{}", p.overflow_us);
	};
	for (const WorkloadThread& t : s.workload) {
		const LatencyStats& l = t.wakeup;
		out += fmt::format(
			"<tr><td class=\"l\">{}:{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
			"<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</"
			"td>"
			"<td>{}</td><td>{}</td><td>{}/{}</td><td>{}</td><td>{}</td><td>{}/{}</td></"
			"tr>\n",
			escape(t.comm), t.tid, render_detail::workload_cpu(t.cpu), l.count,
			t.timer_wakeups, us(l.min_ns), us(l.avg_ns()), us(l.max_ns),
			pct(l.pct, l.pct.p99_us), pct(l.pct, l.pct.p999_us), l.spikes,
			t.taken.preemptions, t.taken.interrupts, us(t.taken.total_ns()),
			us(t.taken.max_ns), t.self.faults_user, t.self.faults_kernel,
			t.self.syscalls, t.self.migrations, t.self.voluntary, t.self.involuntary);
	}
	return out + "</table>\n";
}

// workload_spikes_table - the largest of the workload's spikes, with causes.
std::string workload_spikes_table(const Snapshot& s, std::size_t top_spikes)
{
	const std::vector<const WorkloadSpike*> top =
		render_detail::largest_workload_spikes(s, top_spikes);
	std::string out = fmt::format("<h3>Workload spikes at or over {}: {} recorded</h3>\n",
				      escape(format_duration(s.workload_threshold_ns)),
				      s.workload_spikes.size());
	if (top.empty())
		return out;
	out += "<table class=\"workload-spikes\">\n<tr><th>CPU</th><th class=\"l\">thread</th>"
	       "<th class=\"l\">type</th><th>latency us</th><th>at s</th>"
	       "<th class=\"l\">causes</th></tr>\n";
	for (const WorkloadSpike* sp : top) {
		std::string causes;
		for (const Cause& c : sp->causes)
			causes += fmt::format("{} {} {} us<br>", escape(c.kind), escape(c.name),
					      us(c.duration_ns));
		causes += fmt::format("unexplained {} us", us(sp->unexplained_ns));
		if (!sp->stack.empty()) {
			causes += "<br>stack:";
			for (const std::string& f : sp->stack)
				causes += "<br>&nbsp;&nbsp;" + escape(f);
		}
		out += fmt::format(
			"<tr><td>{}</td><td class=\"l\">{}:{}</td><td class=\"l\">{}{}</td>"
			"<td>{}</td><td>{:.6f}</td><td class=\"l\">{}</td></tr>\n",
			sp->cpu, escape(sp->comm), sp->tid, workload_spike_type_name(sp->type),
			sp->timer ? " (timer)" : "", us(sp->latency_ns()),
			seconds(sp->from_ns > s.start_ns ? sp->from_ns - s.start_ns : 0), causes);
	}
	return out + "</table>\n";
}

// workload - the workload's section, if the run followed one.
std::string workload(const Snapshot& s, std::size_t top_spikes)
{
	if (!render_detail::has_workload(s))
		return {};
	std::string out = "<h2 id=\"workload\">Workload</h2>\n";
	if (s.workload_lost)
		out += fmt::format("<p class=\"note\">{} more threads not followed (map "
				   "full).</p>\n",
				   s.workload_lost);
	if (!s.workload.empty())
		out += workload_table(s);
	for (std::size_t i = 0; i < s.workload.size(); i++)
		out += workload_histogram(s.workload[i], i);
	return out + workload_spikes_table(s, top_spikes);
}

// ---- tick and remedies -------------------------------------------------------

std::string ticks_table(const Snapshot& s)
{
	if (!s.attributed)
		return {};
	std::string out = "<h2 id=\"tick\">Why the tick kept running</h2>\n";
	if (s.ticks.empty())
		return out +
		       "<p>The tick stopped whenever it could, or no reason was traced.</p>\n";
	out += "<table class=\"tick\">\n<tr><th>CPU</th><th class=\"l\">reason</th><th>count</th>"
	       "<th class=\"l\">what lets it stop</th></tr>\n";
	for (const TickRow& t : s.ticks)
		out += fmt::format("<tr><td>{}</td><td class=\"l\">{}</td><td>{}</td>"
				   "<td class=\"l\">{}</td></tr>\n",
				   t.cpu, escape(t.reason), t.count, escape(t.remedy));
	return out + "</table>\n";
}

std::string remedies_table(const Snapshot& s)
{
	// Each remedy once, with the sources it would remove, largest first.
	std::vector<std::pair<std::string, std::vector<std::string>>> fixes;
	for (const SourceRow& r : s.sources) {
		if (r.remedy.empty())
			continue;
		auto it = std::find_if(fixes.begin(), fixes.end(),
				       [&](const auto& f) { return f.first == r.remedy; });
		if (it == fixes.end()) {
			fixes.push_back({r.remedy, {}});
			it = fixes.end() - 1;
		}
		std::string who = fmt::format("CPU {} {} {}", r.cpu, r.kind, r.name);
		if (std::find(it->second.begin(), it->second.end(), who) == it->second.end())
			it->second.push_back(who);
	}
	if (fixes.empty())
		return {};
	std::string out = "<h2 id=\"remedies\">What would remove them</h2>\n<table "
			  "class=\"remedies\">\n<tr><th class=\"l\">remedy</th><th "
			  "class=\"l\">sources it removes</th></tr>\n";
	for (const auto& [fix, who] : fixes) {
		std::string list;
		for (const std::string& w : who)
			list += (list.empty() ? "" : "<br>") + escape(w);
		out += fmt::format("<tr><td class=\"l\">{}</td><td class=\"l\">{}</td></tr>\n",
				   escape(fix), list);
	}
	return out + "</table>\n";
}

std::string notes(const Snapshot& s)
{
	std::string out;
	for (const CpuResult& c : s.cpus) {
		if (c.start_error)
			out += fmt::format(
				"<p class=\"note\">CPU {} is not sampled: its sampler could "
				"not restart after a CPU hotplug: {}.</p>\n",
				c.cpu, escape(errno_text(c.start_error)));
		else if (c.hotplug_offline)
			out += fmt::format(
				"<p class=\"note\">CPU {} went offline {} time(s); it was "
				"not sampled while offline.</p>\n",
				c.cpu, c.hotplug_offline);
		else if (s.sampled && s.state == SamplerState::running && !c.running)
			out += fmt::format(
				"<p class=\"note\">CPU {} is not being sampled now.</p>\n", c.cpu);
	}
	return out;
}

}  // namespace

// render_html - the page written a part at a time, the timeline's
// spikes one at a time.
void render_html(std::ostream& out, const Snapshot& s, std::size_t top_spikes)
{
	out << head(s);
	if (s.sampled) {
		out << summary_table(s);
		out << "<h2 id=\"histograms\">Latency histograms</h2>\n";
		for (const CpuResult& c : s.cpus)
			out << histogram(s, c);
	}
	out << budget(s);
	out << ticks_table(s);
	out << remedies_table(s);
	if (s.sampled) {
		timeline(out, s);
		out << spikes_table(s, top_spikes);
	}
	out << workload(s, top_spikes);
	out << notes(s);
	out << html::page_close();
}

std::string render_html(const Snapshot& s, std::size_t top_spikes)
{
	std::ostringstream out;
	render_html(out, s, top_spikes);
	return std::move(out).str();
}

}  // namespace rtnoise
