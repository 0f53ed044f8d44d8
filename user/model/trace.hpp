// SPDX-License-Identifier: GPL-2.0
// trace.hpp - what the BPF side saw, as plain data. The BPF programs'
// wire format stays in tracer/ (which checks at compile time that the
// values below are the programs' own).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace rtnoise {

// SourceKind - what a disturbance is. TraceSource::kind and the other
// `unsigned kind` fields hold one of these.
enum SourceKind : unsigned {
	kThread = 0,
	kIrq,
	kSoftirq,
	kNmi,
	kIpi,
	kLocalTimer,
	kHrtimer,
	kTimer,
	kWorkqueue,
	kTick,	 // tick_stop failures: counted, not timed
	kIdle,	 // the idle task; id: the idle state it left
	kSmi,	 // SMIs counted across a spike's window
	kSteal,	 // steal time accounted across a spike's window
	kKindCount,
};

// kind_name - the report's name of a SourceKind.
const char* kind_name(unsigned kind);

// TraceEvent::flags
enum EventFlags : unsigned {
	kEvNotCause = 1,   // the sampler's own: shapes windows, is not blamed
	kEvContinued = 2,  // a later on-CPU part of one context
};

// The IPIs the BPF side tells apart, by index.
inline constexpr unsigned kIpiCount = 10;

struct TraceSource {
	unsigned cpu = 0;
	unsigned kind = 0;
	std::uint64_t id = 0;
	std::uint64_t count = 0;
	std::uint64_t total_ns = 0;
	std::uint64_t max_ns = 0;
	std::string comm;      // IRQ action or thread comm, as BPF saw it
	bool running = false;  // a thread still on the CPU when read
	bool sampler = false;  // rtnoise.ko's own thread: not noise
};

// TraceOrigin - what, from another context, caused a source: the waker
// of a thread, the queuer of work, who armed a timer, who sent an IPI.
struct TraceOrigin {
	unsigned cpu = 0;   // the watched CPU
	unsigned kind = 0;  // of the source caused
	std::uint64_t id = 0;
	unsigned from_cpu = 0;
	unsigned from_pid = 0;
	std::string comm;
	std::uint64_t count = 0;
	std::uint64_t via = 0;	// IPIs: the function run, if known
};

struct TraceEvent {
	unsigned kind = 0;
	unsigned depth = 0;
	std::uint64_t id = 0;
	std::uint64_t start_ns = 0;
	std::uint64_t end_ns = 0;
	std::uint64_t net_ns = 0;
	unsigned flags = 0;  // EventFlags

	bool cause() const { return !(flags & kEvNotCause); }
};

struct CpuTrace {
	std::vector<TraceEvent> events;	 // by start time
	std::uint64_t written = 0;	 // events ever recorded
	std::uint64_t lost = 0;		 // overwritten before this read
	std::uint64_t torn = 0;		 // being rewritten while read: skipped
	std::uint64_t overflow = 0;	 // contexts nested too deep to track
	std::uint64_t clamped = 0;	 // contexts whose nested time exceeded them
	std::uint64_t clamped_ns = 0;
	std::uint64_t source_drops = 0;	     // contexts not summed: sources map full
	std::uint64_t origin_drops = 0;	     // origins not kept: origins map full
	std::uint64_t spikes_explained = 0;  // at spike time, in the kernel
	std::uint64_t spikes_cut = 0;	     // of those, older than the ring
	// Programs not run: nested in another on a kernel without fetching
	// atomics (kLimitNoFetchAtomics).
	std::uint64_t nested = 0;
	// Programs preempted while they changed the CPU's contexts (7.0+
	// runs tracepoint programs preemptible), and redone.
	std::uint64_t preempted = 0;
	// Threads that slept with contexts open and could not be parked
	// (parked map full): the rest of those contexts is charged to them.
	std::uint64_t parked_lost = 0;
	// Parked contexts dropped, not resumed: their thread ran elsewhere
	// first, or its pid belongs to another task now.
	std::uint64_t parked_stale = 0;
};

// What the BPF side could not do on the traced kernel, found by the
// loader's probes when it attached (TraceData::limits): each is a named
// degradation, never a silent one.
enum TraceLimitBit : std::uint32_t {
	kLimitNoFetchAtomics = 1u << 0,	 // < 5.12: nested programs skipped
	kLimitNoBpfLoop = 1u << 1,	 // < 5.17: no spike-time join
	kLimitJoinRefused = 1u << 2,	 // the verifier refused the join
	kLimitNoIpiSenders = 1u << 3,	 // IPIs without their senders
	kLimitNoRename = 1u << 4,	 // thread renames not followed
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
	std::vector<Part> parts;     // largest first
	std::uint64_t other_ns = 0;  // causes beyond the list
	std::uint64_t unexplained_ns = 0;
	std::uint64_t steal_ns = 0;
	std::uint64_t smi_ns = 0;
	std::uint64_t smis = 0;
	std::uint64_t events = 0;
	bool cut = false;	  // the window reached past the ring
	unsigned stack_kind = 0;  // the stack is of this context
	std::uint64_t stack_of = 0;
	std::vector<std::uint64_t> stack;  // kernel addresses, innermost first
};

