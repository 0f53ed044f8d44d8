// SPDX-License-Identifier: GPL-2.0
// series.cpp - the Prometheus exposition's series: a source label per
// comm rather than per thread, at most N of them per CPU, and the
// maximum of the last interval from the growth of the histograms.
#include "analysis/series.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace rtnoise {
namespace {

bool digit(char c)
{
	return c >= '0' && c <= '9';
}

// counter_mark - a byte a counted number follows: ASCII punctuation or a
// space, not '/' (which a per-CPU kthread's CPU or an IRQ number follows).
bool counter_mark(char c)
{
	const auto b = static_cast<unsigned char>(c);
	return (b == ' ' || (b >= '!' && b <= '/') || (b >= ':' && b <= '@') ||
		(b >= '[' && b <= '`') || (b >= '{' && b <= '~')) &&
	       c != '/';
}

// fold_numbers - comm without the numbers that count threads.
std::string fold_numbers(std::string_view comm)
{
	std::string out;
	out.reserve(comm.size());
	std::size_t i = 0;
	while (i < comm.size()) {
		// A mark that starts the comm is part of its name.
		if (i > 0 && counter_mark(comm[i]) && i + 1 < comm.size() && digit(comm[i + 1])) {
			i++;
			while (i < comm.size() && digit(comm[i]))
				i++;
			continue;
		}
		out += comm[i++];
	}
	return out;
}

bool by_size(const SeriesSource& a, const SeriesSource& b)
{
	return std::tie(b.total_ns, b.count, a.kind, a.name) <
	       std::tie(a.total_ns, a.count, b.kind, b.name);
}

}  // namespace

std::string series_name(std::string_view kind, std::string_view name)
{
	if (kind != "thread")
		return std::string(name);
	// source_name() wrote "comm:pid".
	const std::size_t colon = name.rfind(':');
	if (colon != std::string_view::npos && colon + 1 < name.size() &&
	    std::all_of(name.begin() + static_cast<std::ptrdiff_t>(colon) + 1, name.end(), digit))
		name = name.substr(0, colon);
	return fold_numbers(name);
}

void fold_sources(const std::vector<SourceRow>& sources, const std::vector<unsigned>& cpus,
		  std::size_t per_cpu, Metrics& m)
{
	std::map<std::tuple<unsigned, std::string, std::string>, SeriesSource> summed;
	for (const SourceRow& r : sources) {
		std::string name = series_name(r.kind, r.name);
		SeriesSource& s = summed[{r.cpu, r.kind, name}];
		if (s.count == 0 && s.total_ns == 0 && s.kind.empty()) {
			s.cpu = r.cpu;
			s.kind = r.kind;
			s.name = std::move(name);
		}
		s.count += r.count;
		s.total_ns += r.total_ns;
		s.max_ns = std::max(s.max_ns, r.max_ns);
	}
	std::map<unsigned, std::vector<SeriesSource>> per;
	for (unsigned cpu : cpus)
		per[cpu];
	for (auto& [key, s] : summed)
		per[s.cpu].push_back(std::move(s));
	for (auto& [cpu, rows] : per) {
		std::sort(rows.begin(), rows.end(), by_size);
		const std::size_t keep = std::min(rows.size(), per_cpu);
		m.sources.insert(m.sources.end(), rows.begin(),
				 rows.begin() + static_cast<std::ptrdiff_t>(keep));
		m.folded.push_back({cpu, rows.size() - keep});
		if (keep == rows.size())
			continue;
		SeriesSource other{cpu, "other", "other", 0, 0, 0};
		for (std::size_t i = keep; i < rows.size(); i++) {
			other.count += rows[i].count;
			other.total_ns += rows[i].total_ns;
			other.max_ns = std::max(other.max_ns, rows[i].max_ns);
		}
		m.sources.push_back(std::move(other));
	}
}

std::uint64_t interval_max_ns(const LatencyStats* before, const LatencyStats& now)
{
	// A new run (a re-attach, a reset): its counts start again.
	if (before && (now.hist.size() != before->hist.size() || now.count < before->count ||
		       now.overflows < before->overflows || now.max_ns < before->max_ns))
		before = nullptr;
	for (std::size_t b = 0; before && b < now.hist.size(); b++)
		if (now.hist[b] < before->hist[b])
			before = nullptr;
	const std::uint64_t overflows_then = before ? before->overflows : 0;
	std::uint64_t grown_us = 0;
	bool grew = now.overflows > overflows_then;
	if (grew)
		grown_us = now.hist.size();
	for (std::size_t b = now.hist.size(); !grew && b-- > 0;)
		if (now.hist[b] > (before ? before->hist[b] : 0)) {
			grew = true;
			grown_us = b;
		}
	if (!grew)
		return 0;
	// A larger maximum since the attach was taken in this interval: exact.
	if (!before || now.max_ns > before->max_ns)
		return now.max_ns;
	return std::min(grown_us * 1000, now.max_ns);
}

Metrics metrics_of(const Snapshot& now, const Snapshot* before, std::size_t per_cpu)
{
	Metrics m;
	std::vector<unsigned> cpus;
	for (const CpuResult& c : now.cpus)
		cpus.push_back(c.cpu);
	fold_sources(now.sources, cpus, per_cpu, m);
	if (before && before->start_ns != now.start_ns)
		before = nullptr;
	for (const CpuResult& c : now.cpus) {
		const CpuResult* then = nullptr;
		if (before)
			for (const CpuResult& b : before->cpus)
				if (b.cpu == c.cpu)
					then = &b;
		for (LatType t : kLatTypes)
			m.interval.push_back(
				{c.cpu, t,
				 interval_max_ns(then ? &then->of(t) : nullptr, c.of(t))});
	}
	return m;
}

}  // namespace rtnoise
