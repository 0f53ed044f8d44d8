// SPDX-License-Identifier: GPL-2.0
// snapshot.hpp - what one report holds, as plain data: what rtnoise.ko
// measured and what analysis/ made of the BPF side's trace. No I/O, no
// kernel ABI: sampler/ and tracer/ fill it, analysis/ joins, render/ prints.
//
// model/ owns the data every layer shares: this snapshot, the trace
// (trace.hpp) and the guides' table (guide.hpp). It includes util/ only.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rtnoise {

enum class LatType : unsigned { irq = 0, thread = 1 };
inline constexpr std::array<LatType, 2> kLatTypes{LatType::irq, LatType::thread};
const char* lat_type_name(LatType t);

enum class SamplerState { idle, running, stopped };
const char* sampler_state_name(SamplerState s);

// SpikeSeqs - a spike sequence number per CPU and latency type: where
// the next read of each spike ring starts (the monitor's cursor).
using SpikeSeqs = std::map<std::pair<unsigned, LatType>, std::uint64_t>;

// Percentiles - where the samples of one latency type fall, from the
// 1 us histogram (analysis/percentiles.hpp fills it). A sample in bucket b
// took [b, b+1) us, so a percentile is the bucket of the sample at its
// nearest rank, ceil(q * samples), truncated to the us like min, avg and
// max. One that falls among the overflows (the samples at or beyond the
// last bucket) is known only to be >= overflow_us: it is not a number
// (std::nullopt, null in JSON). With no samples every one is unknown.
struct Percentiles {
	std::uint64_t samples = 0;	// in the histogram and its overflows
	std::uint64_t overflow_us = 0;	// the first latency beyond the histogram
	std::optional<std::uint64_t> p50_us, p99_us, p999_us, p9999_us;
	std::optional<std::uint64_t> max_us;  // exact, from max_ns

	// The percentiles in order, as shown and as keys (JSON, budgets).
	static constexpr std::array<const char*, 4> kNames{"p50", "p99", "p99.9", "p99.99"};
	static constexpr std::array<const char*, 4> kKeys{"p50", "p99", "p999", "p9999"};
	// parts per million of the samples at or below each percentile
	static constexpr std::array<std::uint64_t, 4> kPpm{500000, 990000, 999000, 999900};
	std::array<const std::optional<std::uint64_t>*, 4> values() const
	{
		return {&p50_us, &p99_us, &p999_us, &p9999_us};
	}
	std::array<std::optional<std::uint64_t>*, 4> values()
	{
		return {&p50_us, &p99_us, &p999_us, &p9999_us};
	}
	bool operator==(const Percentiles&) const = default;
};

struct LatencyStats {
	std::uint64_t count = 0;
	std::uint64_t min_ns = 0;
	std::uint64_t max_ns = 0;
	std::uint64_t sum_ns = 0;
	std::uint64_t overflows = 0;
	std::uint64_t spikes = 0;	  // samples >= threshold
	std::uint64_t spikes_lost = 0;	  // of those, overwritten before read
	std::uint64_t missed = 0;	  // periods skipped
	std::vector<std::uint64_t> hist;  // 1 us buckets
	Percentiles pct;		  // of hist and overflows

	std::uint64_t avg_ns() const { return count ? sum_ns / count : 0; }
};

// Cause - a source that ran inside a spike's window, and for how long.
struct Cause {
	std::string kind;  // irq softirq nmi ipi local_timer hrtimer ...
	std::string name;
	std::uint64_t duration_ns = 0;
};

// How a spike's causes were found.
enum class Explained {
	none,	   // no BPF side, or the window is older than its events
	at_spike,  // in the kernel, on the spike's CPU, when it was recorded
	history,   // at report time, from the recent events
};
const char* explained_name(Explained e);

// Why a spike has no join of the kernel's (Explained::at_spike), once a
// BPF side is attached: each such spike is counted by its reason.
// TraceLimit - one degradation: a stable name (JSON, metrics) and what it
// means for the report, in a sentence.
struct TraceLimit {
	std::string name;
	std::string effect;
};

// trace_limits - @limits (kLimit* of trace.hpp) and the optional programs the verifier
// refused (each its own limit), in that order.
std::vector<TraceLimit> trace_limits(std::uint32_t limits, const std::vector<std::string>& refused);

enum class JoinMissing {
	none,	       // joined when recorded, or no BPF side at all
	before_trace,  // recorded before the BPF side was attached
	overwritten,   // joined, but a newer spike's join took its entry first
	not_run,       // recorded while attached, and nothing was stored for it
	mismatch,      // its entry holds another window (another sampler run)
	unsupported,   // the kernel cannot join at spike time (kLimitNoBpfLoop, ...)
};
inline constexpr std::size_t kJoinMissingCount = 6;
const char* join_missing_name(JoinMissing m);

