// SPDX-License-Identifier: GPL-2.0
// fuzz_budget - budget files (analysis/budget.cpp): parse_budget() and
// judge(), alone and against a run before (baseline limits).
//
// Properties on each input:
//  - parse_budget() accepts it or refuses it with a usage Error (status
//    2) whose message starts "budget FILE:" and names a line, nothing
//    else (no yaml-cpp exception escapes);
//  - what it accepts has no negative or non-finite limit (no ratio of
//    0), and judging a report against it, alone or against a run
//    before, never throws; a violation names its limit and belongs to
//    a check.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "analysis/budget.hpp"
#include "analysis/compare.hpp"
#include "fuzz.hpp"

using namespace rtnoise;

namespace {

Snapshot report()
{
	Snapshot s;
	s.sampled = s.attributed = true;
	s.start_ns = s.trace_start_ns = 1000;
	s.end_ns = 1000 + 1000000000ULL;
	s.cpus.resize(2);
	s.cpus[0].cpu = 2;
	s.cpus[1].cpu = 3;
	for (CpuResult& c : s.cpus) {
		for (LatencyStats& l : c.lat) {
			l.hist = {0, 5, 3};
			l.overflows = 2;
			l.count = 10;
			l.max_ns = 9000;
			l.spikes = 2;
			l.pct.samples = 10;
			l.pct.overflow_us = 3;
			l.pct.p50_us = 1;
			l.pct.max_us = 9;
		}
		c.noise.per_second_us = 120;
	}
	SourceRow r;
	r.cpu = 2;
	r.kind = "irq";
	r.name = "24:virtio0-input";
	r.total_ns = 5000000;
	s.sources.push_back(r);
	return s;
}

// before - report() with another source mix: one gone, one smaller.
Snapshot before()
{
	Snapshot s = report();
	s.sources[0].total_ns = 1000000;
	SourceRow r;
	r.cpu = 3;
	r.kind = "thread";
	r.name = "kworker/3:1";
	r.total_ns = 2000000;
	s.sources.push_back(r);
	s.cpus[1].lat[0].pct.p50_us.reset();
	return s;
}

bool finite_limit(const std::optional<double>& v)
{
	return !v || (std::isfinite(*v) && *v >= 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string input(reinterpret_cast<const char*>(data), size);
	Budget b;
	try {
		b = parse_budget(input, "f.yaml");
	} catch (const Error& e) {
		FUZZ_CHECK(e.code() == Exit::usage,
			   "status " + std::to_string(static_cast<int>(e.code())) + " on " +
				   fuzz::shown(input));
		FUZZ_CHECK(std::string(e.what()).rfind("budget f.yaml:", 0) == 0,
			   std::string("message ") + e.what() + " on " + fuzz::shown(input));
		return 0;
	} catch (const std::exception& e) {
		FUZZ_CHECK(false, std::string("threw ") + e.what() + " on " + fuzz::shown(input));
	}
	for (const LatencyLimits& l : b.latency) {
		FUZZ_CHECK(finite_limit(l.max_us), "max_us of " + fuzz::shown(input));
		for (const auto& p : l.pct_us)
			FUZZ_CHECK(finite_limit(p), "a percentile of " + fuzz::shown(input));
	}
	FUZZ_CHECK(finite_limit(b.noise_us_per_s), "noise of " + fuzz::shown(input));
	for (const SourceLimit& l : b.sources)
		FUZZ_CHECK(finite_limit(l.us_per_s), "a source of " + fuzz::shown(input));
	if (b.baseline) {
		FUZZ_CHECK(finite_limit(b.baseline->new_source_us_per_s) &&
				   finite_limit(b.baseline->source_ratio) &&
				   (!b.baseline->source_ratio || *b.baseline->source_ratio > 0) &&
				   finite_limit(b.baseline->source_floor_us_per_s),
			   "a baseline limit of " + fuzz::shown(input));
		for (const BaselineLatency& l : b.baseline->latency) {
			FUZZ_CHECK(!l.max_ratio || (finite_limit(l.max_ratio) && *l.max_ratio > 0),
				   "a latency ratio of " + fuzz::shown(input));
			FUZZ_CHECK(finite_limit(l.floor_us),
				   "a latency floor of " + fuzz::shown(input));
			for (const auto& r : l.pct_ratio)
				FUZZ_CHECK(!r || (finite_limit(r) && *r > 0),
					   "a latency ratio of " + fuzz::shown(input));
		}
	}
	const bool judged = fuzz::only_errors("judge", {}, input, [&] {
		const Snapshot after = report();
		for (const BudgetResult& r :
		     {judge(b, after), judge(b, after, compare(before(), after))}) {
			std::size_t in_checks = 0;
			for (const Check& c : r.checks)
				in_checks += c.violations.size();
			FUZZ_CHECK(in_checks == r.violations.size(),
				   "violations outside their checks on " + fuzz::shown(input));
			for (const Violation& v : r.violations)
				FUZZ_CHECK(!v.limit.empty(), "a violation without its limit");
		}
	});
	FUZZ_CHECK(judged, "judge threw on " + fuzz::shown(input));
	return 0;
}
