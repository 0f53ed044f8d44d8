// SPDX-License-Identifier: GPL-2.0
// cmd_report.cpp - rtnoise report: read the running or stopped sampler.
#include <iostream>

#include "commands.hpp"
#include "error.hpp"

namespace rtnoise {
namespace {

void run_report(const ReportOptions& o)
{
	require_root();
	Device dev = Device::open();
	Snapshot snap = dev.read_snapshot();
	if (snap.state == SamplerState::idle)
		throw system_error("nothing attached: run 'rtnoise attach --cpus "
				   "LIST' first");
	std::cout << render(snap, make_render_options(o.format, o.type, o.top));
}

}  // namespace

std::shared_ptr<ReportOptions> setup_report(CLI::App& app)
{
	auto o = std::make_shared<ReportOptions>();
	auto* sub = app.add_subcommand(
		"report", "Print what the sampler measured so far");
	sub->add_option("-f,--format", o->format, "Output format")
		->capture_default_str()
		->check(CLI::IsMember({"text", "json", "cyclictest"}));
	sub->add_option("--type", o->type,
			"Latency for the cyclictest format's columns")
		->capture_default_str()
		->check(CLI::IsMember({"irq", "thread"}));
	sub->add_option("--top", o->top, "Spikes listed in the text format")
		->capture_default_str();
	sub->callback([o] { run_report(*o); });
	return o;
}

}  // namespace rtnoise
