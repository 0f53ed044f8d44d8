// SPDX-License-Identifier: GPL-2.0
// render.hpp - a Snapshot as text, JSON or cyclictest histogram output.
//
// render/ is pure: it prints the model as it is, computing nothing that
// analysis/ decides (remedies, spans, causes), so every format is unit
// tested. One file per format: a new format is a new file. It includes
// model/ and util/.
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "model/budget.hpp"
#include "model/compare.hpp"
#include "model/snapshot.hpp"

namespace rtnoise {

enum class Format { text, json, cyclictest, cyclictest_json };

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
	std::size_t top_spikes = 10;		    // text only
	const BudgetResult* budget = nullptr;	    // judged: text and json show it
	CyclictestInfo cyclictest;		    // cyclictest_json only
};

std::string render(const Snapshot& s, const RenderOptions& opt);

std::string render_text(const Snapshot& s, std::size_t top_spikes,
			const BudgetResult* budget = nullptr);
std::string render_json(const Snapshot& s, const BudgetResult* budget = nullptr);
// render_cyclictest - byte for byte what `cyclictest -h N -q` prints
// after a run, one column per watched CPU (thread N = N-th CPU).
std::string render_cyclictest(const Snapshot& s, LatType type);
// render_cyclictest_json - what `cyclictest --json=FILE` writes, thread
// N = N-th watched CPU.
std::string render_cyclictest_json(const Snapshot& s, LatType type, const CyclictestInfo& info);

// `rtnoise compare`: two reports side by side (model/compare.hpp).
std::string render_compare_text(const Comparison& c);
std::string render_compare_json(const Comparison& c);

// A budget's verdict: each violated limit on a line; the JSON object
// {file, passed, violations} that the JSON formats embed as "budget".
std::string render_budget_text(const BudgetResult& b);
nlohmann::json budget_json(const BudgetResult& b);

}  // namespace rtnoise
