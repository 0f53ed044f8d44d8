// SPDX-License-Identifier: GPL-2.0
// compare_json.cpp - `rtnoise compare --format json` (docs/commands.md).
#include <nlohmann/json.hpp>

#include "render/render.hpp"

namespace rtnoise {
namespace {

using json = nlohmann::json;

json opt(const std::optional<double>& v)
{
	return v ? json(*v) : json(nullptr);
}

json delta(const Delta& d)
{
	return {{"before", opt(d.before)},
		{"after", opt(d.after)},
		{"change", opt(d.change())},
		{"change_pct", opt(d.change_pct())}};
}

json run(const RunInfo& r)
{
	return {{"kernel", r.kernel},
		{"duration_ns", r.duration_ns},
		{"threshold_ns", r.threshold_ns},
		{"sampled", r.sampled},
		{"attribution", r.attributed}};
}

json tallies(const std::vector<CauseTally>& t)
{
	json a = json::array();
	for (const CauseTally& c : t)
		a.push_back({{"kind", c.kind}, {"name", c.name}, {"spikes", c.spikes}});
	return a;
}

// workload_json - the workload's comms per CPU, each figure a delta.
json workload_json(const Comparison& c)
{
	json out = json::array();
	for (const WorkloadDelta& w : c.workload) {
		json j = {{"comm", w.comm},
			  {"cpu", w.cpu >= 0 ? json(w.cpu) : json(nullptr)},
			  {"presence", presence_name(w.presence)},
			  {"wakeups", delta(w.wakeups)},
			  {"max_us", delta(w.max_us)},
			  {"taken_us", delta(w.taken_us)}};
		const std::pair<const char*, const Delta*> pcts[] = {{"p99_us", &w.p99_us},
								     {"p999_us", &w.p999_us}};
		for (const auto& [key, d] : pcts) {
			json jd = delta(*d);
			if (w.before_pct.samples && !d->before && w.presence != Presence::appeared)
				jd["before_over_us"] = w.before_pct.overflow_us;
			if (w.after_pct.samples && !d->after && w.presence != Presence::vanished)
				jd["after_over_us"] = w.after_pct.overflow_us;
			j[key] = jd;
		}
		out.push_back(j);
	}
	return out;
}

}  // namespace

std::string render_compare_json(const Comparison& c)
{
	json latency = json::array();
	for (const LatencyDelta& l : c.latency) {
		json j = {{"cpu", l.cpu},
			  {"type", lat_type_name(l.type)},
			  {"count", delta(l.count)},
			  {"min_us", delta(l.min_us)},
			  {"avg_us", delta(l.avg_us)},
			  {"max_us", delta(l.max_us)}};
		for (std::size_t i = 0; i < l.pct_us.size(); i++) {
			json d = delta(l.pct_us[i]);
			// A percentile among the overflows is only known to be >= this.
			if (l.before_pct.samples && !l.pct_us[i].before)
				d["before_over_us"] = l.before_pct.overflow_us;
			if (l.after_pct.samples && !l.pct_us[i].after)
				d["after_over_us"] = l.after_pct.overflow_us;
			j[std::string(Percentiles::kKeys[i]) + "_us"] = d;
		}
		latency.push_back(j);
	}
	json noise = json::array();
	for (const NoiseDelta& n : c.noise)
		noise.push_back({{"cpu", n.cpu},
				 {"us_per_s", delta(n.us_per_s)},
				 {"available_pct", delta(n.available_pct)}});
	json sources = json::array();
	for (const SourceDelta& s : c.sources)
		sources.push_back({{"cpu", s.cpu},
				   {"kind", s.kind},
				   {"name", s.name},
				   {"presence", presence_name(s.presence)},
				   {"count", delta(s.count)},
				   {"total_us", delta(s.total_us)},
				   {"us_per_s", delta(s.us_per_s)}});
	json spikes = json::array();
	for (const SpikeDelta& s : c.spikes)
		spikes.push_back({{"cpu", s.cpu},
				  {"type", lat_type_name(s.type)},
				  {"spikes", delta(s.recorded)},
				  {"causes_before", tallies(s.causes_before)},
				  {"causes_after", tallies(s.causes_after)}});
	json j = {{"compare", 1},	{"before", run(c.before)}, {"after", run(c.after)},
		  {"cpus", c.cpus},	{"latency", latency},	   {"noise", noise},
		  {"sources", sources}, {"spikes", spikes}};
	if (!c.workload.empty())
		j["workload"] = workload_json(c);
	if (c.budget)
		j["budget"] = budget_json(*c.budget);
	return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace rtnoise
