// SPDX-License-Identifier: GPL-2.0
#include "analysis/compare.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "analysis/percentiles.hpp"
#include "model/workload_group.hpp"
#include "util/cpulist.hpp"
#include "util/error.hpp"

namespace rtnoise {
namespace {

std::optional<double> us(const std::optional<std::uint64_t>& v)
{
	if (!v)
		return std::nullopt;
	return static_cast<double>(*v);
}

RunInfo run_info(const Snapshot& s)
{
	return {s.kernel_release + " " + s.kernel_version, s.duration_ns(), s.threshold_ns,
		s.sampled, s.attributed};
}

CpuSet cpus_of(const Snapshot& s)
{
	CpuSet c;
	for (const CpuResult& r : s.cpus)
		c.insert(r.cpu);
	return c;
}

const CpuResult* find_cpu(const Snapshot& s, unsigned cpu)
{
	for (const CpuResult& c : s.cpus)
		if (c.cpu == cpu)
			return &c;
	return nullptr;
}

LatencyDelta latency_delta(unsigned cpu, LatType t, const LatencyStats& b, const LatencyStats& a)
{
	LatencyDelta d;
	d.cpu = cpu;
	d.type = t;
	d.count = {static_cast<double>(b.count), static_cast<double>(a.count)};
	auto some = [](const LatencyStats& l, std::uint64_t ns) -> std::optional<double> {
		if (!l.count)
			return std::nullopt;
		// In whole us, truncated like the report's.
		const std::uint64_t us = ns / 1000;
		return static_cast<double>(us);
	};
	d.min_us = {some(b, b.min_ns), some(a, a.min_ns)};
	d.avg_us = {some(b, b.avg_ns()), some(a, a.avg_ns())};
	d.max_us = {some(b, b.max_ns), some(a, a.max_ns)};
	const auto bv = b.pct.values();
	const auto av = a.pct.values();
	for (std::size_t i = 0; i < d.pct_us.size(); i++)
		d.pct_us[i] = {us(*bv[i]), us(*av[i])};
	d.before_pct = b.pct;
	d.after_pct = a.pct;
	return d;
}

// workload_side - one side's figures of a workload group, in @d.
void workload_side(const WorkloadGroup& g, Percentiles& pct, std::optional<double>& wakeups,
		   std::optional<double>& max_us, std::optional<double>& p99_us,
		   std::optional<double>& p999_us, std::optional<double>& taken_us)
{
	pct = percentiles(g.wakeup);
	wakeups = static_cast<double>(g.wakeup.count);
	// To the us below, as the percentiles are.
	max_us = g.wakeup.count ? std::optional<double>(
					  std::floor(static_cast<double>(g.wakeup.max_ns) / 1e3))
				: std::nullopt;
	p99_us = us(pct.p99_us);
	p999_us = us(pct.p999_us);
	taken_us = static_cast<double>(g.taken.total_ns()) / 1e3;
}

// workload_deltas - the workload's comms on each CPU, matched by comm and
// CPU: those of after, then those only before.
std::vector<WorkloadDelta> workload_deltas(const Snapshot& before, const Snapshot& after)
{
	const std::vector<WorkloadGroup> b = workload_groups(before.workload);
	const std::vector<WorkloadGroup> a = workload_groups(after.workload);
	std::map<std::pair<std::string, int>, WorkloadDelta> rows;
	for (const WorkloadGroup& g : b) {
		WorkloadDelta& d = rows[{g.comm, g.cpu}];
		d.comm = g.comm;
		d.cpu = g.cpu;
		d.presence = Presence::vanished;
		workload_side(g, d.before_pct, d.wakeups.before, d.max_us.before, d.p99_us.before,
			      d.p999_us.before, d.taken_us.before);
	}
	for (const WorkloadGroup& g : a) {
		WorkloadDelta& d = rows[{g.comm, g.cpu}];
		d.presence = d.wakeups.before ? Presence::both : Presence::appeared;
		d.comm = g.comm;
		d.cpu = g.cpu;
		workload_side(g, d.after_pct, d.wakeups.after, d.max_us.after, d.p99_us.after,
			      d.p999_us.after, d.taken_us.after);
	}
	std::vector<WorkloadDelta> out;
	out.reserve(rows.size());
	for (auto& [key, d] : rows)
		out.push_back(std::move(d));
	return out;
}

}  // namespace

void CauseTallies::add(const Spike& sp)
{
	// The cause that took the longest of the spike's window (the first
	// of equals).
	const Cause* largest = nullptr;
	for (const Cause& c : sp.causes)
		if (!largest || c.duration_ns > largest->duration_ns)
			largest = &c;
	static const std::string unexplained = "unexplained";
	const std::string& kind = largest ? largest->kind : unexplained;
	const std::string& name = largest ? largest->name : std::string();
	std::vector<CauseTally>& t = by_[{sp.cpu, sp.type}];
	auto [it, fresh] = at_.try_emplace(Key{sp.cpu, sp.type, kind, name}, t.size());
	if (fresh)
		t.push_back({kind, name, 1});
	else
		t[it->second].spikes++;
}

std::vector<CauseTally> CauseTallies::leading(unsigned cpu, LatType type, std::size_t n) const
{
	auto found = by_.find({cpu, type});
	if (found == by_.end())
		return {};
	std::vector<CauseTally> t = found->second;
	std::stable_sort(t.begin(), t.end(), [](const CauseTally& x, const CauseTally& y) {
		return x.spikes > y.spikes;
	});
	if (t.size() > n)
		t.resize(n);
	return t;
}

CauseTallies tally_causes(const Snapshot& s)
{
	CauseTallies t;
	for (const Spike& sp : s.spikes)
		t.add(sp);
	return t;
}

Comparison compare(const Snapshot& before, const Snapshot& after)
{
	return compare(before, tally_causes(before), after, tally_causes(after));
}

Comparison compare(const Snapshot& before, const CauseTallies& before_causes, const Snapshot& after,
		   const CauseTallies& after_causes)
{
	const CpuSet bc = cpus_of(before), ac = cpus_of(after);
	if (bc != ac)
		throw usage_error("the reports watched different CPUs: " + format_cpulist(bc) +
				  " before, " + format_cpulist(ac) + " after");
	Comparison c;
	c.before = run_info(before);
	c.after = run_info(after);
	c.cpus.assign(bc.begin(), bc.end());
	const bool sampled = before.sampled && after.sampled;
	const bool attributed = before.attributed && after.attributed;
	for (unsigned cpu : c.cpus) {
		const CpuResult& b = *find_cpu(before, cpu);
		const CpuResult& a = *find_cpu(after, cpu);
		if (sampled)
			for (LatType t : kLatTypes)
				c.latency.push_back(latency_delta(cpu, t, b.of(t), a.of(t)));
		if (attributed)
			c.noise.push_back({cpu,
					   {b.noise.per_second_us, a.noise.per_second_us},
					   {b.noise.available_pct, a.noise.available_pct}});
		if (sampled)
			for (LatType t : kLatTypes) {
				SpikeDelta d;
				d.cpu = cpu;
				d.type = t;
				d.recorded = {static_cast<double>(b.of(t).spikes),
					      static_cast<double>(a.of(t).spikes)};
				d.causes_before = before_causes.leading(cpu, t, 3);
				d.causes_after = after_causes.leading(cpu, t, 3);
				c.spikes.push_back(std::move(d));
			}
	}
	c.workload = workload_deltas(before, after);
	if (!attributed)
		return c;

	// Sources by CPU, kind and name; after's order first, then the vanished.
	using Key = std::tuple<unsigned, std::string, std::string>;
	std::map<Key, const SourceRow*> was;
	for (const SourceRow& r : before.sources)
		was.emplace(Key{r.cpu, r.kind, r.name}, &r);
	std::map<Key, bool> listed;
	for (const SourceRow& r : after.sources) {
		SourceDelta d;
		d.cpu = r.cpu;
		d.kind = r.kind;
		d.name = r.name;
		auto it = was.find(Key{r.cpu, r.kind, r.name});
		const SourceRow* b = it == was.end() ? nullptr : it->second;
		d.presence = b ? Presence::both : Presence::appeared;
		auto side = [](const SourceRow* s, auto f) -> std::optional<double> {
			if (!s)
				return std::nullopt;
			return f(*s);
		};
		d.count = {side(b, [](const SourceRow& s) { return static_cast<double>(s.count); }),
			   static_cast<double>(r.count)};
		d.total_us = {side(b,
				   [](const SourceRow& s) {
					   return static_cast<double>(s.total_ns) / 1e3;
				   }),
			      static_cast<double>(r.total_ns) / 1e3};
		d.us_per_s = {
			side(b, [&](const SourceRow& s) { return before.us_per_s(s.total_ns); }),
			after.us_per_s(r.total_ns)};
		if (listed.emplace(Key{r.cpu, r.kind, r.name}, true).second)
			c.sources.push_back(std::move(d));
	}
	for (const SourceRow& r : before.sources) {
		if (!listed.emplace(Key{r.cpu, r.kind, r.name}, true).second)
			continue;
		SourceDelta d;
		d.cpu = r.cpu;
		d.kind = r.kind;
		d.name = r.name;
		d.presence = Presence::vanished;
		d.count = {static_cast<double>(r.count), std::nullopt};
		d.total_us = {static_cast<double>(r.total_ns) / 1e3, std::nullopt};
		d.us_per_s = {before.us_per_s(r.total_ns), std::nullopt};
		c.sources.push_back(std::move(d));
	}
	std::stable_sort(c.sources.begin(), c.sources.end(),
			 [](const SourceDelta& x, const SourceDelta& y) { return x.cpu < y.cpu; });
	return c;
}

}  // namespace rtnoise
