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

namespace {

using Label = std::tuple<unsigned, std::string, std::string>;  // CPU, kind, label

// by_label - @sources summed under their series_name() labels.
std::map<Label, SeriesSource> by_label(const std::vector<SourceRow>& sources)
{
	std::map<Label, SeriesSource> summed;
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
	return summed;
}

// grown - how much a cumulative figure grew from @then to @now: all of
// it when it went down (a source that ended and one new under its key).
std::uint64_t grown(std::uint64_t then, std::uint64_t now)
{
	return now >= then ? now - then : now;
}

}  // namespace

void fold_sources(const std::vector<SourceRow>& sources, const std::vector<unsigned>& cpus,
		  std::size_t per_cpu, Metrics& m, const Metrics* then)
{
	std::map<unsigned, std::vector<SeriesSource>> per;
	for (unsigned cpu : cpus)
		per[cpu];
	for (auto& [key, s] : by_label(sources)) {
		m.labels.push_back(s);
		per[s.cpu].push_back(std::move(s));
	}
	std::map<unsigned, const SeriesSource*> other_then;
	if (then)
		for (const SeriesSource& s : then->sources)
			if (s.kind == "other")
				other_then[s.cpu] = &s;
	// then's sums of a label, or null (then->labels are in Label order).
	auto label_then = [&](const SeriesSource& r) -> const SeriesSource* {
		auto key = [](const SeriesSource& x) { return std::tie(x.cpu, x.kind, x.name); };
		auto it = std::lower_bound(then->labels.begin(), then->labels.end(), r,
					   [&](const SeriesSource& a, const SeriesSource& b) {
						   return key(a) < key(b);
					   });
		return it != then->labels.end() && key(*it) == key(r) ? &*it : nullptr;
	};
	for (auto& [cpu, rows] : per) {
		std::sort(rows.begin(), rows.end(), by_size);
		const std::size_t keep = std::min(rows.size(), per_cpu);
		m.sources.insert(m.sources.end(), rows.begin(),
				 rows.begin() + static_cast<std::ptrdiff_t>(keep));
		m.folded.push_back({cpu, rows.size() - keep});
		auto was = other_then.find(cpu);
		if (keep == rows.size() && was == other_then.end())
			continue;
		SeriesSource other{cpu, "other", "other", 0, 0, 0};
		if (was != other_then.end()) {
			other.count = was->second->count;
			other.total_ns = was->second->total_ns;
			other.max_ns = was->second->max_ns;
		}
		for (std::size_t i = keep; i < rows.size(); i++) {
			const SeriesSource& r = rows[i];
			if (was != other_then.end()) {
				const SeriesSource* b = label_then(r);
				other.count += grown(b ? b->count : 0, r.count);
				other.total_ns += grown(b ? b->total_ns : 0, r.total_ns);
			} else {
				other.count += r.count;
				other.total_ns += r.total_ns;
			}
			other.max_ns = std::max(other.max_ns, r.max_ns);
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

Metrics metrics_of(const Snapshot& now, const Snapshot* before, std::size_t per_cpu,
		   const Metrics* before_series)
{
	Metrics m;
	std::vector<unsigned> cpus;
	for (const CpuResult& c : now.cpus)
		cpus.push_back(c.cpu);
	if (before && before->start_ns != now.start_ns)
		before = nullptr;
	fold_sources(now.sources, cpus, per_cpu, m, before ? before_series : nullptr);
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
