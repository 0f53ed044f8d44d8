// SPDX-License-Identifier: GPL-2.0
// budget.hpp - limits a report must hold (a YAML file, `--budget`), and
// the judging of a report against them (model/verdict.hpp).
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
};

// parse_budget - the budget in text (file names it in messages). Throws
// a usage Error "budget FILE:LINE: key 'KEY': WHAT" for an unknown key,
// a wrong type, a negative or non-finite number, an unknown kind of
// source, a CPU that is not a number, and "budget FILE:LINE: not YAML:
// ..." for what yaml-cpp cannot parse.
Budget parse_budget(std::string_view text, const std::string& file);

// judge - every limit of b that s does not hold. A percentile among the
// histogram's overflows holds only when the maximum does; limits on
// what the report did not measure (noise without attribution) are
// violated, as "not traced"; a workload comm without a thread in the
// report, as "not measured".
BudgetResult judge(const Budget& b, const Snapshot& s);

}  // namespace rtnoise
