// SPDX-License-Identifier: GPL-2.0
// trace.hpp - what the BPF side saw, as plain data, and how it is named.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "../bpf/rtnoise_bpf.h"

namespace rtnoise {

class Ksyms;

// kind_name - the report's name of an RTNOISE_KIND_* value.
const char* kind_name(unsigned kind);

struct TraceSource {
	unsigned cpu = 0;
	unsigned kind = 0;
	std::uint64_t id = 0;
	std::uint64_t count = 0;
	std::uint64_t total_ns = 0;
	std::uint64_t max_ns = 0;
	std::string comm;	// IRQ action or thread comm, as BPF saw it
	bool running = false;	// a thread still on the CPU when read
};

// TraceOrigin - what, from another context, caused a source: the waker
// of a thread, the queuer of work, who armed a timer, who sent an IPI.
struct TraceOrigin {
	unsigned cpu = 0;		// the watched CPU
	unsigned kind = 0;		// of the source caused
	std::uint64_t id = 0;
	unsigned from_cpu = 0;
	unsigned from_pid = 0;
	std::string comm;
	std::uint64_t count = 0;
	std::uint64_t via = 0;		// IPIs: the function run, if known
};

struct TraceEvent {
	unsigned kind = 0;
	unsigned depth = 0;
	std::uint64_t id = 0;
	std::uint64_t start_ns = 0;
	std::uint64_t end_ns = 0;
	std::uint64_t net_ns = 0;
};

struct CpuTrace {
	std::vector<TraceEvent> events;	// by start time
	std::uint64_t written = 0;	// events ever recorded
	std::uint64_t lost = 0;		// overwritten before this read
	std::uint64_t overflow = 0;	// contexts nested too deep to track
};

struct TraceData {
	std::uint64_t start_ns = 0;
	std::uint32_t ring_size = 0;
	std::vector<TraceSource> sources;
	std::vector<TraceOrigin> origins;
	std::map<unsigned, CpuTrace> cpus;
};

// source_name - "24:virtio0-input", "TIMER", "kworker/3:1:87",
// "tick_sched_timer", ... for the report.
std::string source_name(unsigned kind, std::uint64_t id, const std::string& comm,
			const Ksyms& ksyms);

}  // namespace rtnoise
