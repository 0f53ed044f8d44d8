// SPDX-License-Identifier: GPL-2.0
// verdict.hpp - the outcome of judging a report against a budget file
// (analysis/budget.hpp): each limit that does not hold.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace rtnoise {

// Violation - one limit that does not hold. limit names it as the budget
// file does ("latency.thread.p99_us", "noise.us_per_s",
// "sources[0].us_per_s", "spikes.max").
struct Violation {
	std::string limit;
	std::optional<unsigned> cpu;  // the CPU it was measured on
	std::string source;	      // "kind name" for source limits
	std::string measured;	      // "120", ">= 1000" (a percentile in the overflow)
	double allowed = 0;
	std::string unit;  // "us", "us/s", "spikes"
};

struct BudgetResult {
	std::string file;
	std::vector<Violation> violations;

	bool passed() const { return violations.empty(); }
};

}  // namespace rtnoise
