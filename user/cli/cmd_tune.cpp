// SPDX-License-Identifier: GPL-2.0
// cmd_tune.cpp - rtnoise tune: boot parameters and libvirt XML for a layout.
#include <iostream>

#include "cli/commands.hpp"
#include "isolation/tune.hpp"
#include "util/cpulist.hpp"

namespace rtnoise {
namespace {

void run_tune(const TuneCmdOptions& o)
{
	Layout l = plan_layout(o.root, parse_cpulist(o.cpus));
	for (const std::string& w : l.warnings)
		std::cerr << "rtnoise: warning: " << w << "\n";
	TuneOptions t;
	t.hugepages_1g = o.hugepages;
	t.name = o.name;
	t.memory_mib = o.memory_mib;
	std::cout << (o.print == "libvirt" ? tune_libvirt(l, t) : tune_cmdline(l, t));
}

}  // namespace

std::shared_ptr<TuneCmdOptions> setup_tune(CLI::App& app)
{
	auto o = std::make_shared<TuneCmdOptions>();
	auto* sub = app.add_subcommand(
		"tune", "Print the boot parameters or the libvirt guest for a layout");
	sub->add_option("-c,--cpus", o->cpus, "CPUs to isolate")
		->required()
		->check(cpulist_validator());
	sub->add_option("--print", o->print, "What to print")
		->required()
		->check(CLI::IsMember({"cmdline", "libvirt"}));
	sub->add_option("--hugepages", o->hugepages, "1 GiB huge pages to reserve at boot");
	sub->add_option("--name", o->name, "Guest name (libvirt)")->capture_default_str();
	sub->add_option("--memory", o->memory_mib, "Guest memory in MiB (libvirt)")
		->capture_default_str();
	sub->add_option("--root", o->root, "Read the topology under this directory")
		->capture_default_str()
		->check(CLI::ExistingDirectory);
	sub->callback([o] { run_tune(*o); });
	return o;
}

}  // namespace rtnoise
