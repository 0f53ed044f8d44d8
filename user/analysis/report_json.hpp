// SPDX-License-Identifier: GPL-2.0
// report_json.hpp - a report that `rtnoise report --format json` wrote,
// read back into the model (for compare and budgets).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/snapshot.hpp"

namespace rtnoise {

// kReportMaxBuckets - the most histogram buckets a report may have (the
// sampler's limit, RTNOISE_HIST_MAX_BUCKETS).
inline constexpr std::uint32_t kReportMaxBuckets = 100000;
// kReportMaxLimits - the most BPF limits a report may name.
inline constexpr std::size_t kReportMaxLimits = 64;

// What a report may declare, so that reading one (compare takes anyone's
// file) holds a bounded amount of memory: the JSON text itself is bounded
// by read_input_file(), but a few bytes may declare much more. Every
// histogram is held whole, 8 bytes a bucket: CPUs x 2 x hist_buckets is
// bounded in all (128 MiB), and the CPUs (NR_CPUS' largest), sources,
// spikes and nesting each alone. A report rtnoise wrote is far inside
// them; beyond any of them, a usage Error.
inline constexpr std::size_t kReportMaxCpus = 8192;
inline constexpr std::uint64_t kReportMaxCells = std::uint64_t{1} << 24;
inline constexpr std::size_t kReportMaxSources = std::size_t{1} << 20;
inline constexpr std::size_t kReportMaxSpikes = std::size_t{1} << 20;
inline constexpr std::size_t kReportMaxDepth = 16;
// kReportMaxWorkload - the most workload threads a report may hold (their
// histograms count in kReportMaxCells with the CPUs').
inline constexpr std::size_t kReportMaxWorkload = 65536;

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
