// SPDX-License-Identifier: GPL-2.0
// budget.hpp - limits a report must hold (a YAML file, `--budget`), and
// the judging of a report against them (model/verdict.hpp), or of the
// run after of a comparison against them and its run before.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/comparison.hpp"
#include "model/snapshot.hpp"
#include "model/verdict.hpp"

namespace rtnoise {

// LatencyLimits - of one latency type, in us.
struct LatencyLimits {
	std::optional<double> max_us;
	std::array<std::optional<double>, 4> pct_us;  // Percentiles::kKeys
};

struct SourceLimit {
	std::string kind;	      // a kind of source (kind_name())
	std::string name;	      // a glob (fnmatch) on the source's name
	std::optional<unsigned> cpu;  // every watched CPU without
	double us_per_s = 0;
};

// BaselineLatency - of one latency type, each figure after at most ratio
// times its value before, or floor_us, whichever is more.
struct BaselineLatency {
	std::optional<double> max_ratio;
	std::array<std::optional<double>, 4> pct_ratio;	 // Percentiles::kKeys
	double floor_us = 10;
};

// BaselineLimits - `baseline:`, limits relative to the run before (only
// `compare` has one). Per CPU, a source absent before at most
// new_source_us_per_s; a source of both runs at most source_ratio times
// its us/s before, or source_floor_us_per_s, whichever is more.
struct BaselineLimits {
	std::optional<double> new_source_us_per_s;
	std::optional<double> source_ratio;
	double source_floor_us_per_s = 10;
	std::array<BaselineLatency, 2> latency;	 // by LatType
};

// WorkloadLimits - of the workload's threads of one comm, judged on each
// CPU they ran on (their threads there summed).
struct WorkloadLimits {
	std::optional<double> max_us, p99_us, p999_us;
	std::optional<std::uint64_t> spikes;
	std::optional<double> taken_us_per_s;
};

struct Budget {
	std::string file;
	std::array<LatencyLimits, 2> latency;  // by LatType, every CPU
	// latency.cpus: per-CPU limits, each replacing the general one it names.
	std::map<unsigned, std::array<LatencyLimits, 2>> latency_cpus;
	std::optional<double> noise_us_per_s;	// every CPU
	std::map<unsigned, double> noise_cpus;	// noise.cpus, replacing it
	std::vector<SourceLimit> sources;
	std::optional<std::uint64_t> spikes_max;	 // over every CPU and type
	std::map<std::string, WorkloadLimits> workload;	 // by comm
	std::optional<BaselineLimits> baseline;
};

// parse_budget - the budget in text (file names it in messages). Throws
// a usage Error "budget FILE:LINE: key 'KEY': WHAT" for an unknown key,
// a wrong type, a negative or non-finite number, an unknown kind of
// source, a CPU that is not a number, and "budget FILE:LINE: not YAML:
// ..." for what yaml-cpp cannot parse.
Budget parse_budget(std::string_view text, const std::string& file);

// judge - every limit of b judged on s (BudgetResult::checks), each that
// s does not hold, and s's leading sources per CPU. A percentile among the
// histogram's overflows holds only when the maximum does; limits on
// what the report did not measure (noise without attribution) are
// violated, as "not traced"; a workload comm without a thread in the
// report, as "not measured".
// The baseline limits are not judged here: a budget with them is
// refused for a report alone (refuse_baseline()).
BudgetResult judge(const Budget& b, const Snapshot& s);

// judge - after (c's run after) against b, its baseline limits against
// c's run before too. A percentile among the histogram's overflows is
// judged only where the outcome is certain: after at least its
// overflow, before at most its maximum; a limit that needs what a run
// did not measure (sources without attribution) is violated.
BudgetResult judge(const Budget& b, const Snapshot& after, const Comparison& c);

// refuse_baseline - a usage Error when b holds baseline limits, which a
// report alone cannot judge: "budget FILE: baseline limits need a run
// before: rtnoise compare BEFORE AFTER --budget FILE".
void refuse_baseline(const Budget& b);

}  // namespace rtnoise
