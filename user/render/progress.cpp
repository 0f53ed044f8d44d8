// SPDX-License-Identifier: GPL-2.0
// progress.cpp - the line `attach --duration` refreshes on a terminal.
#include <fmt/format.h>

#include <algorithm>

#include "render/render.hpp"
#include "util/units.hpp"

namespace rtnoise {

std::string render_progress(std::uint64_t elapsed_ns, std::uint64_t total_ns,
			    const std::vector<CpuResult>& cpus, std::size_t width)
{
	const std::uint64_t done = std::min(elapsed_ns, total_ns) / kNsPerSec;
	const std::uint64_t all = (total_ns + kNsPerSec - 1) / kNsPerSec;
	std::string out = fmt::format("rtnoise: {}s of {}s, {}s left", done, all,
				      all > done ? all - done : 0);
	auto worst = [](const LatencyStats& l) {
		return l.count ? fmt::format("{}", ns_to_us(l.max_ns)) : std::string("-");
	};
	for (std::size_t i = 0; i < cpus.size(); i++) {
		const CpuResult& c = cpus[i];
		out += fmt::format("{}CPU {} {}/{}", i ? ", " : "; worst thread/IRQ us: ", c.cpu,
				   worst(c.of(LatType::thread)), worst(c.of(LatType::irq)));
	}
	// One terminal line: wider ones wrap and \r no longer rewrites them.
	if (width && out.size() >= width)
		out = width > 4 ? out.substr(0, width - 4) + "..." : out.substr(0, width - 1);
	return out;
}

}  // namespace rtnoise
