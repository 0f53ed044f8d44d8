// SPDX-License-Identifier: GPL-2.0
// report.hpp - what `report`, `attach --duration`, `monitor` and `compare`
// make of a measurement, one path for all: collect what is attached (or
// read two JSON reports), judge it against a budget, render it, write it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "analysis/budget.hpp"
#include "analysis/series.hpp"
#include "app/session.hpp"
#include "model/snapshot.hpp"
#include "model/verdict.hpp"
#include "render/render.hpp"

namespace rtnoise {

struct ReportRequest {
	Workload workload;	       // neither noise nor causes
	RenderOptions render;	       // the format and its knobs
	std::optional<Budget> budget;  // judged when set
	std::string output;	       // the file to write atomically; "": stdout
	// prometheus: the sources kept per CPU, the rest summed as "other"
	std::size_t metrics_sources = kSeriesSourcesDefault;
};

// Report - one measurement, judged and rendered.
struct Report {
	Snapshot snapshot;
	std::string text;		      // as ReportRequest::render says
	std::optional<BudgetResult> verdict;  // when a budget was given
	std::int64_t realtime_offset_ns = 0;  // what the rendering used
	Metrics metrics;		      // the Prometheus series rendered

	bool passed() const { return !verdict || verdict->passed(); }
};

// make_report - s judged against r's budget and rendered as r says, with
// the wall clock's offset and, for cyclictest's JSON, what it says of
// the run and the host (cyclictest_info()); for Prometheus, with the
// series of metrics_of(), the interval being since previous (the
// monitor's last read; nullptr: since the attach), whose report's
// series were previous_series.
Report make_report(Snapshot s, const ReportRequest& r, const Snapshot* previous = nullptr,
		   const Metrics* previous_series = nullptr);

// StreamedReport - s judged as make_report() judges it, rendered only
// as it is written (a JSON report of many CPUs is hundreds of MiB,
// never held whole). It points into itself: neither copied nor moved.
class StreamedReport {
public:
	StreamedReport(Snapshot s, const ReportRequest& r);
	StreamedReport(const StreamedReport&) = delete;
	StreamedReport& operator=(const StreamedReport&) = delete;

	bool passed() const { return rep_.passed(); }
	// write - the report to @output (write_output_streamed(): "" is
	// stdout, a file is replaced whole or not at all).
	void write(const std::string& output) const;

private:
	Report rep_;  // its text stays empty
	RenderOptions ro_;
};

// findings - the exit of a report whose budget does not hold.
Error findings();

// report - `rtnoise report`: collect what is attached, make the report,
// write it; throws findings() when the budget does not hold. The caller
// is root.
void report(const ReportRequest& r);

enum class CompareFormat { text, json, html, junit };

struct CompareRequest {
	std::string before, after;  // JSON reports' paths
	CompareFormat format = CompareFormat::text;
	std::optional<Budget> budget;  // judged against after
	std::string output;	       // "": stdout
};

// compare_reports - `rtnoise compare`: both reports read (each error
// names its file), compared, AFTER judged, rendered and written; throws
// findings() when the budget does not hold.
void compare_reports(const CompareRequest& r);

// kInputMaxBytes - the most read_input_file() reads: a budget (a report
// is read as it comes, analysis/report_json.hpp).
inline constexpr std::size_t kInputMaxBytes = std::size_t{64} << 20;
// read_input_file - a file the user named, whole; a usage Error "PATH:
// cannot read: WHY" if it cannot be read, "PATH: larger than 64 MiB, ..."
// beyond kInputMaxBytes.
std::string read_input_file(const std::string& path);
// load_budget - parse_budget() of the file at path, for a report alone:
// one with baseline limits is refused (refuse_baseline()).
Budget load_budget(const std::string& path);
// load_compare_budget - parse_budget() of the file at path, baseline
// limits and all, for `compare`.
Budget load_compare_budget(const std::string& path);

}  // namespace rtnoise
