// SPDX-License-Identifier: GPL-2.0
// commands.hpp - one setup_X() per subcommand, each in cmd_X.cpp.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "device.hpp"
#include "error.hpp"
#include "render.hpp"

namespace rtnoise {

namespace fs = std::filesystem;

struct AttachOptions {
	std::string cpus;
	bool no_sampler = false;
	bool no_bpf = false;
	bool verbose = false;
	std::uint32_t events = 32768;
	std::vector<std::string> workload;
	std::string period = "1ms";
	std::string threshold = "50us";
	std::string duration;
	std::uint32_t hist_us = 1000;
	std::uint32_t spikes = 4096;
	std::uint32_t priority = 95;
	std::string format = "text";
	std::string module;
	bool isolate = false;
};

struct ReportOptions {
	std::vector<std::string> workload;
	std::string format = "text";
	std::string type = "thread";
	std::size_t top = 10;
};

struct DetachOptions {
	bool unload = false;
};

struct PartitionOptions {
	std::string isolate;
	bool restore = false;
	bool dry_run = false;
	std::string state = "/run/rtnoise/partition.json";
};

struct TuneCmdOptions {
	std::string cpus;
	std::string print;
	unsigned hugepages = 0;
	std::string name = "rt-guest";
	unsigned memory_mib = 4096;
	std::string root = "/";
};

struct CheckOptions {
	std::string cpus;
	std::string format = "text";
	std::string root = "/";
};

std::shared_ptr<AttachOptions> setup_attach(CLI::App& app);
std::shared_ptr<ReportOptions> setup_report(CLI::App& app);
std::shared_ptr<DetachOptions> setup_detach(CLI::App& app);
std::shared_ptr<CheckOptions> setup_check(CLI::App& app);
std::shared_ptr<PartitionOptions> setup_partition(CLI::App& app);
std::shared_ptr<TuneCmdOptions> setup_tune(CLI::App& app);

// isolate - plan and apply a partition of cpus (by: "partition" or
// "attach"), prior values kept in state_path; with dry_run, print it.
// The caller holds the StateLock of state_path's directory.
void isolate(const CpuSet& cpus, bool dry_run, const std::string& by,
	     const std::string& state_path);
// refuse_if_partitioned - throw if state_path records a partition.
void refuse_if_partitioned(const std::string& state_path);

// Pure pieces of the commands, unit tested.
SamplerConfig make_sampler_config(const AttachOptions& o);
RenderOptions make_render_options(const std::string& format,
				  const std::string& type, std::size_t top);

// Shared by the commands.
CLI::Validator cpulist_validator();
CLI::Validator duration_validator();
CLI::Validator pow2_validator();
void require_root();

// collect - everything attached, read and joined: the sampler's data if
// rtnoise.ko is sampling or stopped, the BPF side's if it is pinned.
// Throws "nothing attached" when neither is. workload lists thread
// comms or pids that are the intended workload, not noise.
Snapshot collect(const std::vector<std::string>& workload);

// nothing_attached - the error for commands that need an attachment.
Error nothing_attached();

// DetachSteps - how detach stops each side: the real ones by default,
// fakes in tests. tracer and sampler return whether something was
// attached; any step throws when it could not do its part.
struct DetachSteps {
	std::function<bool()> tracer;	// unpin the BPF side
	std::function<bool()> sampler;	// stop and reset rtnoise.ko
	std::function<void()> unload;	// rmmod rtnoise.ko; empty: keep it
};
DetachSteps real_detach_steps(bool unload);

struct DetachResult {
	bool any = false;			// something was attached
	std::vector<std::string> errors;	// what could not be done, and why
};

// detach_all - stop and free both sides, undo a partition that attach
// --isolate recorded in state_path (under root), unload if asked: each
// step whatever became of the others (a damaged state file must not
// leave the SCHED_FIFO sampler threads running).
DetachResult detach_all(const DetachSteps& steps, const fs::path& root,
			const fs::path& state_path);
DetachResult detach_all(bool unload = false);
// join_errors - "a; b": several errors in one line.
std::string join_errors(const std::vector<std::string>& errors);

}  // namespace rtnoise
