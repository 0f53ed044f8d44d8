// SPDX-License-Identifier: GPL-2.0
// budget_verdict.cpp - a budget's verdict, as text and as the JSON object the
// report and compare formats embed.
#include <fmt/format.h>

#include <iterator>
#include <nlohmann/json.hpp>

#include "render/render.hpp"

namespace rtnoise {

std::string render_budget_text(const BudgetResult& b)
{
	std::string out;
	if (b.passed()) {
		fmt::format_to(std::back_inserter(out), "Budget {}: every limit holds\n", b.file);
		return out;
	}
	fmt::format_to(std::back_inserter(out), "Budget {}: {} limit(s) exceeded\n", b.file,
		       b.violations.size());
	for (const Violation& v : b.violations) {
		std::string where;
		if (v.cpu)
			where = fmt::format(" on CPU {}", *v.cpu);
		if (!v.source.empty())
			where += " by " + v.source;
		if (v.unit.empty()) {
			// Not a figure over a limit: what could not be judged.
			fmt::format_to(std::back_inserter(out), "  VIOLATED {}{}: {}\n", v.limit,
				       where, v.measured);
			continue;
		}
		fmt::format_to(std::back_inserter(out), "  VIOLATED {}{}: {} {} > {:g} allowed\n",
			       v.limit, where, v.measured, v.unit, v.allowed);
	}
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
		v.push_back(j);
	}
	return {{"file", b.file}, {"passed", b.passed()}, {"violations", v}};
}

}  // namespace rtnoise
