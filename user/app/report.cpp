// SPDX-License-Identifier: GPL-2.0
// report.cpp - collect or read, judge, render, write: the one path of
// every command that reports.
#include "app/report.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <istream>
#include <ostream>
#include <streambuf>
#include <system_error>
#include <utility>
#include <vector>

#include "analysis/compare.hpp"
#include "analysis/report_json.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/file.hpp"

namespace rtnoise {
namespace {

// ReportBuf - a report's bytes as a stream, read 64 KiB at a time from
// fd up to max bytes: past them, or at a read error, the stream ends
// (the parser then refuses the text) and over() or err() says why.
class ReportBuf : public std::streambuf {
public:
	ReportBuf(int fd, std::uint64_t max) : fd_(fd), max_(max), buf_(std::size_t{1} << 16) {}
	bool over() const { return total_ > max_; }
	int err() const { return err_; }

protected:
	int_type underflow() override
	{
		if (gptr() < egptr())
			return traits_type::to_int_type(*gptr());
		if (over() || err_)
			return traits_type::eof();
		ssize_t n;
		do
			n = ::read(fd_, buf_.data(), buf_.size());
		while (n < 0 && errno == EINTR);
		if (n < 0)
			err_ = errno;
		if (n <= 0)
			return traits_type::eof();
		total_ += static_cast<std::uint64_t>(n);
		if (over())
			return traits_type::eof();
		setg(buf_.data(), buf_.data(), buf_.data() + n);
		return traits_type::to_int_type(*gptr());
	}

private:
	int fd_;
	std::uint64_t max_;
	std::vector<char> buf_;
	std::uint64_t total_ = 0;
	int err_ = 0;
};

// load_report - a JSON report the user named, read as it comes (never
// whole in memory), its spikes tallied into causes and not kept; its
// errors name the file.
Snapshot load_report(const std::string& path, CauseTallies& causes)
{
	std::error_code ec;
	if (std::filesystem::is_directory(path, ec))
		throw usage_error(path + ": cannot read: a directory");
	const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd)
		throw usage_error(path + ": cannot read: " + errno_text(errno));
	ReportBuf buf(fd.get(), kReportMaxBytes);
	std::istream in(&buf);
	const ReportSpikes spikes{[&](Spike&& sp) { causes.add(sp); }, [](WorkloadSpike&&) {}};
	try {
		return read_report_json(in, spikes);
	} catch (const Error& e) {
		if (buf.over())
			throw usage_error(path + ": larger than " +
					  std::to_string(kReportMaxBytes >> 30) +
					  " GiB, the most rtnoise reads of a report");
		if (buf.err())
			throw usage_error(path + ": cannot read: " + errno_text(buf.err()));
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

// render_options - r's options for rep, judged: its verdict, the wall
// clock's offset, what the format needs besides (metrics for
// Prometheus, made in @metrics; cyclictest's JSON, the host).
RenderOptions render_options(const Report& rep, const ReportRequest& r, Metrics& metrics,
			     const Snapshot* previous)
{
	RenderOptions ro = r.render;
	if (ro.format == Format::prometheus) {
		metrics = metrics_of(rep.snapshot, previous, r.metrics_sources);
		ro.metrics = &metrics;
	}
	ro.realtime_offset_ns = rep.realtime_offset_ns;
	if (ro.format == Format::cyclictest_json)
		ro.cyclictest = cyclictest_info(rep.snapshot);
	if (rep.verdict)
		ro.budget = &*rep.verdict;
	return ro;
}

}  // namespace

Report judge_report(Snapshot s, const ReportRequest& r)
{
	Report rep;
	rep.snapshot = std::move(s);
	rep.realtime_offset_ns = realtime_offset_ns();
	if (r.budget)
		rep.verdict = judge(*r.budget, rep.snapshot);
	return rep;
}

Report make_report(Snapshot s, const ReportRequest& r, const Snapshot* previous)
{
	Report rep = judge_report(std::move(s), r);
	Metrics metrics;
	rep.text = render(rep.snapshot, render_options(rep, r, metrics, previous));
	return rep;
}

void write_report(const Report& rep, const ReportRequest& r)
{
	Metrics metrics;
	const RenderOptions ro = render_options(rep, r, metrics, nullptr);
	write_output_streamed(r.output, [&](std::ostream& out) { render(out, rep.snapshot, ro); });
}

Error findings()
{
	return {Exit::findings, ""};
}

void report(const ReportRequest& r)
{
	const Report rep = judge_report(collect(r.workload), r);
	write_report(rep, r);
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
	write_output_streamed(r.output, [&](std::ostream& out) {
		out << render_comparison(c, r.format, before, after);
	});
	if (c.budget && !c.budget->passed())
		throw findings();
}

std::string read_input_file(const std::string& path)
{
	std::error_code ec;
	if (std::filesystem::is_directory(path, ec))
		throw usage_error(path + ": cannot read: a directory");
	std::ifstream in(path, std::ios::binary);
	if (!in)
		throw usage_error(path + ": cannot read: " + errno_text(errno));
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
