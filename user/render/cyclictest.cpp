// SPDX-License-Identifier: GPL-2.0
// cyclictest.cpp - the histogram as `cyclictest -h N -q` prints it.
#include <fmt/format.h>

#include <iterator>

#include "render/detail.hpp"
#include "render/render.hpp"
#include "util/units.hpp"

namespace rtnoise {

using namespace render_detail;

std::string render_cyclictest(const Snapshot& s, LatType type)
{
	std::string out;
	const std::size_t n = s.cpus.size();
	auto stats = [&](std::size_t i) -> const LatencyStats& { return s.cpus[i].of(type); };

	out += "# Histogram\n";
	for (std::size_t us = 0; us < s.hist_buckets; us++) {
		fmt::format_to(std::back_inserter(out), "{:06} ", us);
		for (std::size_t i = 0; i < n; i++) {
			const auto& h = stats(i).hist;
			fmt::format_to(std::back_inserter(out), "{:06}", us < h.size() ? h[us] : 0);
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
		fmt::format_to(std::back_inserter(out), " {:09}", total);
	}
	out += "\n# Min Latencies:";
	for (std::size_t i = 0; i < n; i++)
		fmt::format_to(std::back_inserter(out), " {:05}", ns_to_us(stats(i).min_ns));
	out += "\n# Avg Latencies:";
	for (std::size_t i = 0; i < n; i++)
		fmt::format_to(std::back_inserter(out), " {:05}", ns_to_us(stats(i).avg_ns()));
	out += "\n# Max Latencies:";
	for (std::size_t i = 0; i < n; i++)
		fmt::format_to(std::back_inserter(out), " {:05}", ns_to_us(stats(i).max_ns));
	out += "\n# Histogram Overflows:";
	for (std::size_t i = 0; i < n; i++)
		fmt::format_to(std::back_inserter(out), " {:05}", stats(i).overflows);
	out += "\n# Histogram Overflow at cycle number:\n";

	// cyclictest keeps as many outlier cycle numbers as it has buckets.
	for (std::size_t i = 0; i < n; i++) {
		fmt::format_to(std::back_inserter(out), "# Thread {}:", i);
		std::uint64_t listed = 0;
		for (const Spike& sp : s.spikes) {
			if (sp.cpu != s.cpus[i].cpu || sp.type != type ||
			    ns_to_us(sp.latency_ns()) < s.hist_buckets)
				continue;
			if (listed == s.hist_buckets)
				break;
			fmt::format_to(std::back_inserter(out), " {:05}", sp.cycle);
			listed++;
		}
		if (listed < stats(i).overflows)
			fmt::format_to(std::back_inserter(out), " # {:05} others",
				       stats(i).overflows - listed);
		out += '\n';
	}
	out += '\n';
	return out;
}

}  // namespace rtnoise
