// SPDX-License-Identifier: GPL-2.0
// cmd_detach.cpp - rtnoise detach: stop sampling and free everything.
#include <iostream>

#include "commands.hpp"
#include "cpulist.hpp"
#include "error.hpp"
#include "units.hpp"

namespace rtnoise {
namespace {

void run_detach(const DetachOptions& o)
{
	require_root();
	{
		Device dev = Device::open();
		Snapshot snap = dev.read_snapshot();
		if (snap.state == SamplerState::idle && !o.unload)
			throw system_error("nothing attached");
		dev.reset();
		if (snap.state != SamplerState::idle) {
			CpuSet cpus;
			for (const CpuResult& c : snap.cpus)
				cpus.insert(c.cpu);
			std::cerr << "rtnoise: detached from CPUs "
				  << format_cpulist(cpus) << " after "
				  << format_duration(snap.duration_ns()) << "\n";
		}
	}
	if (o.unload) {
		unload_module();
		std::cerr << "rtnoise: unloaded rtnoise.ko\n";
	}
}

}  // namespace

std::shared_ptr<DetachOptions> setup_detach(CLI::App& app)
{
	auto o = std::make_shared<DetachOptions>();
	auto* sub = app.add_subcommand("detach",
				       "Stop sampling and free what it holds");
	sub->add_flag("--unload", o->unload, "Also unload rtnoise.ko");
	sub->callback([o] { run_detach(*o); });
	return o;
}

}  // namespace rtnoise
