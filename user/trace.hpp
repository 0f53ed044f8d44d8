// SPDX-License-Identifier: GPL-2.0
// trace.hpp - what the BPF side saw, as plain data, and how it is named.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
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
	unsigned flags = 0;	// RTNOISE_EV_*

	bool cause() const { return !(flags & RTNOISE_EV_NOT_CAUSE); }
};

struct CpuTrace {
	std::vector<TraceEvent> events;	// by start time
	std::uint64_t written = 0;	// events ever recorded
	std::uint64_t lost = 0;		// overwritten before this read
	std::uint64_t torn = 0;		// being rewritten while read: skipped
	std::uint64_t overflow = 0;	// contexts nested too deep to track
	std::uint64_t clamped = 0;	// contexts whose nested time exceeded them
	std::uint64_t clamped_ns = 0;
	std::uint64_t source_drops = 0;	// contexts not summed: sources map full
	std::uint64_t origin_drops = 0;	// origins not kept: origins map full
	std::uint64_t spikes_explained = 0;	// at spike time, in the kernel
	std::uint64_t spikes_cut = 0;	// of those, older than the ring
};

// SpikeCauses - what the kernel-side join found when a spike was recorded.
struct SpikeCauses {
	struct Part {
		unsigned kind = 0;
		std::uint64_t id = 0;
		std::uint64_t ns = 0;
	};
	std::uint64_t expected_ns = 0;
	std::uint64_t observed_ns = 0;
	std::vector<Part> parts;	// largest first
	std::uint64_t other_ns = 0;	// causes beyond the list
	std::uint64_t unexplained_ns = 0;
	std::uint64_t steal_ns = 0;
	std::uint64_t smi_ns = 0;
	std::uint64_t smis = 0;
	std::uint64_t events = 0;
	bool cut = false;		// the window reached past the ring
	unsigned stack_kind = 0;	// the stack is of this context
	std::uint64_t stack_of = 0;
	std::vector<std::uint64_t> stack;	// kernel addresses, innermost first
};

struct TraceData {
	std::uint64_t start_ns = 0;
	std::uint32_t ring_size = 0;
	std::vector<TraceSource> sources;
	std::vector<TraceOrigin> origins;
	std::map<unsigned, CpuTrace> cpus;
	// (cpu, latency type, spike seq) -> its causes, joined at spike time
	std::map<std::tuple<unsigned, unsigned, std::uint64_t>, SpikeCauses> explained;
	// (cpu, idle state) -> its cpuidle name ("C1", "POLL"), where known
	std::map<std::pair<unsigned, std::uint64_t>, std::string> idle_names;
};

// seq_copy - copy a record the BPF side writes as a seqcount (seq is 0
// while it is written): its seq, or 0 when it was incomplete or changed
// while copied. One reader for the event ring and the spike causes.
template <typename T>
std::uint64_t seq_copy(const volatile T& rec, T& out)
{
	const std::uint64_t seq = __atomic_load_n(&rec.seq, __ATOMIC_ACQUIRE);
	if (!seq)
		return 0;
	__builtin_memcpy(&out, const_cast<const T*>(&rec), sizeof(out));
	// The copy above must be done before seq is read again.
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&rec.seq, __ATOMIC_RELAXED) == seq ? seq : 0;
}

// read_event - copy one record of the event ring as a seqcount reader:
// false when it is not the record of ring position @seq, or was being
// rewritten while copied. Shared by the tracer and its tests.
bool read_event(const volatile rtnoise_event& e, std::uint64_t seq, TraceEvent& out);

// source_name - "24:virtio0-input", "TIMER", "kworker/3:1:87",
// "tick_sched_timer", ... for the report.
std::string source_name(unsigned kind, std::uint64_t id, const std::string& comm,
			const Ksyms& ksyms);

}  // namespace rtnoise
