// SPDX-License-Identifier: GPL-2.0
// validators.cpp - option checks and conversions shared by the subcommands.
#include <cstdlib>

#include "cli/commands.hpp"
#include "host/host.hpp"
#include "util/cpulist.hpp"
#include "util/error.hpp"
#include "util/units.hpp"

namespace rtnoise {

CLI::Validator cpulist_validator()
{
	return {[](std::string& s) -> std::string {
			try {
				parse_cpulist(s);
			} catch (const Error& e) {
				return e.what();
			}
			return {};
		},
		"CPULIST"};
}

CLI::Validator duration_validator()
{
	return {[](std::string& s) -> std::string {
			try {
				parse_duration_ns(s, kNsPerUs);
			} catch (const Error& e) {
				return e.what();
			}
			return {};
		},
		"DURATION"};
}

CLI::Validator pow2_validator()
{
	return {[](std::string& s) -> std::string {
			unsigned long v = std::strtoul(s.c_str(), nullptr, 10);
			return v && !(v & (v - 1)) ? "" : "not a power of two";
		},
		"POW2"};
}

void require_root()
{
	if (!has_cap_sys_admin("/"))
		throw system_error("rtnoise needs root (CAP_SYS_ADMIN): run it "
				   "with sudo");
}

RenderOptions make_render_options(const std::string& format, const std::string& type,
				  std::size_t top)
{
	RenderOptions r;
	r.format = format == "json"	    ? Format::json
		   : format == "cyclictest" ? Format::cyclictest
		   : format == "prometheus" ? Format::prometheus
					    : Format::text;
	r.cyclictest_type = type == "irq" ? LatType::irq : LatType::thread;
	r.top_spikes = top;
	return r;
}

}  // namespace rtnoise
