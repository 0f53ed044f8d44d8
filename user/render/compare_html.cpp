// SPDX-License-Identifier: GPL-2.0
// compare_html.cpp - `rtnoise compare --format html`: one self-contained
// page (the report's: no script, nothing fetched) with per CPU and
// latency type the two histograms overlaid, and the tables of the text
// form with each change marked.
#include <fmt/format.h>

#include <array>
#include <iterator>

#include "render/detail.hpp"
#include "render/html.hpp"
#include "render/render.hpp"
#include "render/svg.hpp"
#include "util/units.hpp"

namespace rtnoise {
namespace {

using html::lat_title;
using html::us;
using render_detail::change;
using render_detail::change_pct;
using render_detail::percentile;
using render_detail::value;
using svg::escape;

// Before orange, after green, in every plot; the line before wider and
// under the one after, so that where the two are the same it still shows
// at the edges. A change down (less latency, noise or spikes) green, up red.
const char* kStyle =
	R"(svg .before{stroke:#ff7f0e}svg .hist.before{stroke-width:4}svg .after{stroke:#2ca02c}
td.down{color:#2a7f2a}td.up{color:#c22}td.appeared{color:#c22;font-weight:bold}
td.vanished{color:#2a7f2a;font-weight:bold}p.pass{color:#2a7f2a}p.fail{color:#c22}
)";

const CpuResult* cpu_of(const Snapshot& s, unsigned cpu)
{
	for (const CpuResult& c : s.cpus)
		if (c.cpu == cpu)
			return &c;
	return nullptr;
}

// direction - the class of a change cell: down, up or none.
std::string direction(const Delta& d)
{
	const auto c = d.change();
	if (!c || *c == 0)
		return "";
	return *c < 0 ? " class=\"down\"" : " class=\"up\"";
}

void row(std::string& out, const std::string& head, const std::string& before,
	 const std::string& after, const Delta& d, const std::string& chg, const std::string& pct)
{
	fmt::format_to(std::back_inserter(out),
		       "<tr>{}<td>{}</td><td>{}</td><td{}>{}</td><td{}>{}</td></tr>\n", head,
		       escape(before), escape(after), direction(d), escape(chg), direction(d),
		       escape(pct));
}

std::string runs(const Comparison& c)
{
	std::string out = "<table class=\"runs\">\n<tr><th class=\"l\">run</th><th "
			  "class=\"l\">kernel</th><th>duration</th><th>threshold</th><th "
			  "class=\"l\">causes</th></tr>\n";
	for (const auto& [name, r] : {std::pair{"before", &c.before}, std::pair{"after", &c.after}})
		fmt::format_to(std::back_inserter(out),
			       "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td>"
			       "<td>{}</td><td class=\"l\">{}</td></tr>\n",
			       name, escape(r->kernel), escape(format_duration(r->duration_ns)),
			       escape(format_duration(r->threshold_ns)),
			       r->attributed ? "traced" : "not traced");
	return out + "</table>\n";
}

std::string verdict(const BudgetResult& b)
{
	std::string out =
		fmt::format("<h2 id=\"verdict\">Budget {} (the run after)</h2>\n", escape(b.file));
	if (b.passed())
		return out + "<p class=\"pass\">Every limit holds.</p>\n";
	out += fmt::format(
		"<p class=\"fail\">{} limit(s) exceeded.</p>\n<table class=\"verdict\">\n"
		"<tr><th class=\"l\">limit</th><th>CPU</th><th class=\"l\">source</th>"
		"<th>measured</th><th>allowed</th><th class=\"l\">unit</th></tr>\n",
		b.violations.size());
	for (const Violation& v : b.violations)
		fmt::format_to(
			std::back_inserter(out),
			"<tr><td class=\"l\">{}</td><td>{}</td><td class=\"l\">{}</td>"
			"<td>{}</td><td>{:g}</td><td class=\"l\">{}</td></tr>\n",
			escape(v.limit), v.cpu ? std::to_string(*v.cpu) : "-", escape(v.source),
			escape(v.baseline.empty() ? v.measured
						  : v.measured + " (before: " + v.baseline + ")"),
			v.allowed, escape(v.unit));
	return out + "</table>\n";
}

std::string hover(const char* run, unsigned cpu, LatType t, const LatencyStats& l)
{
	return fmt::format("{}: CPU {} {}: {} samples, min {} us, avg {} us, max {} us, {} "
			   "overflows",
			   run, cpu, lat_title(t), l.count, us(l.min_ns), us(l.avg_ns()),
			   us(l.max_ns), l.overflows);
}

std::string histograms(const Comparison& c, const Snapshot& before, const Snapshot& after)
{
	if (!before.sampled && !after.sampled)
		return {};
	const std::size_t buckets = std::max(before.hist_buckets, after.hist_buckets);
	const LatencyStats none;
	std::string out = "<h2 id=\"histograms\">Latency histograms, before and after</h2>\n";
	for (unsigned cpu : c.cpus) {
		const CpuResult* b = cpu_of(before, cpu);
		const CpuResult* a = cpu_of(after, cpu);
		for (LatType t : kLatTypes) {
			const LatencyStats& lb = b ? b->of(t) : none;
			const LatencyStats& la = a ? a->of(t) : none;
			const std::vector<html::HistLine> lines{
				{&lb, "before", hover("Before", cpu, t, lb),
				 fmt::format("before, max {} us", us(lb.max_ns))},
				{&la, "after", hover("After", cpu, t, la),
				 fmt::format("after, max {} us", us(la.max_ns))}};
			fmt::format_to(std::back_inserter(out),
				       "<figure id=\"hist-cpu{}-{}\">\n<figcaption>CPU {}, "
				       "{}</figcaption>\n",
				       cpu, lat_type_name(t), cpu, lat_title(t));
			out += html::histogram_svg(
				lines, buckets,
				fmt::format("{} histogram of CPU {}, before and after",
					    lat_title(t), cpu));
			out += "</figure>\n";
		}
	}
	return out;
}

const char* kHead = "<tr><th>CPU</th><th class=\"l\">type</th><th class=\"l\">figure</th>"
		    "<th>before</th><th>after</th><th>change</th><th>%</th></tr>\n";

std::string latency(const Comparison& c)
{
	if (c.latency.empty())
		return {};
	std::string out = "<h2 id=\"latency\">Latency (us)</h2>\n<table class=\"latency\">\n";
	out += kHead;
	for (const LatencyDelta& l : c.latency) {
		auto head = [&](const char* figure) {
			return fmt::format(
				R"(<td>{}</td><td class="l">{}</td><td class="l">{}</td>)", l.cpu,
				lat_type_name(l.type), figure);
		};
		row(out, head("count"), value(l.count.before, 0), value(l.count.after, 0), Delta{},
		    change(l.count, 0), change_pct(l.count));
		const std::array<std::pair<const char*, const Delta*>, 3> sums{
			{{"min", &l.min_us}, {"avg", &l.avg_us}, {"max", &l.max_us}}};
		for (const auto& [name, d] : sums)
			row(out, head(name), value(d->before, 0), value(d->after, 0), *d,
			    change(*d, 0), change_pct(*d));
		for (std::size_t i = 0; i < l.pct_us.size(); i++) {
			const Delta& d = l.pct_us[i];
			row(out, head(Percentiles::kNames[i]), percentile(l.before_pct, d.before),
			    percentile(l.after_pct, d.after), d, change(d, 0), change_pct(d));
		}
	}
	return out + "</table>\n";
}

std::string noise(const Comparison& c)
{
	if (c.noise.empty())
		return {};
	std::string out =
		"<h2 id=\"noise\">Noise (us/s of each CPU)</h2>\n<table class=\"noise\">\n"
		"<tr><th>CPU</th><th>before</th><th>after</th><th>change</th>"
		"<th>%</th></tr>\n";
	for (const NoiseDelta& n : c.noise)
		row(out, fmt::format("<td>{}</td>", n.cpu), value(n.us_per_s.before, 1),
		    value(n.us_per_s.after, 1), n.us_per_s, change(n.us_per_s, 1),
		    change_pct(n.us_per_s));
	out += "</table>\n";
	if (c.sources.empty())
		return out;
	out += "<h2 id=\"sources\">Noise by source (us/s)</h2>\n<table class=\"sources\">\n"
	       "<tr><th>CPU</th><th class=\"l\">kind</th><th class=\"l\">source</th>"
	       "<th>before</th><th>after</th><th>change</th><th>%</th></tr>\n";
	for (const SourceDelta& s : c.sources) {
		const std::string head =
			fmt::format(R"(<td>{}</td><td class="l">{}</td><td class="l">{}</td>)",
				    s.cpu, escape(s.kind), escape(s.name));
		if (s.presence == Presence::both) {
			row(out, head, value(s.us_per_s.before, 1), value(s.us_per_s.after, 1),
			    s.us_per_s, change(s.us_per_s, 1), change_pct(s.us_per_s));
			continue;
		}
		const char* p = presence_name(s.presence);
		fmt::format_to(std::back_inserter(out),
			       "<tr>{}<td>{}</td><td>{}</td><td class=\"{}\" colspan=\"2\">{}</td>"
			       "</tr>\n",
			       head, value(s.us_per_s.before, 1), value(s.us_per_s.after, 1), p, p);
	}
	return out + "</table>\n";
}

std::string spikes(const Comparison& c)
{
	if (c.spikes.empty())
		return {};
	std::string out = "<h2 id=\"spikes\">Spikes (samples over the threshold) and their "
			  "largest causes</h2>\n<table class=\"spikes\">\n"
			  "<tr><th>CPU</th><th class=\"l\">type</th><th>before</th><th>after</th>"
			  "<th>change</th><th>%</th><th class=\"l\">causes before</th>"
			  "<th class=\"l\">causes after</th></tr>\n";
	for (const SpikeDelta& s : c.spikes)
		fmt::format_to(std::back_inserter(out),
			       "<tr><td>{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td>"
			       "<td{}>{}</td><td{}>{}</td><td class=\"l\">{}</td>"
			       "<td class=\"l\">{}</td></tr>\n",
			       s.cpu, lat_type_name(s.type), value(s.recorded.before, 0),
			       value(s.recorded.after, 0), direction(s.recorded),
			       change(s.recorded, 0), direction(s.recorded),
			       escape(change_pct(s.recorded)),
			       escape(render_detail::causes(s.causes_before)),
			       escape(render_detail::causes(s.causes_after)));
	return out + "</table>\n";
}

// workload - per comm and CPU of the workload: its figures before and
// after, a comm on one side only marked.
std::string workload(const Comparison& c)
{
	if (c.workload.empty())
		return {};
	std::string out = "<h2 id=\"workload\">Workload (threads of a comm on a CPU, "
			  "summed)</h2>\n<table class=\"workload\">\n"
			  "<tr><th class=\"l\">comm</th><th>CPU</th><th class=\"l\">figure</th>"
			  "<th>before</th><th>after</th><th>change</th><th>%</th></tr>\n";
	for (const WorkloadDelta& w : c.workload) {
		auto line = [&](const char* figure, const std::string& before,
				const std::string& after, const Delta& d, int decimals) {
			const std::string head = fmt::format(
				R"(<td class="l">{}</td><td>{}</td><td class="l">{}</td>)",
				escape(w.comm), render_detail::workload_cpu(w.cpu), figure);
			if (w.presence == Presence::both) {
				row(out, head, before, after, d, change(d, decimals),
				    change_pct(d));
				return;
			}
			const char* p = presence_name(w.presence);
			fmt::format_to(std::back_inserter(out),
				       "<tr>{}<td>{}</td><td>{}</td><td class=\"{}\" "
				       "colspan=\"2\">{}</td></tr>\n",
				       head, escape(before), escape(after), p, p);
		};
		line("wakeups", value(w.wakeups.before, 0), value(w.wakeups.after, 0), w.wakeups,
		     0);
		line("max us", value(w.max_us.before, 0), value(w.max_us.after, 0), w.max_us, 0);
		line("p99 us", percentile(w.before_pct, w.p99_us.before),
		     percentile(w.after_pct, w.p99_us.after), w.p99_us, 0);
		line("p99.9 us", percentile(w.before_pct, w.p999_us.before),
		     percentile(w.after_pct, w.p999_us.after), w.p999_us, 0);
		line("taken us", value(w.taken_us.before, 1), value(w.taken_us.after, 1),
		     w.taken_us, 1);
	}
	return out + "</table>\n";
}

}  // namespace

std::string render_compare_html(const Comparison& c, const Snapshot& before, const Snapshot& after)
{
	std::string out = html::page_open("rtnoise compare", kStyle);
	out += runs(c);
	if (c.budget)
		out += verdict(*c.budget);
	out += histograms(c, before, after);
	out += latency(c);
	out += noise(c);
	out += spikes(c);
	out += workload(c);
	return out + html::page_close();
}

}  // namespace rtnoise
