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

DetachSteps real_detach_steps(bool unload)
{
	DetachSteps s;
	s.tracer = [] { return tracer_detach(); };
	s.sampler = [] {
		if (!sampler_loaded())
			return false;
		Device dev = Device::open();
		bool running = dev.info().state != RTNOISE_STATE_IDLE;
		dev.reset();
		return running;
	};
	if (unload)
		s.unload = [] { unload_module(); };
	return s;
}

DetachResult detach_all(const DetachSteps& steps, const fs::path& root,
			const fs::path& state_path)
{
	DetachResult r;
	// Each step on its own: what one cannot do is said at the end.
	auto step = [&](auto&& fn) {
		try {
			fn();
		} catch (const std::exception& e) {
			r.errors.push_back(e.what());
		}
	};
	step([&] { r.any |= steps.tracer(); });
	// The sampler's SCHED_FIFO threads before anything that may fail
	// on a damaged file.
	step([&] { r.any |= steps.sampler(); });
	step([&] {
		auto text = read_file(state_path);
		if (!text)
			return;
		State s;
		try {
			s = state_from_json(*text);
		} catch (const Error& e) {
			throw system_error(std::string(e.what()) + " (" + state_path.string() +
					   " is kept: put back by hand what it lists, then remove it)");
		}
		// Undo a partition that attach --isolate made; one made by
		// 'rtnoise partition' stays until 'partition --restore'.
		if (s.by != "attach")
			return;
		r.any = true;
		Outcome o = restore_state(root, state_path);
		for (const std::string& n : o.skipped)
			std::cerr << "rtnoise: left alone: " << n << "\n";
		for (const std::string& f : o.failed)
			std::cerr << "rtnoise: could not restore " << f << "\n";
		if (!o.failed.empty())
			throw system_error(std::to_string(o.failed.size()) +
					   " values of the partition could not be restored "
					   "(listed above); " + state_path.string() +
					   " keeps them: fix the cause and run 'rtnoise "
					   "partition --restore'");
	});
	if (steps.unload)
		step(steps.unload);
	return r;
}

std::string join_errors(const std::vector<std::string>& errors)
{
	std::string out;
	for (const std::string& e : errors)
		out += (out.empty() ? "" : "; ") + e;
	return out;
}

DetachResult detach_all(bool unload)
{
	return detach_all(real_detach_steps(unload), "/", kStatePath);
}

}  // namespace rtnoise
