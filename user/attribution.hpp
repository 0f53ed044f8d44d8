// SPDX-License-Identifier: GPL-2.0
// attribution.hpp - the join of the sampler's spikes with the BPF side's
// events, the per-source noise budget, and remedies for known sources.
// Pure functions: no I/O.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "ksyms.hpp"
#include "sampler.hpp"
#include "trace.hpp"

namespace rtnoise {

// explain_window - paint [from, to) with the events of one CPU: each
// instant belongs to the innermost event covering it (nesting is proper,
// so the deepest wins). What no event covers is unexplained.
struct Explanation {
	struct Part {
		unsigned kind;
		std::uint64_t id;
		std::uint64_t ns;
	};
	std::vector<Part> parts;	// largest first
	std::uint64_t unexplained_ns = 0;
};
Explanation explain_window(const std::vector<TraceEvent>& events,
			   std::uint64_t from, std::uint64_t to);

// attribute - fill the snapshot's sources, ticks, noise budgets and the
// causes of each spike from trace. Threads whose comm is in
// workload_comms, or whose pid is in workload_pids, are the workload: not
// noise, not causes.
void attribute(Snapshot& s, const TraceData& trace, const Ksyms& ksyms,
	       const std::set<std::string>& workload_comms = {},
	       const std::set<std::uint64_t>& workload_pids = {});

// symbolize_stack - kernel frames, innermost first, without the way the
// sampler's timer interrupt came in; "(user space)" when that was all.
std::vector<std::string> symbolize_stack(const std::vector<std::uint64_t>& ips,
					 const Ksyms& ksyms);

// remedy - what the seed guides do about a source, or "" if nothing.
std::string remedy(const std::string& kind, const std::string& name,
		   unsigned cpu);

}  // namespace rtnoise
