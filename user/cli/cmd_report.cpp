// SPDX-License-Identifier: GPL-2.0
// cmd_report.cpp - rtnoise report: read and explain what is attached.

#include "cli/commands.hpp"

namespace rtnoise {
namespace {

void run_report(const ReportOptions& o)
{
	ReportRequest r;
	// A malformed budget is refused before anything is read.
	if (!o.budget.empty())
		r.budget = load_budget(o.budget);
	else if (o.format == "junit")
		throw usage_error("--format junit is a budget's verdict: give --budget FILE");
	require_root();
	r.workload = parse_workload(o.workload);
	r.render = make_render_options(o.format, o.type, o.top);
	r.output = o.output;
	report(r);
}

}  // namespace

std::shared_ptr<ReportOptions> setup_report(CLI::App& app)
{
	auto o = std::make_shared<ReportOptions>();
	auto* sub = app.add_subcommand("report", "Print what was measured so far, and its causes");
	sub->add_option("-f,--format", o->format, "Output format")
		->capture_default_str()
		->check(CLI::IsMember({"text", "json", "cyclictest", "html", "prometheus",
				       "cyclictest-json", "junit"}));
	sub->add_option("-o,--output", o->output,
			"Write the report to this file (atomically) instead of stdout");
	sub->add_option("--type", o->type, "Latency for the cyclictest format's columns")
		->capture_default_str()
		->check(CLI::IsMember({"irq", "thread"}));
	sub->add_option("--top", o->top, "Spikes listed in the text and html formats")
		->capture_default_str();
	sub->add_option("--budget", o->budget,
			"YAML file of limits the report must hold (exit 1 if not)");
	add_workload_option(sub, o->workload,
			    "Threads (comm or pid) that are the workload, not noise");
	sub->callback([o] { run_report(*o); });
	return o;
}

}  // namespace rtnoise
