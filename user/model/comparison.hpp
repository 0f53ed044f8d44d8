// SPDX-License-Identifier: GPL-2.0
// comparison.hpp - two reports side by side (`rtnoise compare`), as plain
// data: analysis/compare.hpp fills it, render/ prints it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/snapshot.hpp"
#include "model/verdict.hpp"

namespace rtnoise {

// Delta - one figure before and after; a side without a value (no
// samples, a percentile among the overflows, a source absent) is nullopt.
struct Delta {
	std::optional<double> before, after;

	std::optional<double> change() const
	{
		if (!before || !after)
			return std::nullopt;
		return *after - *before;
	}
	// The change in percent of before; nullopt when before is 0.
	std::optional<double> change_pct() const
	{
		if (!before || !after || *before == 0)
			return std::nullopt;
		return (*after - *before) / *before * 100.0;
	}
};

// One latency type of one CPU.
struct LatencyDelta {
	unsigned cpu = 0;
	LatType type = LatType::irq;
	Delta count, min_us, avg_us, max_us;
	std::array<Delta, 4> pct_us;	    // Percentiles::kNames
	Percentiles before_pct, after_pct;  // to tell "no samples" from ">= N us"
};

// One CPU's noise budget.
struct NoiseDelta {
	unsigned cpu = 0;
	Delta us_per_s, available_pct;
};

enum class Presence { both, appeared, vanished };
const char* presence_name(Presence p);

// One source on one CPU; appeared: only after, vanished: only before.
struct SourceDelta {
	unsigned cpu = 0;
	std::string kind;
	std::string name;
	Presence presence = Presence::both;
	Delta count, total_us, us_per_s;
};

// CauseTally - how many spikes a source was the largest cause of.
struct CauseTally {
	std::string kind;
	std::string name;
	std::uint64_t spikes = 0;
};

// The spikes of one latency type on one CPU, and what led them (of
// the spikes the report kept).
struct SpikeDelta {
	unsigned cpu = 0;
	LatType type = LatType::irq;
	Delta recorded;	 // samples over the threshold (LatencyStats::spikes)
	std::vector<CauseTally> causes_before, causes_after;  // most spikes first
};

// The workload's threads of one comm on one CPU (summed as
// model/workload_group.hpp sums them), matched by comm and CPU;
// appeared: only after, vanished: only before.
struct WorkloadDelta {
	std::string comm;
	int cpu = -1;
	Presence presence = Presence::both;
	Delta wakeups, max_us, p99_us, p999_us, taken_us;
	Percentiles before_pct, after_pct;  // to tell "no samples" from ">= N us"
};

// Which run a side of a comparison is.
struct RunInfo {
	std::string kernel;
	std::uint64_t duration_ns = 0;
	std::uint64_t threshold_ns = 0;
	bool sampled = false;
	bool attributed = false;
};

struct Comparison {
	RunInfo before, after;
	std::vector<unsigned> cpus;
	std::vector<LatencyDelta> latency;    // by CPU, irq then thread
	std::vector<NoiseDelta> noise;	      // when both were attributed
	std::vector<SourceDelta> sources;     // by CPU, largest after (or before) first
	std::vector<SpikeDelta> spikes;	      // by CPU, irq then thread
	std::vector<WorkloadDelta> workload;  // by comm, then CPU
	std::optional<BudgetResult> budget;   // compare --budget: AFTER judged
};

}  // namespace rtnoise
