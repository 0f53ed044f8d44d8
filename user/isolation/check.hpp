// SPDX-License-Identifier: GPL-2.0
// check.hpp - audit a host's isolation against the seed guides.
//
// Every rule reads under a root directory, so the rules run unchanged
// against fixture trees captured from real machines. The rules live in
// one check_X.cpp per family (check_rules.hpp lists them), the rendering
// in check_render.cpp.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "util/cpulist.hpp"

namespace rtnoise {

enum class Verdict { pass, warn, fail };
const char* verdict_name(Verdict v);

struct Finding {
	std::string id;	 // "boot.nohz_full", "irq.affinity", ...
	Verdict verdict = Verdict::pass;
	std::string what;      // one line: what was checked and found
	std::string evidence;  // what was read
	std::string fix;       // the command or boot parameter that fixes it
};

struct CheckResult {
	CpuSet cpus;	      // the CPUs audited
	CpuSet housekeeping;  // the other online CPUs
	std::vector<Finding> findings;

	bool failed() const;
};

// run_checks - audit the host under root for cpus; with no cpus, the CPUs
// the kernel isolates (isolcpus or nohz_full). Throws a usage Error when
// there are none to audit.
CheckResult run_checks(const std::filesystem::path& root, std::optional<CpuSet> cpus);

std::string render_check_text(const CheckResult& r);
std::string render_check_json(const CheckResult& r);

}  // namespace rtnoise
