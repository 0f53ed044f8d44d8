// SPDX-License-Identifier: GPL-2.0
// attribution.hpp - the join of the sampler's spikes with the BPF side's
// events, the per-source noise budget, origins and remedies.
//
// analysis/ is pure: it reads the model (and kernel symbols) and fills
// the model; no I/O. It includes model/ and host/ksyms.hpp.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "analysis/remedy.hpp"
#include "host/ksyms.hpp"
#include "model/snapshot.hpp"
#include "model/trace.hpp"

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
	std::vector<Part> parts;  // largest first
	std::uint64_t unexplained_ns = 0;
};
Explanation explain_window(const std::vector<TraceEvent>& events, std::uint64_t from,
			   std::uint64_t to);

// attribute - fill the snapshot's sources, ticks, noise budgets and the
// causes of each spike from trace. Threads whose comm is in
// workload_comms, or whose pid is in workload_pids, are the workload: not
// noise, not causes.
void attribute(Snapshot& s, TraceData trace, const Ksyms& ksyms,
	       const std::set<std::string>& workload_comms = {},
	       const std::set<std::uint64_t>& workload_pids = {});

// symbolize_stack - kernel frames, innermost first, without the way the
// sampler's timer interrupt came in; "(user space)" when that was all.
// note_hidden - say why in s.symbols_hidden when a source, origin, cause
// or frame of s is a hidden name (Ksyms::hidden_name()).
void note_hidden(Snapshot& s, const std::string& why);
std::vector<std::string> symbolize_stack(const std::vector<std::uint64_t>& ips, const Ksyms& ksyms);

// charge_running - the threads still running when the trace was read
// become sources and events up to that moment (attribute() does this).
void charge_running(TraceData& trace);

// source_name - "24:virtio0-input", "TIMER", "kworker/3:1:87",
// "tick_sched_timer", ... for the report.
std::string source_name(unsigned kind, std::uint64_t id, const std::string& comm,
			const Ksyms& ksyms);

}  // namespace rtnoise
