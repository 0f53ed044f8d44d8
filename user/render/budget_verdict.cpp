// SPDX-License-Identifier: GPL-2.0
// budget_verdict.cpp - a budget's verdict, as text and as the JSON object the
// report and compare formats embed.
#include <fmt/format.h>

#include <iterator>
#include <nlohmann/json.hpp>

#include "render/render.hpp"

namespace rtnoise {

std::string render_violation(const Violation& v)
{
	std::string where;
	if (v.cpu)
		where = fmt::format(" on CPU {}", *v.cpu);
	if (!v.source.empty())
		where += " by " + v.source;
	// Not a figure over a limit: what could not be judged.
	if (v.unit.empty())
		return fmt::format("{}{}: {}", v.limit, where, v.measured);
	const std::string before =
		v.baseline.empty() ? "" : fmt::format(" (before: {})", v.baseline);
	return fmt::format("{}{}: {} {} > {:g} allowed{}", v.limit, where, v.measured, v.unit,
			   v.allowed, before);
}

std::string render_budget_text(const BudgetResult& b)
{
	std::string out;
	if (b.passed()) {
		fmt::format_to(std::back_inserter(out), "Budget {}: every limit holds\n", b.file);
		return out;
	}
	fmt::format_to(std::back_inserter(out), "Budget {}: {} limit(s) exceeded\n", b.file,
		       b.violations.size());
	for (const Violation& v : b.violations)
		out += "  VIOLATED " + render_violation(v) + "\n";
	return out;
}

nlohmann::json budget_json(const BudgetResult& b)
{
	nlohmann::json v = nlohmann::json::array();
	for (const Violation& x : b.violations) {
		nlohmann::json j = {{"limit", x.limit},
				    {"measured", x.measured},
				    {"allowed", x.allowed},
				    {"unit", x.unit}};
		j["cpu"] = x.cpu ? nlohmann::json(*x.cpu) : nlohmann::json(nullptr);
		if (!x.source.empty())
			j["source"] = x.source;
		if (!x.baseline.empty())
			j["baseline"] = x.baseline;
		v.push_back(j);
	}
	return {{"file", b.file}, {"passed", b.passed()}, {"violations", v}};
}

}  // namespace rtnoise
