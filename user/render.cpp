// SPDX-License-Identifier: GPL-2.0
#include "render.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "cpulist.hpp"
#include "units.hpp"

namespace rtnoise {
namespace {

template <typename... Args>
void appendf(std::string& out, const char* fmt, Args... args)
{
	char buf[512];
	int n = std::snprintf(buf, sizeof(buf), fmt, args...);
	if (n > 0)
		out.append(buf, std::min<std::size_t>(n, sizeof(buf) - 1));
}

unsigned long long ull(std::uint64_t v) { return v; }

CpuSet watched_cpus(const Snapshot& s)
{
	CpuSet cpus;
	for (const CpuResult& c : s.cpus)
		cpus.insert(c.cpu);
	return cpus;
}

nlohmann::json latency_json(const LatencyStats& l)
{
	nlohmann::json hist = nlohmann::json::object();
	for (std::size_t us = 0; us < l.hist.size(); us++)
		if (l.hist[us])
			hist[std::to_string(us)] = l.hist[us];
	return {{"count", l.count},
		{"min_ns", l.min_ns},
		{"avg_ns", l.avg_ns()},
		{"max_ns", l.max_ns},
		{"overflows", l.overflows},
		{"histogram_us", hist},
		{"spikes", l.spikes},
		{"spikes_lost", l.spikes_lost},
		{"missed_periods", l.missed}};
}

}  // namespace

std::string render_json(const Snapshot& s)
{
	nlohmann::json cpus = nlohmann::json::array();
	for (const CpuResult& c : s.cpus)
		cpus.push_back({{"cpu", c.cpu},
				{"irq", latency_json(c.of(LatType::irq))},
				{"thread", latency_json(c.of(LatType::thread))},
				{"sampling", c.running},
				{"hotplug_offline", c.hotplug_offline}});

	nlohmann::json spikes = nlohmann::json::array();
	for (const Spike& sp : s.spikes)
		spikes.push_back({{"cpu", sp.cpu},
				  {"type", lat_type_name(sp.type)},
				  {"at_ns", sp.expected_ns},
				  {"observed_ns", sp.observed_ns},
				  {"latency_ns", sp.latency_ns()},
				  {"cycle", sp.cycle},
				  {"causes", nlohmann::json::array()},
				  {"unexplained_ns", sp.latency_ns()}});

	nlohmann::json j = {
		{"version", 1},
		{"kernel", s.kernel_release + " " + s.kernel_version},
		{"state", sampler_state_name(s.state)},
		{"period_ns", s.period_ns},
		{"threshold_ns", s.threshold_ns},
		{"duration_ns", s.duration_ns()},
		{"start_ns", s.start_ns},
		{"hist_buckets", s.hist_buckets},
		{"priority", s.prio},
		{"attribution", false},
		{"cpus", cpus},
		{"sources", nlohmann::json::array()},
		{"spikes", spikes},
		{"tick", nlohmann::json::array()},
	};
	return j.dump(2) + "\n";
}

std::string render_cyclictest(const Snapshot& s, LatType type)
{
	std::string out;
	const std::size_t n = s.cpus.size();
	auto stats = [&](std::size_t i) -> const LatencyStats& {
		return s.cpus[i].of(type);
	};

	out += "# Histogram\n";
	for (std::size_t us = 0; us < s.hist_buckets; us++) {
		appendf(out, "%06zu ", us);
		for (std::size_t i = 0; i < n; i++) {
			const auto& h = stats(i).hist;
			appendf(out, "%06llu", ull(us < h.size() ? h[us] : 0));
			if (i + 1 < n)
				out += '\t';
		}
		out += '\n';
	}

	out += "# Total:";
	for (std::size_t i = 0; i < n; i++) {
		std::uint64_t total = 0;
		for (std::uint64_t v : stats(i).hist)
			total += v;
		appendf(out, " %09llu", ull(total));
	}
	out += "\n# Min Latencies:";
	for (std::size_t i = 0; i < n; i++)
		appendf(out, " %05llu", ull(ns_to_us(stats(i).min_ns)));
	out += "\n# Avg Latencies:";
	for (std::size_t i = 0; i < n; i++)
		appendf(out, " %05llu", ull(ns_to_us(stats(i).avg_ns())));
	out += "\n# Max Latencies:";
	for (std::size_t i = 0; i < n; i++)
		appendf(out, " %05llu", ull(ns_to_us(stats(i).max_ns)));
	out += "\n# Histogram Overflows:";
	for (std::size_t i = 0; i < n; i++)
		appendf(out, " %05llu", ull(stats(i).overflows));
	out += "\n# Histogram Overflow at cycle number:\n";

	// cyclictest keeps as many outlier cycle numbers as it has buckets.
	for (std::size_t i = 0; i < n; i++) {
		appendf(out, "# Thread %zu:", i);
		std::uint64_t listed = 0;
		for (const Spike& sp : s.spikes) {
			if (sp.cpu != s.cpus[i].cpu || sp.type != type ||
			    ns_to_us(sp.latency_ns()) < s.hist_buckets)
				continue;
			if (listed == s.hist_buckets)
				break;
			appendf(out, " %05llu", ull(sp.cycle));
			listed++;
		}
		if (listed < stats(i).overflows)
			appendf(out, " # %05llu others",
				ull(stats(i).overflows - listed));
		out += '\n';
	}
	out += '\n';
	return out;
}

std::string render_text(const Snapshot& s, std::size_t top_spikes)
{
	std::string out;
	appendf(out, "rtnoise report - kernel %s %s\n", s.kernel_release.c_str(),
		s.kernel_version.c_str());
	if (s.state == SamplerState::idle) {
		out += "nothing attached\n";
		return out;
	}
	appendf(out, "sampler %s on CPUs %s for %s: period %s, threshold %s, "
		     "SCHED_FIFO %u\n\n",
		sampler_state_name(s.state), format_cpulist(watched_cpus(s)).c_str(),
		format_duration(s.duration_ns()).c_str(),
		format_duration(s.period_ns).c_str(),
		format_duration(s.threshold_ns).c_str(), s.prio);

	out += "      ------------ IRQ latency (us) -------------"
	       "  ---------- Thread latency (us) -------------------\n";
	out += "CPU      count    min    avg    max   over spikes"
	       "      count    min    avg    max   over spikes missed\n";
	for (const CpuResult& c : s.cpus) {
		appendf(out, "%3u", c.cpu);
		for (LatType t : kLatTypes) {
			const LatencyStats& l = c.of(t);
			appendf(out, " %10llu %6llu %6llu %6llu %6llu %6llu",
				ull(l.count), ull(ns_to_us(l.min_ns)),
				ull(ns_to_us(l.avg_ns())), ull(ns_to_us(l.max_ns)),
				ull(l.overflows), ull(l.spikes));
		}
		appendf(out, " %6llu\n", ull(c.of(LatType::thread).missed));
	}

	std::vector<const Spike*> top;
	std::uint64_t lost = 0;
	for (const CpuResult& c : s.cpus)
		for (LatType t : kLatTypes)
			lost += c.of(t).spikes_lost;
	for (const Spike& sp : s.spikes)
		top.push_back(&sp);
	std::sort(top.begin(), top.end(), [](const Spike* a, const Spike* b) {
		return a->latency_ns() > b->latency_ns();
	});
	if (top.size() > top_spikes)
		top.resize(top_spikes);

	appendf(out, "\nSpikes >= %s: %zu recorded",
		format_duration(s.threshold_ns).c_str(), s.spikes.size());
	if (lost)
		appendf(out, ", %llu older ones overwritten", ull(lost));
	if (!top.empty()) {
		appendf(out, "; the %zu largest:\n", top.size());
		for (const Spike* sp : top)
			appendf(out, "  CPU %-3u %-6s %9.1f us  at +%.6f s  (cycle %llu)\n",
				sp->cpu, lat_type_name(sp->type),
				static_cast<double>(sp->latency_ns()) / 1000.0,
				static_cast<double>(sp->expected_ns - s.start_ns) / 1e9,
				ull(sp->cycle));
	} else {
		out += "\n";
	}

	for (const CpuResult& c : s.cpus) {
		if (c.hotplug_offline)
			appendf(out, "note: CPU %u went offline %u time(s); it was "
				     "not sampled while offline\n",
				c.cpu, c.hotplug_offline);
		else if (s.state == SamplerState::running && !c.running)
			appendf(out, "note: CPU %u is not being sampled now\n", c.cpu);
	}
	return out;
}

std::string render(const Snapshot& s, const RenderOptions& opt)
{
	switch (opt.format) {
	case Format::json:
		return render_json(s);
	case Format::cyclictest:
		return render_cyclictest(s, opt.cyclictest_type);
	default:
		return render_text(s, opt.top_spikes);
	}
}

}  // namespace rtnoise
