// SPDX-License-Identifier: GPL-2.0
// validators.cpp - option checks and conversions shared by the subcommands.
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

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

CLI::Validator workload_validator()
{
	return {[](std::string& s) -> std::string {
			if (s.empty())
				return "an empty name";
			if (s.find_first_not_of("0123456789") != std::string::npos)
				return {};  // a comm
			// PID_MAX_LIMIT: no kernel has a thread ID above 2^22.
			unsigned long id = 0;
			auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
			if (ec != std::errc{} || id == 0 || id > (1UL << 22))
				return "'" + s + "' is no thread ID (1 to 4194304)";
			return {};
		},
		"COMM|PID"};
}

void add_sampler_options(CLI::App* sub, std::string& cpus, std::string& period,
			 std::string& threshold)
{
	sub->add_option("-c,--cpus", cpus, "CPUs to watch, e.g. 2-3,6")
		->required()
		->check(cpulist_validator());
	sub->add_option("-p,--period", period, "Timer period (bare number: us)")
		->capture_default_str()
		->check(duration_validator());
	sub->add_option("-t,--threshold", threshold,
			"Record every sample at or over this as a spike")
		->capture_default_str()
		->check(duration_validator());
}

void add_spike_action_options(CLI::App* sub, SpikeActionArgs& a)
{
	sub->add_option("--on-spike", a.command,
			"Run CMD (/bin/sh -c) for each new spike, its JSON on stdin and "
			"RTNOISE_CPU, _TYPE, _LATENCY_US, _CAUSE, _SEQ set; one at a time, "
			"at most 5 a second, the others dropped");
	sub->add_option("--on-spike-threshold", a.threshold,
			"Only spikes at or over this (bare number: us) run --on-spike or "
			"stop (default: every recorded spike)")
		->check(duration_validator());
	sub->add_flag("--stop-on-spike", a.stop,
		      "At the first spike (over --on-spike-threshold), stop the sampler and "
		      "freeze the BPF event history (attach --duration: report at once)");
}

SpikeActionOptions make_spike_action(const SpikeActionArgs& a)
{
	SpikeActionOptions o;
	o.command = a.command;
	o.stop = a.stop;
	if (!a.threshold.empty()) {
		if (!o.any())
			throw usage_error(
				"--on-spike-threshold needs --on-spike or --stop-on-spike");
		o.threshold_ns = parse_duration_ns(a.threshold, kNsPerUs);
	}
	return o;
}

void add_workload_option(CLI::App* sub, std::vector<std::string>& workload, const std::string& help)
{
	sub->add_option("-w,--workload", workload, help)
		->delimiter(',')
		->check(workload_validator());
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
	r.format = format == "json"		 ? Format::json
		   : format == "cyclictest"	 ? Format::cyclictest
		   : format == "cyclictest-json" ? Format::cyclictest_json
		   : format == "html"		 ? Format::html
		   : format == "prometheus"	 ? Format::prometheus
		   : format == "junit"		 ? Format::junit
						 : Format::text;
	r.cyclictest_type = type == "irq" ? LatType::irq : LatType::thread;
	r.top_spikes = top;
	return r;
}

}  // namespace rtnoise
