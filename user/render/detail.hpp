// SPDX-License-Identifier: GPL-2.0
// detail.hpp - small helpers the formats share (render/ only).
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "model/comparison.hpp"
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

// largest_workload_spikes - as largest_spikes(), of the workload's.
inline std::vector<const WorkloadSpike*> largest_workload_spikes(const Snapshot& s, std::size_t n)
{
	std::vector<const WorkloadSpike*> top;
	top.reserve(s.workload_spikes.size());
	for (const WorkloadSpike& sp : s.workload_spikes)
		top.push_back(&sp);
	n = std::min(n, top.size());
	std::partial_sort(top.begin(), top.begin() + static_cast<long>(n), top.end(),
			  [](const WorkloadSpike* a, const WorkloadSpike* b) {
				  return a->latency_ns() != b->latency_ns()
						 ? a->latency_ns() > b->latency_ns()
						 : a < b;
			  });
	top.resize(n);
	return top;
}

// has_workload - whether the run followed a workload (--workload).
inline bool has_workload(const Snapshot& s)
{
	return !s.workload.empty() || !s.workload_spikes.empty() || s.workload_lost ||
	       s.workload_spikes_lost;
}

// workload_cpu - a workload thread's CPU, "-" when it ran on no watched one.
inline std::string workload_cpu(int cpu)
{
	return cpu >= 0 ? std::to_string(cpu) : "-";
}

// spikes_explained - how the spikes of an attributed snapshot were
// explained, as text and html say it after "N recorded": "; A explained
// when recorded, B from the event history, C without causes", then why
// the kernel's join is missing for those it is missing for.
inline std::string spikes_explained(const Snapshot& s)
{
	std::size_t at = 0, hist = 0, none = 0;
	for (const Spike& sp : s.spikes)
		(sp.explained == Explained::at_spike  ? at
		 : sp.explained == Explained::history ? hist
						      : none)++;
	std::string out = fmt::format(
		"; {} explained when recorded, {} from the event history, {} without causes", at,
		hist, none);
	static constexpr std::array<const char*, kJoinMissingCount> why{
		"",
		"recorded before BPF was attached",
		"overwritten by newer spikes before read",
		"never joined while attached",
		"of another sampler run",
		"the kernel cannot join at spike time"};
	std::string missing;
	for (std::size_t r = 1; r < kJoinMissingCount; r++) {
		std::uint64_t n = 0;
		for (const CpuResult& c : s.cpus)
			n += c.noise.joins_missing[r];
		if (n)
			missing += fmt::format("{}{} {}", missing.empty() ? "" : ", ", n, why[r]);
	}
	if (!missing.empty())
		out += " (not joined when recorded: " + missing + ")";
	return out;
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
