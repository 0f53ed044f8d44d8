// SPDX-License-Identifier: GPL-2.0
// verdict.hpp - the outcome of judging a report against a budget file
// (analysis/budget.hpp): every limit judged, and each that does not hold.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rtnoise {

// Violation - one limit that does not hold. limit names it as the budget
// file does ("latency.thread.p99_us", "noise.us_per_s",
// "sources[0].us_per_s", "spikes.max", "baseline.source_ratio").
struct Violation {
	std::string limit;
	std::optional<unsigned> cpu;  // the CPU it was measured on
	std::string source;	      // "kind name" for source limits
	std::string measured;	      // "120", ">= 1000" (a percentile in the overflow)
	double allowed = 0;
	std::string unit;  // "us", "us/s", "spikes"
	// Baseline limits: the value before ("12.0", "absent"), in unit.
	std::string baseline;
};

// Check - one limit judged on one CPU (none: over every CPU), held or
// not: the JUnit format's test case. measured is the worst value the
// limit saw ("" when it saw none: no source matched), in unit, against
// allowed; a ratio to the baseline is in "x baseline".
struct Check {
	std::string limit;
	std::optional<unsigned> cpu;
	std::string measured;
	double allowed = 0;
	std::string unit;
	std::vector<std::size_t> violations;  // indices into BudgetResult::violations

	bool passed() const { return violations.empty(); }
};

// LeadingSource - one of the largest sources of noise on a CPU, to name
// beside a verdict; before with a baseline (nullopt: absent before).
struct LeadingSource {
	std::string kind;
	std::string name;
	double us_per_s = 0;
	std::optional<double> before_us_per_s;
};

struct BudgetResult {
	std::string file;
	std::vector<Violation> violations;
	std::vector<Check> checks;  // each limit on each CPU, in the budget's order
	std::map<unsigned, std::vector<LeadingSource>> leading;	 // by CPU, largest first
	bool baseline = false;	// judged against a run before (compare)

	bool passed() const { return violations.empty(); }
};

}  // namespace rtnoise
