// SPDX-License-Identifier: GPL-2.0
// check_render.cpp - a CheckResult as text or JSON.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "isolation/check_rules.hpp"

namespace rtnoise {

using check_detail::L;

std::string render_check_text(const CheckResult& r)
{
	std::string out =
		"rtnoise check: CPUs " + L(r.cpus) + ", housekeeping " + L(r.housekeeping) + "\n";
	int n[3] = {0, 0, 0};
	for (const Finding& f : r.findings) {
		n[static_cast<int>(f.verdict)]++;
		char head[96];
		std::snprintf(head, sizeof(head), "%-4s  %-28s ", verdict_name(f.verdict),
			      f.id.c_str());
		out += head + f.what + "\n";
		if (f.verdict == Verdict::pass)
			continue;
		out += "      read: " + f.evidence + "\n";
		if (!f.fix.empty())
			out += "      fix:  " + f.fix + "\n";
	}
	out += std::to_string(n[0]) + " passed, " + std::to_string(n[1]) + " warnings, " +
	       std::to_string(n[2]) + " failed\n";
	return out;
}

std::string render_check_json(const CheckResult& r)
{
	nlohmann::json findings = nlohmann::json::array();
	int n[3] = {0, 0, 0};
	for (const Finding& f : r.findings) {
		n[static_cast<int>(f.verdict)]++;
		std::string v = verdict_name(f.verdict);
		std::transform(v.begin(), v.end(), v.begin(), ::tolower);
		findings.push_back({{"id", f.id},
				    {"verdict", v},
				    {"what", f.what},
				    {"evidence", f.evidence},
				    {"fix", f.fix}});
	}
	nlohmann::json j = {{"cpus", format_cpulist(r.cpus)},
			    {"housekeeping", format_cpulist(r.housekeeping)},
			    {"findings", findings},
			    {"summary", {{"pass", n[0]}, {"warn", n[1]}, {"fail", n[2]}}}};
	// Names are escaped where they are read; whatever else slips
	// through (a boot parameter) must not cost the whole report.
	return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace rtnoise
