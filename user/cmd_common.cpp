// SPDX-License-Identifier: GPL-2.0
// cmd_common.cpp - validators and checks shared by the subcommands.
#include <sys/stat.h>

#include <ctime>
#include <filesystem>
#include <iostream>
#include <set>

#include "attribution.hpp"
#include "commands.hpp"
#include "cpulist.hpp"
#include "error.hpp"
#include "host.hpp"
#include "ksyms.hpp"
#include "partition.hpp"
#include "tracer.hpp"
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

CLI::Validator pow2_validator()
{
	return CLI::Validator(
		[](std::string& s) -> std::string {
			unsigned long v = std::strtoul(s.c_str(), nullptr, 10);
			return v && !(v & (v - 1)) ? "" : "not a power of two";
		},
		"POW2");
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

namespace {

std::uint64_t monotonic_ns()
{
	timespec now{};
	clock_gettime(CLOCK_MONOTONIC, &now);
	return static_cast<std::uint64_t>(now.tv_sec) * kNsPerSec +
	       static_cast<std::uint64_t>(now.tv_nsec);
}

bool sampler_loaded()
{
	return std::filesystem::exists(kDevicePath);
}

}  // namespace

Error nothing_attached()
{
	return system_error(std::string("nothing attached") +
			    (sampler_loaded() ? "" : " (rtnoise.ko is not loaded, no "
						     "BPF tracer is pinned)") +
			    ": run 'rtnoise attach --cpus LIST' first");
}

Snapshot collect(const std::vector<std::string>& workload)
{
	Snapshot s;
	if (sampler_loaded()) {
		Device dev = Device::open();
		s = dev.read_snapshot();
	} else {
		s.kernel_release = kernel_release();
		s.kernel_version = kernel_version();
	}

	const bool traced = tracer_attached();
	if (!s.sampled && !traced)
		throw nothing_attached();
	if (!traced)
		return s;

	TraceData trace = tracer_read();
	if (!s.sampled) {
		// BPF only: the CPUs and the time span come from the tracer.
		s.start_ns = trace.start_ns;
		s.end_ns = monotonic_ns();
		for (const auto& [cpu, _] : trace.cpus) {
			CpuResult c;
			c.cpu = cpu;
			s.cpus.push_back(c);
		}
	}

	std::set<std::string> comms;
	std::set<std::uint64_t> pids;
	for (const std::string& w : workload) {
		if (!w.empty() && w.find_first_not_of("0123456789") == std::string::npos)
			pids.insert(std::stoull(w));
		else
			comms.insert(w);
	}
	attribute(s, trace, Ksyms::load("/"), comms, pids);
	return s;
}

bool detach_all()
{
	bool any = tracer_detach();
	if (auto text = read_file(kStatePath)) {
		// Undo a partition that attach --isolate made; one made by
		// 'rtnoise partition' stays until 'partition --restore'.
		if (state_from_json(*text).by == "attach") {
			Outcome r = restore_state("/", kStatePath);
			for (const std::string& s : r.skipped)
				std::cerr << "rtnoise: left alone: " << s << "\n";
			for (const std::string& f : r.failed)
				std::cerr << "rtnoise: could not restore " << f << "\n";
			any = true;
		}
	}
	if (sampler_loaded()) {
		Device dev = Device::open();
		any |= dev.info().state != RTNOISE_STATE_IDLE;
		dev.reset();
	}
	return any;
}

}  // namespace rtnoise
