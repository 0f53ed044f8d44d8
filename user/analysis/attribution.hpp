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
#include <unordered_map>
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

// SourceId - a source of one CPU as the trace names it: looked up for
// each cause of each spike, so hashed.
struct SourceId {
	unsigned cpu = 0;
	unsigned kind = 0;
	std::uint64_t id = 0;
	bool operator==(const SourceId&) const = default;
};

struct SourceIdHash {
	std::size_t operator()(const SourceId& k) const noexcept
	{
		std::uint64_t h = k.id ^ (static_cast<std::uint64_t>(k.cpu) << 40 |
					  static_cast<std::uint64_t>(k.kind) << 32);
		h *= 0x9e3779b97f4a7c15ULL;
		return static_cast<std::size_t>(h ^ (h >> 32));
	}
};

// SourceNames - each source's name, as attribute() makes it of its kind,
// id and comm with the kernel's symbols. A caller that attributes again
// and again (the monitor, each interval) keeps one, and names each source
// once, not each time (with hundreds of sources a CPU, naming them and
// the table of their names were a fifth of a 256-CPU monitor's read). It
// must be clear()ed when the symbols change. (Remedies are not kept:
// at 256 CPUs their text took 12 MiB of RSS to save 3 ms.)
class SourceNames {
public:
	struct Named {
		std::string comm;  // what it was named from
		std::string name;
		std::uint64_t round = 0;  // the last begin() that named it
	};

	// begin - a new attribution: named() answers for what of() names
	// from now on.
	void begin() { round_++, used_ = 0; }
	// of - the name of @key with @comm, made once for both.
	const Named& of(const SourceId& key, const std::string& comm, const Ksyms& ksyms);
	// named - the name of() gave @key since begin(), or null.
	const std::string* named(const SourceId& key) const;
	// end - forget the sources this attribution did not name, once they
	// are most of those kept (threads come and go).
	void end();
	void clear() { names_.clear(); }
	std::size_t size() const { return names_.size(); }

private:
	std::unordered_map<SourceId, Named, SourceIdHash> names_;
	std::uint64_t round_ = 0;
	std::size_t used_ = 0;
};

// attribute - fill the snapshot's sources, ticks, noise budgets and the
// causes of each spike from trace. Threads whose comm is in
// workload_comms, or whose pid is in workload_pids, are the workload: not
// noise, not causes. @names: the names made by earlier calls with the
// same symbols, or null.
void attribute(Snapshot& s, TraceData trace, const Ksyms& ksyms,
	       const std::set<std::string>& workload_comms = {},
	       const std::set<std::uint64_t>& workload_pids = {}, SourceNames* names = nullptr);

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
