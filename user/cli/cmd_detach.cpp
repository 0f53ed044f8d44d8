// SPDX-License-Identifier: GPL-2.0
// cmd_detach.cpp - rtnoise detach: stop sampling and tracing, free all.
#include <iostream>

#include "cli/commands.hpp"
#include "util/error.hpp"

namespace rtnoise {
namespace {

void run_detach(const DetachOptions& o)
{
	require_root();
	DetachResult r = detach_everything(o.unload);
	if (r.any)
		std::cerr << "rtnoise: detached\n";
	else if (!o.unload)
		throw nothing_attached();
	if (o.unload)
		std::cerr << "rtnoise: unloaded rtnoise.ko\n";
}

}  // namespace

std::shared_ptr<DetachOptions> setup_detach(CLI::App& app)
{
	auto o = std::make_shared<DetachOptions>();
	auto* sub =
		app.add_subcommand("detach", "Stop sampling and tracing and free what they hold");
	sub->add_flag("--unload", o->unload, "Also unload rtnoise.ko");
	sub->callback([o] { run_detach(*o); });
	return o;
}

}  // namespace rtnoise