// RunningThread - the thread on a watched CPU when the trace was read:
// it has no event until it switches out.
struct RunningThread {
	unsigned cpu = 0;
	std::uint64_t tid = 0;
	std::string comm;
	std::uint64_t start_ns = 0;
	std::uint64_t net_ns = 0;   // on the CPU, less what interrupted it
	std::uint64_t read_ns = 0;  // when it was read
	bool sampler = false;	    // rtnoise.ko's own thread
};

// SpikeKey - one of rtnoise.ko's spikes: its CPU, latency type and
// sequence number.
struct SpikeKey {
	unsigned cpu = 0;
	unsigned type = 0;
	std::uint64_t seq = 0;
	bool operator==(const SpikeKey&) const = default;
	// Not a defaulted <=>: clang-tidy 14 misreads its synthesized body.
	bool operator<(const SpikeKey& o) const
	{
		return std::tie(cpu, type, seq) < std::tie(o.cpu, o.type, o.seq);
	}
};

// TraceWorkloadThread - one thread of the workload (--workload at
// attach), as the BPF side followed it from the scheduler's events.
struct TraceWorkloadThread {
	std::uint64_t tid = 0;
	std::uint64_t tgid = 0;
	std::string comm;
	int cpu = -1;  // the watched CPU it last ran on, -1: none yet
	bool exited = false;
	// Wakeup latency: from when its hrtimer was due (timer wakeups) or
	// from sched_waking, to sched_switch onto its CPU.
	std::uint64_t wakeups = 0;
	std::uint64_t timer_wakeups = 0;
	std::uint64_t min_ns = 0;
	std::uint64_t max_ns = 0;
	std::uint64_t sum_ns = 0;
	std::uint64_t overflows = 0;	  // beyond the histogram
	std::uint64_t spikes = 0;	  // wakeups and interruptions >= threshold
	std::vector<std::uint64_t> hist;  // 1 us buckets
	// Time taken from it while runnable.
	std::uint64_t preemptions = 0;	// off its CPU while runnable
	std::uint64_t preempted_ns = 0;
	std::uint64_t interrupts = 0;  // interrupted while running
	std::uint64_t interrupted_ns = 0;
	std::uint64_t max_taken_ns = 0;	 // the longest single interruption
	// What it did to itself.
	std::uint64_t run_ns = 0;  // on a watched CPU
	std::uint64_t faults_user = 0;
	std::uint64_t faults_kernel = 0;
	std::uint64_t syscalls = 0;
	std::uint64_t syscall_ns = 0;  // on the CPU inside them
	std::uint64_t migrations = 0;
	std::uint64_t voluntary = 0;	// switches out asleep
	std::uint64_t involuntary = 0;	// switches out runnable
};

// The two kinds of workload spike.
enum WorkloadSpikeKind : unsigned {
	kWlWakeup = 0,	// ran late after its wakeup
	kWlTaken = 1,	// runnable, and kept off its CPU
};

// TraceWorkloadSpike - a workload thread's wakeup or interruption at or
// over the threshold, with its window's join of the CPU's events.
struct TraceWorkloadSpike {
	unsigned cpu = 0;
	std::uint64_t seq = 0;	// of the CPU's workload spikes
	std::uint64_t tid = 0;
	std::string comm;
	unsigned kind = kWlWakeup;
	bool timer = false;  // woken by its hrtimer: from_ns is when it was due
	std::uint64_t from_ns = 0;
	std::uint64_t to_ns = 0;
	std::uint64_t waking_ns = 0;
	bool joined = false;  // causes holds the kernel's join
	SpikeCauses causes;
};

struct TraceData {
	std::uint64_t start_ns = 0;
	std::uint32_t ring_size = 0;
	std::vector<TraceSource> sources;
	std::vector<TraceOrigin> origins;
	std::map<unsigned, CpuTrace> cpus;
	// Each spike's causes, joined at spike time, in no order: the
	// analysis meets them with the spikes in one sorted walk (a report
	// of 64 CPUs has half a million).
	std::vector<std::pair<SpikeKey, SpikeCauses>> explained;
	// Entries of the kernel's joins per CPU and latency type: spike seq
	// is joined into entry seq % causes_capacity (0: no sampler was
	// known at attach, so nothing is joined in the kernel).
	std::uint32_t causes_capacity = 0;
	std::uint32_t limits = 0;	   // kLimit*
	std::vector<std::string> refused;  // optional programs left out
	// (cpu, idle state) -> its cpuidle name ("C1", "POLL"), where known
	std::map<std::pair<unsigned, std::uint64_t>, std::string> idle_names;
	std::vector<RunningThread> running;
	// The workload's threads and spikes (--workload at attach).
	std::vector<TraceWorkloadThread> workload;
	std::vector<TraceWorkloadSpike> workload_spikes;
	std::uint64_t workload_threshold_ns = 0;
	std::uint64_t workload_lost = 0;	 // threads not followed: map full
	std::uint64_t workload_spikes_lost = 0;	 // overwritten before read
	// Each CPU's workload spikes written (its ring's head): where a
	// read since this one starts (TraceSince::wl_spikes).
	std::map<unsigned, std::uint64_t> workload_heads;
};

// TraceSince - what a read of the BPF side since an earlier one needs
// (tracer_read_since()): the workload spikes of each CPU from a position
// on (its TraceData::workload_heads then), and whether to read the
// cpuidle states' names, which do not change while attached.
struct TraceSince {
	std::map<unsigned, std::uint64_t> wl_spikes;  // absent: from the oldest kept
	bool idle_names = true;
};

}  // namespace rtnoise
