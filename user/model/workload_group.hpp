// SPDX-License-Identifier: GPL-2.0
// workload_group.hpp - the workload's threads of one comm on one CPU,
// summed: how the metrics, compare and budgets name the workload (a tid
// is a run's, a comm and its CPU are the setup's).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/snapshot.hpp"

namespace rtnoise {

// WorkloadGroup - the threads of @comm whose CPU is @cpu: counts, sums,
// histograms and the figures of self summed, min and max the extremes.
// wakeup.pct is left for analysis/percentiles.hpp to fill.
struct WorkloadGroup {
	std::string comm;
	int cpu = -1;
	std::size_t threads = 0;
	LatencyStats wakeup;
	std::uint64_t timer_wakeups = 0;
	WorkloadTaken taken;
	WorkloadSelf self;
};

// workload_groups - the threads grouped by comm and CPU, in that order.
std::vector<WorkloadGroup> workload_groups(const std::vector<WorkloadThread>& threads);

}  // namespace rtnoise
