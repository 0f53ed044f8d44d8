// SPDX-License-Identifier: GPL-2.0
// cmd_compare.cpp - rtnoise compare: two JSON reports side by side.

#include "cli/commands.hpp"

namespace rtnoise {
namespace {

void run_compare(const CompareOptions& o)
{
	CompareRequest r;
	// The budget first: a malformed one is refused before any work.
	if (!o.budget.empty())
		r.budget = load_compare_budget(o.budget);
	else if (o.format == "junit")
		throw usage_error("--format junit is a budget's verdict: give --budget FILE");
	r.before = o.before;
	r.after = o.after;
	r.format = o.format == "json"	 ? CompareFormat::json
		   : o.format == "html"	 ? CompareFormat::html
		   : o.format == "junit" ? CompareFormat::junit
					 : CompareFormat::text;
	r.output = o.output;
	compare_reports(r);
}

}  // namespace

std::shared_ptr<CompareOptions> setup_compare(CLI::App& app)
{
	auto o = std::make_shared<CompareOptions>();
	auto* sub = app.add_subcommand(
		"compare", "Compare two reports (report --format json) of the same CPUs");
	sub->add_option("before", o->before, "The report before")->required();
	sub->add_option("after", o->after, "The report after")->required();
	sub->add_option("-f,--format", o->format, "Output format")
		->capture_default_str()
		->check(CLI::IsMember({"text", "json", "html", "junit"}));
	sub->add_option("-o,--output", o->output,
			"Write the comparison to this file (atomically) instead of stdout");
	sub->add_option("--budget", o->budget,
			"YAML file of limits the report after must hold, also relative to "
			"the report before (exit 1 if not)");
	sub->callback([o] { run_compare(*o); });
	return o;
}

}  // namespace rtnoise