struct Spike {
	unsigned cpu = 0;
	LatType type = LatType::irq;
	std::uint64_t seq = 0;
	std::uint64_t cycle = 0;
	std::uint64_t expected_ns = 0;
	std::uint64_t observed_ns = 0;
	std::uint64_t smis = 0;	     // SMIs since the CPU's previous spike
	std::uint64_t steal_ns = 0;  // steal time since the timer was armed

	// Filled by attribute(): what ran in [expected, observed].
	std::vector<Cause> causes;
	std::uint64_t unexplained_ns = 0;
	bool history_lost = false;  // older than the retained events
	Explained explained = Explained::none;
	JoinMissing join_missing = JoinMissing::none;
	bool cut = false;  // part of the window older than the events
	// The kernel stack of the largest cause when the sampler's timer
	// was due (a thread or handler that held the CPU), innermost first.
	std::vector<std::string> stack;

	std::uint64_t latency_ns() const
	{
		return observed_ns > expected_ns ? observed_ns - expected_ns : 0;
	}
};

// WorkloadSpike - a workload thread that ran late after a wakeup, or was
// kept off its CPU while runnable, at or over the threshold, with what
// ran on its CPU in the window (everything: the sampler's own work too).
enum class WorkloadSpikeType { wakeup, taken };
const char* workload_spike_type_name(WorkloadSpikeType t);

struct WorkloadSpike {
	unsigned cpu = 0;
	std::uint64_t tid = 0;
	std::string comm;
	WorkloadSpikeType type = WorkloadSpikeType::wakeup;
	bool timer = false;	    // woken by its hrtimer: from_ns is when due
	std::uint64_t from_ns = 0;  // due, woken, or interrupted
	std::uint64_t to_ns = 0;    // ran again
	std::vector<Cause> causes;  // largest first
	std::uint64_t unexplained_ns = 0;
	Explained explained = Explained::none;
	bool cut = false;		 // part of the window older than the events
	std::vector<std::string> stack;	 // of the largest cause, innermost first

	std::uint64_t latency_ns() const { return to_ns > from_ns ? to_ns - from_ns : 0; }
};

// WorkloadTaken - the time taken from a workload thread while it was
// runnable: preempted off its CPU, or interrupted on it.
struct WorkloadTaken {
	std::uint64_t preemptions = 0;
	std::uint64_t preempted_ns = 0;
	std::uint64_t interrupts = 0;
	std::uint64_t interrupted_ns = 0;
	std::uint64_t max_ns = 0;  // the longest single interruption

	std::uint64_t total_ns() const { return preempted_ns + interrupted_ns; }
};

// WorkloadSelf - what a workload thread did to itself: never noise.
struct WorkloadSelf {
	std::uint64_t run_ns = 0;  // on a watched CPU
	std::uint64_t faults_user = 0;
	std::uint64_t faults_kernel = 0;
	std::uint64_t syscalls = 0;
	std::uint64_t syscall_ns = 0;  // on the CPU inside them
	std::uint64_t migrations = 0;
	std::uint64_t voluntary = 0;	// switches out asleep
	std::uint64_t involuntary = 0;	// switches out runnable
};

// WorkloadThread - one thread of the workload, measured from the
// scheduler's events: its wakeup latency (LatencyStats: count, min, max,
// sum, 1 us histogram, overflows, spikes, percentiles), the time taken
// from it, and what it did to itself.
struct WorkloadThread {
	std::uint64_t tid = 0;
	std::uint64_t tgid = 0;
	std::string comm;
	int cpu = -1;  // the watched CPU it last ran on, -1: none
	bool exited = false;
	LatencyStats wakeup;		  // spikes: wakeups and interruptions >= threshold
	std::uint64_t timer_wakeups = 0;  // of wakeup.count, by its hrtimer
	WorkloadTaken taken;
	WorkloadSelf self;
};

// SourceRow - one source of disturbance on one CPU, over the whole run.
// OriginRow - one context that caused a source, and how often.
struct OriginRow {
	unsigned cpu = 0;
	unsigned pid = 0;
	std::string comm;
	std::uint64_t count = 0;
	std::string via;  // IPIs: the function they ran
};

struct SourceRow {
	unsigned cpu = 0;
	std::string kind;
	std::string name;
	std::uint64_t count = 0;
	std::uint64_t total_ns = 0;
	std::uint64_t max_ns = 0;
	bool running = false;		 // a thread on the CPU when the report was read
	std::vector<OriginRow> origins;	 // most frequent first
	std::string remedy;		 // what the guides do about it, or ""
};

