// SPDX-License-Identifier: GPL-2.0
// report.cpp - collect or read, judge, render, write: the one path of
// every command that reports.
#include "app/report.hpp"

#include <filesystem>
#include <fstream>
#include <ostream>
#include <system_error>
#include <utility>
#include <vector>

#include "analysis/compare.hpp"
#include "analysis/report_json.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace rtnoise {
namespace {

// open_input - a file the user named, opened to read; a usage Error
// "PATH: cannot read: WHY" if it cannot be.
std::ifstream open_input(const std::string& path)
{
	std::error_code ec;
	if (std::filesystem::is_directory(path, ec))
		throw usage_error(path + ": cannot read: a directory");
	std::ifstream in(path, std::ios::binary);
	if (!in)
		throw usage_error(path + ": cannot read: " + errno_text(errno));
	return in;
}

// load_report - a JSON report the user named, read as it comes (never
// whole in memory), its spikes tallied into causes and not kept; its
// errors name the file.
Snapshot load_report(const std::string& path, CauseTallies& causes)
{
	std::ifstream in = open_input(path);
	const ReportSpikes spikes{[&](Spike&& sp) { causes.add(sp); }, [](WorkloadSpike&&) {}};
	try {
		return read_report_json(in, spikes);
	} catch (const Error& e) {
		throw usage_error(path + ": " + e.what());
	}
}

std::string render_comparison(const Comparison& c, CompareFormat f, const Snapshot& before,
			      const Snapshot& after)
{
	switch (f) {
	case CompareFormat::json:
		return render_compare_json(c);
	case CompareFormat::html:
		return render_compare_html(c, before, after);
	case CompareFormat::junit:
		return render_junit(c.budget ? *c.budget : BudgetResult{});
	case CompareFormat::text:
		break;
	}
	return render_compare_text(c);
}

}  // namespace

namespace {

// judged - rep.snapshot judged as r says, and the options to render it
// with (metrics: where the Prometheus series are kept).
RenderOptions judged(Report& rep, const ReportRequest& r, const Snapshot* previous,
		     const Metrics* previous_series, Metrics& metrics)
{
	RenderOptions ro = r.render;
	if (ro.format == Format::prometheus) {
		metrics = metrics_of(rep.snapshot, previous, r.metrics_sources, previous_series);
		ro.metrics = &metrics;
	}
	rep.realtime_offset_ns = ro.realtime_offset_ns = realtime_offset_ns();
	if (ro.format == Format::cyclictest_json)
		ro.cyclictest = cyclictest_info(rep.snapshot);
	if (r.budget) {
		rep.verdict = judge(*r.budget, rep.snapshot);
		ro.budget = &*rep.verdict;
	}
	return ro;
}

}  // namespace

Report make_report(Snapshot s, const ReportRequest& r, const Snapshot* previous,
		   const Metrics* previous_series)
{
	Report rep;
	rep.snapshot = std::move(s);
	const RenderOptions ro = judged(rep, r, previous, previous_series, rep.metrics);
	rep.text = render(rep.snapshot, ro);
	return rep;
}

Error findings()
{
	return {Exit::findings, ""};
}

StreamedReport::StreamedReport(Snapshot s, const ReportRequest& r)
{
	rep_.snapshot = std::move(s);
	ro_ = judged(rep_, r, nullptr, nullptr, rep_.metrics);
}

void StreamedReport::write(const std::string& output) const
{
	write_output_streamed(output, [&](std::ostream& out) { render(out, rep_.snapshot, ro_); });
}

void report(const ReportRequest& r)
{
	const StreamedReport rep(collect(r.workload), r);
	rep.write(r.output);
	if (!rep.passed())
		throw findings();
}

void compare_reports(const CompareRequest& r)
{
	CauseTallies before_causes, after_causes;
	const Snapshot before = load_report(r.before, before_causes);
	const Snapshot after = load_report(r.after, after_causes);
	Comparison c = compare(before, before_causes, after, after_causes);
	if (r.budget)
		c.budget = judge(*r.budget, after, c);
	write_output(r.output, render_comparison(c, r.format, before, after));
	if (c.budget && !c.budget->passed())
		throw findings();
}

std::string read_input_file(const std::string& path)
{
	std::ifstream in = open_input(path);
	// Read to one byte past the bound at most: a file that never ends
	// (/dev/zero, a FIFO) is refused as a huge one is.
	std::string text;
	std::vector<char> buf(std::size_t{1} << 16);
	while (in) {
		in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
		text.append(buf.data(), static_cast<std::size_t>(in.gcount()));
		if (text.size() > kInputMaxBytes)
			throw usage_error(path + ": larger than " +
					  std::to_string(kInputMaxBytes >> 20) +
					  " MiB, the most rtnoise reads of a file");
	}
	if (in.bad())
		throw usage_error(path + ": cannot read: " + errno_text(errno));
	return text;
}

Budget load_budget(const std::string& path)
{
	Budget b = load_compare_budget(path);
	refuse_baseline(b);
	return b;
}

Budget load_compare_budget(const std::string& path)
{
	return parse_budget(read_input_file(path), path);
}

}  // namespace rtnoise
