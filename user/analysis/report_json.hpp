// SPDX-License-Identifier: GPL-2.0
// report_json.hpp - a report that `rtnoise report --format json` wrote,
// read back into the model (for compare and budgets).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string_view>

#include "model/snapshot.hpp"

namespace rtnoise {

// kReportMaxBuckets - the most histogram buckets a report may have (the
// sampler's limit, RTNOISE_HIST_MAX_BUCKETS).
inline constexpr std::uint32_t kReportMaxBuckets = 100000;
// kReportMaxLimits - the most BPF limits a report may name.
inline constexpr std::size_t kReportMaxLimits = 64;

// What a report may declare, so that reading one (compare takes anyone's
// file) holds a bounded amount of memory: the JSON text is read as it
// comes and never held whole, but a few bytes may declare much more. Every
// histogram is held whole, 8 bytes a bucket: CPUs x 2 x hist_buckets is
// bounded in all (128 MiB), and the CPUs (NR_CPUS' largest), sources,
// spikes and nesting each alone. A report rtnoise wrote is far inside
// them; beyond any of them, a usage Error.
inline constexpr std::size_t kReportMaxCpus = 8192;
inline constexpr std::uint64_t kReportMaxCells = std::uint64_t{1} << 24;
inline constexpr std::size_t kReportMaxSources = std::size_t{1} << 20;
inline constexpr std::size_t kReportMaxSpikes = std::size_t{1} << 20;
inline constexpr std::size_t kReportMaxDepth = 16;
// kReportMaxValues - the most JSON values (numbers, strings, objects,
// arrays...) a report may hold besides its spikes and the workload's: the
// reader holds them at once as a document, 16 bytes each and a node for
// each member of an object. A report of 256 CPUs and 1000 buckets holds
// about 0.6 M; the spikes are read one at a time, each then dropped.
inline constexpr std::size_t kReportMaxValues = std::size_t{1} << 22;
// kReportMaxStrings - the most bytes of keys and strings held with them.
inline constexpr std::size_t kReportMaxStrings = std::size_t{256} << 20;
// kReportMaxToken - the most bytes from one JSON value to the next (a
// string or number the parser holds whole before the reader sees it).
inline constexpr std::size_t kReportMaxToken = std::size_t{64} << 20;
// kReportMaxBytes - the most bytes of a report read: memory does not
// follow the size of the file, this bounds the time one that never ends
// (/dev/zero, a FIFO) takes.
inline constexpr std::uint64_t kReportMaxBytes = std::uint64_t{4} << 30;
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
//
// The JSON is parsed as it comes (a SAX handler of nlohmann's events):
// the report is built as a document but for the elements of its "spikes"
// and "workload_spikes", each of which is built alone, read and checked
// as it ends, handed on (or kept) and dropped, so that what is held at
// once is the rest of the report (kReportMaxValues) and one spike, not
// the text nor every spike. A spike's contents depend on the report's
// attribution, which must come before the spikes (rtnoise writes the
// keys sorted). A spike's error is kept until the rest is read, so that
// a report is refused for what it is refused for read whole.
Snapshot read_report_json(std::string_view text);

// ReportSpikes - where read_report_json() hands each spike it has read
// and checked; where empty, the spikes are kept in the Snapshot.
struct ReportSpikes {
	std::function<void(Spike&&)> spike;
	std::function<void(WorkloadSpike&&)> workload_spike;
};

// read_report_json - the same of the text read from in to its end, at
// most kReportMaxBytes ("larger than 4 GiB, the most rtnoise reads of a
// report"), each spike handed to spikes.
Snapshot read_report_json(std::istream& in, const ReportSpikes& spikes);

}  // namespace rtnoise