// TickRow - why the tick could not stop on a CPU, and how often.
struct TickRow {
	unsigned cpu = 0;
	std::string reason;
	std::uint64_t count = 0;
	std::string remedy;  // what lets the tick stop, or ""
};

// NoiseBudget - how much of a CPU its disturbances took.
struct NoiseBudget {
	std::uint64_t total_ns = 0;
	double per_second_us = 0;
	double available_pct = 100;
	std::uint64_t events_lost = 0;	// overwritten in the ring before read
	// What the tracer could not count: the figures are incomplete.
	std::uint64_t nesting_overflow = 0;  // contexts nested too deep
	std::uint64_t clamped = 0;	     // contexts whose nested time exceeded them
	std::uint64_t clamped_ns = 0;
	std::uint64_t source_drops = 0;	 // sources map full
	std::uint64_t origin_drops = 0;	 // origins map full
	// Programs not run: nested in another, on a kernel without fetching
	// atomics (TraceLimit no_fetch_atomics).
	std::uint64_t nested = 0;
	// Programs preempted halfway (7.0+): redone, or, in their last stores,
	// possibly torn. Not incomplete by itself: counted to show it happens.
	std::uint64_t preempted = 0;
	// Threads that slept with contexts open and were not parked (map
	// full): the rest of those contexts was charged to the thread.
	std::uint64_t parked_lost = 0;
	// Parked contexts not resumed (their thread ran elsewhere first, or
	// the pid is another task's now): correct, counted to show it.
	std::uint64_t parked_stale = 0;
	// The CPU's kept spikes without the kernel's join, by JoinMissing
	// (index 0, none, stays 0).
	std::array<std::uint64_t, kJoinMissingCount> joins_missing{};

	bool incomplete() const
	{
		return nesting_overflow || clamped || source_drops || origin_drops || nested ||
		       parked_lost;
	}
};

struct CpuResult {
	unsigned cpu = 0;
	bool running = false;  // sampler thread alive there now
	unsigned hotplug_offline = 0;
	int start_error = 0;  // errno of a failed restart after hotplug
	unsigned pid = 0;
	std::array<LatencyStats, 2> lat;
	NoiseBudget noise;  // meaningful when Snapshot::attributed

	const LatencyStats& of(LatType t) const { return lat[static_cast<unsigned>(t)]; }
	LatencyStats& of(LatType t) { return lat[static_cast<unsigned>(t)]; }
};

// Snapshot - one consistent read of the sampler, plus the host facts a
// report names.
struct Snapshot {
	std::string kernel_release;
	std::string kernel_version;
	bool sampled = false;  // rtnoise.ko's data is here
	SamplerState state = SamplerState::idle;
	std::uint64_t period_ns = 0;
	std::uint64_t threshold_ns = 0;
	std::uint32_t hist_buckets = 0;
	std::uint32_t spike_capacity = 0;
	std::uint32_t prio = 0;
	std::uint64_t start_ns = 0;
	std::uint64_t end_ns = 0;  // stop time, or "now" while running
	std::vector<CpuResult> cpus;
	std::vector<Spike> spikes;  // by time

	// Attribution, from the BPF side (attribute()).
	bool attributed = false;
	std::uint64_t trace_start_ns = 0;
	std::vector<SourceRow> sources;	 // per CPU, largest total first
	std::vector<TickRow> ticks;
	// What the BPF side could not do on this kernel (trace_limits()).
	std::vector<TraceLimit> limits;
	// The workload's own latency (--workload at attach), by tid.
	std::vector<WorkloadThread> workload;
	std::vector<WorkloadSpike> workload_spikes;  // by time
	std::uint64_t workload_threshold_ns = 0;
	std::uint64_t workload_lost = 0;	 // threads not followed: map full
	std::uint64_t workload_spikes_lost = 0;	 // overwritten before read
	// Why some kernel functions are named "hidden#..." (their address,
	// never printed, has no symbol), and how to see their names; empty
	// when every one has its name.
	std::string symbols_hidden;

	std::uint64_t duration_ns() const { return end_ns > start_ns ? end_ns - start_ns : 0; }
	// traced_ns - how long both the sampler and the BPF side watched:
	// the span the noise budgets are over.
	std::uint64_t traced_ns() const
	{
		const std::uint64_t begin = start_ns > trace_start_ns ? start_ns : trace_start_ns;
		return end_ns > begin ? end_ns - begin : 0;
	}
	// us_per_s - ns of noise as a rate over traced_ns(), in us per s
	double us_per_s(std::uint64_t ns) const
	{
		const double secs = static_cast<double>(traced_ns()) / 1e9;
		return secs > 0 ? static_cast<double>(ns) / 1e3 / secs : 0.0;
	}
};

}  // namespace rtnoise
