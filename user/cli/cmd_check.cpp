// SPDX-License-Identifier: GPL-2.0
// cmd_check.cpp - rtnoise check: audit this host's isolation.
#include <iostream>

#include "cli/commands.hpp"
#include "isolation/check.hpp"
#include "util/cpulist.hpp"
#include "util/error.hpp"

namespace rtnoise {
namespace {

void run_check(const CheckOptions& o)
{
	std::optional<CpuSet> cpus;
	if (!o.cpus.empty())
		cpus = parse_cpulist(o.cpus);
	CheckResult r;
	try {
		r = run_checks(o.root, cpus);
	} catch (const Error& e) {
		// check keeps 1 for findings: anything it could not read is 2.
		throw Error(Exit::usage, e.what());
	} catch (const std::exception& e) {
		throw Error(Exit::usage, e.what());
	}
	std::cout << (o.format == "json" ? render_check_json(r) : render_check_text(r));
	if (r.failed())
		throw Error(Exit::findings, "");
}

}  // namespace

std::shared_ptr<CheckOptions> setup_check(CLI::App& app)
{
	auto o = std::make_shared<CheckOptions>();
	auto* sub =
		app.add_subcommand("check", "Audit this host's CPU isolation against the guides");
	sub->add_option("-c,--cpus", o->cpus, "CPUs to audit (default: those the kernel isolates)")
		->check(cpulist_validator());
	sub->add_option("-f,--format", o->format, "Output format")
		->capture_default_str()
		->check(CLI::IsMember({"text", "json"}));
	sub->add_option("--root", o->root,
			"Read /proc and /sys under this directory (a captured tree)")
		->capture_default_str()
		->check(CLI::ExistingDirectory);
	sub->callback([o] { run_check(*o); });
	return o;
}

}  // namespace rtnoise
