// SPDX-License-Identifier: GPL-2.0
// detail.hpp - small helpers the formats share (render/ only).
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "model/compare.hpp"
#include "model/snapshot.hpp"
#include "util/cpulist.hpp"

namespace rtnoise::render_detail {

inline CpuSet watched_cpus(const Snapshot& s)
{
	CpuSet cpus;
	for (const CpuResult& c : s.cpus)
		cpus.insert(c.cpu);
	return cpus;
}

// largest_spikes - the @n spikes of the largest latency, largest first;
// spikes of equal latency in the snapshot's order. Partial: a report can
// hold half a million spikes and shows ten.
inline std::vector<const Spike*> largest_spikes(const Snapshot& s, std::size_t n)
{
	std::vector<const Spike*> top;
	top.reserve(s.spikes.size());
	for (const Spike& sp : s.spikes)
		top.push_back(&sp);
	n = std::min(n, top.size());
	// The pointers are into one vector: comparing them is its order.
	std::partial_sort(top.begin(), top.begin() + static_cast<long>(n), top.end(),
			  [](const Spike* a, const Spike* b) {
				  return a->latency_ns() != b->latency_ns()
						 ? a->latency_ns() > b->latency_ns()
						 : a < b;
			  });
	top.resize(n);
	return top;
}

// The figures of `compare`, as its text and html forms print them.

// value - a figure with decimals, or "-".
inline std::string value(const std::optional<double>& v, int decimals)
{
	return v ? fmt::format("{:.{}f}", *v, decimals) : "-";
}

// percentile - like value(), ">=N" among the overflows.
inline std::string percentile(const Percentiles& p, const std::optional<double>& v)
{
	if (!p.samples)
		return "-";
	return v ? fmt::format("{:.0f}", *v) : fmt::format(">={}", p.overflow_us);
}

inline std::string change(const Delta& d, int decimals)
{
	const auto c = d.change();
	return c ? fmt::format("{:+.{}f}", *c, decimals) : "-";
}

inline std::string change_pct(const Delta& d)
{
	const auto p = d.change_pct();
	return p ? fmt::format("{:+.1f}%", *p) : "-";
}

// causes - "kind name xN, ..." (most first), or "-".
inline std::string causes(const std::vector<CauseTally>& t)
{
	if (t.empty())
		return "-";
	std::string out;
	for (const CauseTally& c : t) {
		if (!out.empty())
			out += ", ";
		out += c.name.empty() ? c.kind : c.kind + " " + c.name;
		out += fmt::format(" x{}", c.spikes);
	}
	return out;
}

}  // namespace rtnoise::render_detail
