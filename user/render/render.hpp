// SPDX-License-Identifier: GPL-2.0
// render.hpp - a Snapshot as text, JSON, cyclictest histogram output, an
// HTML page or the Prometheus text exposition; a spike as one JSON line.
//
// render/ is pure: it prints the model as it is, computing nothing that
// analysis/ decides (remedies, spans, causes), so every format is unit
// tested. One file per format: a new format is a new file. It includes
// model/ and util/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "model/comparison.hpp"
#include "model/metrics.hpp"
#include "model/snapshot.hpp"
#include "model/verdict.hpp"

namespace rtnoise {

enum class Format { text, json, cyclictest, cyclictest_json, html, prometheus, junit };

// CyclictestInfo - what cyclictest's JSON says of the run and the host
// that the model does not hold (the CLI fills it).
struct CyclictestInfo {
	std::string cmdline;
	std::string version;		   // "rt_test_version:": rtnoise's
	std::string start_time, end_time;  // "Sun, 22 Nov 2026 16:25:03 +0000"
	int return_code = 0;
	std::string sysname, nodename, release, kernel_version, machine;  // uname(2)
	bool realtime = false;						  // /sys/kernel/realtime
	unsigned resolution_ns = 0;		   // cyclictest's clock check; rtnoise does none
	std::map<unsigned, unsigned> node_of_cpu;  // NUMA node; 0 when not listed
};

struct RenderOptions {
	Format format = Format::text;
	LatType cyclictest_type = LatType::thread;  // column source
	std::size_t top_spikes = 10;		    // text and html
	// CLOCK_REALTIME minus CLOCK_MONOTONIC, for the times of the
	// prometheus format and of spike lines (render/ reads no clock).
	std::int64_t realtime_offset_ns = 0;
	const BudgetResult* budget = nullptr;  // judged: text and json show it, junit is it
	const Metrics* metrics = nullptr;      // prometheus (analysis/series.hpp): required
	CyclictestInfo cyclictest;	       // cyclictest_json only
};

std::string render(const Snapshot& s, const RenderOptions& opt);
// render - the same written to out: JSON and HTML a spike at a time,
// never all of them in memory at once; the other formats whole.
void render(std::ostream& out, const Snapshot& s, const RenderOptions& opt);

std::string render_text(const Snapshot& s, std::size_t top_spikes,
			const BudgetResult* budget = nullptr);
std::string render_json(const Snapshot& s, const BudgetResult* budget = nullptr);
void render_json(std::ostream& out, const Snapshot& s, const BudgetResult* budget = nullptr);
// render_cyclictest - byte for byte what `cyclictest -h N -q` prints
// after a run, one column per watched CPU (thread N = N-th CPU).
std::string render_cyclictest(const Snapshot& s, LatType type);
// render_html - one self-contained page: inline CSS and SVG, nothing
// fetched; the largest top_spikes spikes in a table.
std::string render_html(const Snapshot& s, std::size_t top_spikes);
void render_html(std::ostream& out, const Snapshot& s, std::size_t top_spikes);

// render_progress - the line `attach --duration` shows on a terminal:
// elapsed and remaining seconds and each CPU's worst thread and IRQ
// latency so far, cut to fit width columns (0: no limit).
std::string render_progress(std::uint64_t elapsed_ns, std::uint64_t total_ns,
			    const std::vector<CpuResult>& cpus, std::size_t width);

// render_prometheus - the text exposition format 0.0.4: per CPU and
// latency type a histogram (`rtnoise_latency_seconds`) on a 1-2-5 µs
// ladder up to the model's histogram size, the maxima (since the attach
// and over the interval, from m), spikes, the sampler's state, the noise
// of m's sources as counters, how many were folded, events lost.
// realtime_offset_ns turns the start into seconds since the epoch.
std::string render_prometheus(const Snapshot& s, const Metrics& m, std::int64_t realtime_offset_ns);
// prometheus_label_value - bytes as a label value: valid UTF-8 (else
// escaped as escape_name() does), with \\, \" and \n escaped.
std::string prometheus_label_value(std::string_view bytes);

// render_spike_line - one spike as one line of JSON (the object of the
// report's spikes[], with its seq and, from realtime_offset_ns, `time`
// in RFC 3339 UTC), ending in a newline.
std::string render_spike_line(const Spike& sp, bool attributed, std::int64_t realtime_offset_ns);
// render_spike_lines - each of @spikes as render_spike_line() writes it,
// into one text (the monitor's log takes thousands in one write).
std::string render_spike_lines(std::span<const Spike* const> spikes, bool attributed,
			       std::int64_t realtime_offset_ns);

// render_cyclictest_json - what `cyclictest --json=FILE` writes, thread
// N = N-th watched CPU.
std::string render_cyclictest_json(const Snapshot& s, LatType type, const CyclictestInfo& info);

// `rtnoise compare`: two reports side by side (model/comparison.hpp).
std::string render_compare_text(const Comparison& c);
std::string render_compare_json(const Comparison& c);
// render_compare_html - the report's page for two runs: per CPU and
// latency type both histograms overlaid, the tables of the text form
// with each change marked, the budget's verdict on AFTER when judged.
// before and after are the reports c was made of.
std::string render_compare_html(const Comparison& c, const Snapshot& before, const Snapshot& after);

// A budget's verdict: each violated limit on a line; the JSON object
// {file, passed, violations} that the JSON formats embed as "budget".
std::string render_budget_text(const BudgetResult& b);
nlohmann::json budget_json(const BudgetResult& b);
// render_violation - one violated limit, as a line of the text verdict
// says it (without its newline): "noise.us_per_s on CPU 2: 3000.0 us/s
// > 500 allowed", with " (before: 12.0)" for a baseline limit.
std::string render_violation(const Violation& v);

// render_junit - a budget's verdict as a JUnit XML report (the shape of
// Jenkins' junit-10.xsd, which GitLab and GitHub's report actions read):
// one testsuite, one testcase per check (classname "rtnoise.cpuN", or
// "rtnoise" for a limit over every CPU; name the limit), a failure per
// check that does not hold with its violations and the CPU's leading
// sources. Every name is escaped for XML; what is not valid, printable
// UTF-8 is first written as escape_name() writes it.
std::string render_junit(const BudgetResult& b);

}  // namespace rtnoise
