// SPDX-License-Identifier: GPL-2.0
// compare_text.cpp - `rtnoise compare` for people: aligned tables.
#include <fmt/format.h>

#include <iterator>

#include "render/detail.hpp"
#include "render/render.hpp"
#include "util/units.hpp"

namespace rtnoise {
namespace {

using render_detail::causes;
using render_detail::change;
using render_detail::change_pct;
using render_detail::percentile;
using render_detail::value;

void row(std::string& out, const std::string& head, const std::string& before,
	 const std::string& after, const std::string& chg, const std::string& pct)
{
	std::string line =
		fmt::format("{} {:>10} {:>10} {:>10} {:>8}", head, before, after, chg, pct);
	line.erase(line.find_last_not_of(' ') + 1);
	out += line + "\n";
}

void latency(std::string& out, const Comparison& c)
{
	if (c.latency.empty())
		return;
	out += "\nLatency (us)\n";
	row(out, "CPU type   figure", "before", "after", "change", "%");
	for (const LatencyDelta& l : c.latency) {
		auto head = [&](const char* figure) {
			return fmt::format("{:3} {:<6} {:<6}", l.cpu, lat_type_name(l.type),
					   figure);
		};
		row(out, head("count"), value(l.count.before, 0), value(l.count.after, 0),
		    change(l.count, 0), change_pct(l.count));
		const std::array<std::pair<const char*, const Delta*>, 3> sums{
			{{"min", &l.min_us}, {"avg", &l.avg_us}, {"max", &l.max_us}}};
		for (const auto& [name, d] : sums)
			row(out, head(name), value(d->before, 0), value(d->after, 0), change(*d, 0),
			    change_pct(*d));
		for (std::size_t i = 0; i < l.pct_us.size(); i++) {
			const Delta& d = l.pct_us[i];
			row(out, head(Percentiles::kNames[i]), percentile(l.before_pct, d.before),
			    percentile(l.after_pct, d.after), change(d, 0), change_pct(d));
		}
	}
}

void noise(std::string& out, const Comparison& c)
{
	if (c.noise.empty())
		return;
	out += "\nNoise (us/s of each CPU)\n";
	row(out, fmt::format("{:<50}", "CPU"), "before", "after", "change", "%");
	for (const NoiseDelta& n : c.noise)
		row(out, fmt::format("{:3} {:<46}", n.cpu, "all sources"),
		    value(n.us_per_s.before, 1), value(n.us_per_s.after, 1), change(n.us_per_s, 1),
		    change_pct(n.us_per_s));
	if (c.sources.empty())
		return;
	out += "\nNoise by source (us/s)\n";
	row(out, fmt::format("{:<50}", "CPU kind         source"), "before", "after", "change",
	    "%");
	for (const SourceDelta& s : c.sources) {
		const std::string head = fmt::format("{:3} {:<12} {:<33}", s.cpu, s.kind, s.name);
		if (s.presence == Presence::both)
			row(out, head, value(s.us_per_s.before, 1), value(s.us_per_s.after, 1),
			    change(s.us_per_s, 1), change_pct(s.us_per_s));
		else
			row(out, head, value(s.us_per_s.before, 1), value(s.us_per_s.after, 1),
			    presence_name(s.presence), "");
	}
}

void spikes(std::string& out, const Comparison& c)
{
	if (c.spikes.empty())
		return;
	out += "\nSpikes (samples over the threshold) and their largest causes\n";
	row(out, "CPU type      ", "before", "after", "change", "%");
	for (const SpikeDelta& s : c.spikes) {
		row(out, fmt::format("{:3} {:<10}", s.cpu, lat_type_name(s.type)),
		    value(s.recorded.before, 0), value(s.recorded.after, 0), change(s.recorded, 0),
		    change_pct(s.recorded));
		if (s.causes_before.empty() && s.causes_after.empty())
			continue;
		fmt::format_to(std::back_inserter(out), "      before: {}\n      after:  {}\n",
			       causes(s.causes_before), causes(s.causes_after));
	}
}

void workload(std::string& out, const Comparison& c)
{
	if (c.workload.empty())
		return;
	out += "\nWorkload (threads of a comm on a CPU, summed)\n";
	row(out, fmt::format("{:<30}", "comm             CPU figure"), "before", "after", "change",
	    "%");
	for (const WorkloadDelta& w : c.workload) {
		auto head = [&](const char* figure) {
			return fmt::format("{:<16} {:>3} {:<9}", w.comm,
					   render_detail::workload_cpu(w.cpu), figure);
		};
		auto line = [&](const char* figure, const std::string& before,
				const std::string& after, const Delta& d, int decimals = 0) {
			if (w.presence == Presence::both)
				row(out, head(figure), before, after, change(d, decimals),
				    change_pct(d));
			else
				row(out, head(figure), before, after, presence_name(w.presence),
				    "");
		};
		line("wakeups", value(w.wakeups.before, 0), value(w.wakeups.after, 0), w.wakeups);
		line("max us", value(w.max_us.before, 0), value(w.max_us.after, 0), w.max_us);
		line("p99 us", percentile(w.before_pct, w.p99_us.before),
		     percentile(w.after_pct, w.p99_us.after), w.p99_us);
		line("p99.9 us", percentile(w.before_pct, w.p999_us.before),
		     percentile(w.after_pct, w.p999_us.after), w.p999_us);
		line("taken us", value(w.taken_us.before, 1), value(w.taken_us.after, 1),
		     w.taken_us, 1);
	}
}

}  // namespace

std::string render_compare_text(const Comparison& c)
{
	std::string out = "rtnoise compare\n";
	for (const auto& [name, r] : {std::pair{"before", &c.before}, std::pair{"after", &c.after}})
		fmt::format_to(std::back_inserter(out), "  {:<7} kernel {}, {}, threshold {}{}\n",
			       std::string(name) + ":", r->kernel, format_duration(r->duration_ns),
			       format_duration(r->threshold_ns),
			       r->attributed ? ", causes traced" : "");
	latency(out, c);
	noise(out, c);
	spikes(out, c);
	workload(out, c);
	if (c.budget) {
		out += '\n';
		out += render_budget_text(*c.budget);
	}
	return out;
}

}  // namespace rtnoise
