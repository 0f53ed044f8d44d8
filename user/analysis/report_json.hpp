// SPDX-License-Identifier: GPL-2.0
// report_json.hpp - a report that `rtnoise report --format json` wrote,
// read back into the model (for compare and budgets).
#pragma once

#include <string_view>

#include "model/snapshot.hpp"

namespace rtnoise {

// kReportMaxBuckets - the most histogram buckets a report may have (the
// sampler's limit, RTNOISE_HIST_MAX_BUCKETS).
inline constexpr std::uint32_t kReportMaxBuckets = 100000;
// kReportMaxLimits - the most BPF limits a report may name.
inline constexpr std::size_t kReportMaxLimits = 64;

// read_report_json - the Snapshot of render_json()'s output, its
// percentiles computed again from the histograms. Anything else throws a
// usage Error "not an rtnoise report: WHERE: WHAT" (WHERE like
// cpus[0].irq.count): not JSON, a missing or unknown key, a wrong type, a
// number out of range, an unknown version. Fields render_json() derives
// (avg_ns, latency_ns, incomplete, duration) are read back into what they
// derive from. What the JSON does not hold (remedies, spike sequence
// numbers) is left empty.
Snapshot read_report_json(std::string_view text);

}  // namespace rtnoise
