// SPDX-License-Identifier: GPL-2.0
// cmd_common.cpp - validators and checks shared by the subcommands.
#include "commands.hpp"
#include "cpulist.hpp"
#include "error.hpp"
#include "host.hpp"
#include "units.hpp"

namespace rtnoise {

CLI::Validator cpulist_validator()
{
	return CLI::Validator(
		[](std::string& s) -> std::string {
			try {
				parse_cpulist(s);
			} catch (const Error& e) {
				return e.what();
			}
			return {};
		},
		"CPULIST");
}

CLI::Validator duration_validator()
{
	return CLI::Validator(
		[](std::string& s) -> std::string {
			try {
				parse_duration_ns(s, kNsPerUs);
			} catch (const Error& e) {
				return e.what();
			}
			return {};
		},
		"DURATION");
}

void require_root()
{
	if (!has_cap_sys_admin("/"))
		throw system_error("rtnoise needs root (CAP_SYS_ADMIN): run it "
				   "with sudo");
}

RenderOptions make_render_options(const std::string& format,
				  const std::string& type, std::size_t top)
{
	RenderOptions r;
	r.format = format == "json"         ? Format::json
		   : format == "cyclictest" ? Format::cyclictest
					    : Format::text;
	r.cyclictest_type = type == "irq" ? LatType::irq : LatType::thread;
	r.top_spikes = top;
	return r;
}

}  // namespace rtnoise
