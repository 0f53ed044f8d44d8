// SPDX-License-Identifier: GPL-2.0
// cmd_compare.cpp - rtnoise compare: two JSON reports side by side.

#include "analysis/compare.hpp"
#include "analysis/report_json.hpp"
#include "cli/commands.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

namespace rtnoise {
namespace {

Snapshot load_report(const std::string& path)
{
	const std::string text = read_input_file(path);
	try {
		return read_report_json(text);
	} catch (const Error& e) {
		throw usage_error(path + ": " + e.what());
	}
}

void run_compare(const CompareOptions& o)
{
	// The budget first: a malformed one is refused before any work.
	std::optional<Budget> budget;
	if (!o.budget.empty())
		budget = load_budget(o.budget);
	const Snapshot before = load_report(o.before);
	const Snapshot after = load_report(o.after);
	Comparison c = compare(before, after);
	if (budget)
		c.budget = judge(*budget, after);
	const std::string out = o.format == "json"   ? render_compare_json(c)
				: o.format == "html" ? render_compare_html(c, before, after)
						     : render_compare_text(c);
	write_output(o.output, out);
	if (c.budget && !c.budget->passed())
		throw Error(Exit::findings, "");
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
		->check(CLI::IsMember({"text", "json", "html"}));
	sub->add_option("-o,--output", o->output,
			"Write the comparison to this file (atomically) instead of stdout");
	sub->add_option("--budget", o->budget,
			"YAML file of limits the report after must hold (exit 1 if not)");
	sub->callback([o] { run_compare(*o); });
	return o;
}

}  // namespace rtnoise
