// SPDX-License-Identifier: GPL-2.0
// commands.hpp - one setup_X() per subcommand, each in cmd_X.cpp.
//
// cli/ binds options to the layers below and nothing more: each cmd_X.cpp
// has an options struct, its setup_X() and a run_X() that converts the
// options and calls app/ (or isolation/ for check and tune). It is the
// only folder that links CLI11.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/monitor.hpp"
#include "app/report.hpp"
#include "app/session.hpp"
#include "cli/parse.hpp"
#include "render/render.hpp"
#include "sampler/device.hpp"
#include "util/error.hpp"

namespace rtnoise {

namespace fs = std::filesystem;

// SpikeActionArgs - --on-spike, --on-spike-threshold, --stop-on-spike,
// as attach and monitor take them.
struct SpikeActionArgs {
	std::string command;
	std::string threshold;
	bool stop = false;
};

struct AttachOptions {
	std::string cpus;
	bool no_sampler = false;
	bool no_bpf = false;
	bool verbose = false;
	std::uint32_t events = 0;  // the tracer's default
	std::vector<std::string> workload;
	std::string period = "1ms";
	std::string threshold = "50us";
	std::string duration;
	std::uint32_t hist_us = 1000;
	std::uint32_t spikes = 1024;
	std::uint32_t priority = 95;
	std::string format = "text";
	std::string module;
	bool isolate = false;
	std::string output;
	std::string budget;
	SpikeActionArgs on_spike;
};

struct ReportOptions {
	std::vector<std::string> workload;
	std::string format = "text";
	std::string type = "thread";
	std::size_t top = 10;
	std::string output;
	std::string budget;
};

struct MonitorOptions {
	std::string cpus;
	std::string period = "1ms";
	std::string threshold = "50us";
	std::string listen;
	std::string textfile;
	std::string interval = "15s";
	std::string spike_log;
	std::string module;
	bool no_sampler = false;
	std::vector<std::string> workload;
	std::size_t metrics_sources = kSeriesSourcesDefault;
	SpikeActionArgs on_spike;
};

struct CompareOptions {
	std::string before;
	std::string after;
	std::string format = "text";
	std::string output;
	std::string budget;
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
std::shared_ptr<CompareOptions> setup_compare(CLI::App& app);
std::shared_ptr<DetachOptions> setup_detach(CLI::App& app);
std::shared_ptr<MonitorOptions> setup_monitor(CLI::App& app);
std::shared_ptr<CheckOptions> setup_check(CLI::App& app);
std::shared_ptr<PartitionOptions> setup_partition(CLI::App& app);
std::shared_ptr<TuneCmdOptions> setup_tune(CLI::App& app);

// Pure pieces of the commands, unit tested.
SamplerConfig make_sampler_config(const AttachOptions& o);
MonitorRequest make_monitor_request(const MonitorOptions& o);
RenderOptions make_render_options(const std::string& format, const std::string& type,
				  std::size_t top);

// version_text - `rtnoise --version`: the release, the git revision it
// was built from, the ioctl ABI, and the version and ABI of the rtnoise.ko
// loaded under root/sys, if any.
std::string version_text(const fs::path& root);

// Shared by the commands.
CLI::Validator cpulist_validator();
CLI::Validator duration_validator();
CLI::Validator pow2_validator();
// workload_validator - a comm, or a thread ID a kernel can have
CLI::Validator workload_validator();
// add_sampler_options - -c/--cpus, -p/--period, -t/--threshold, as
// attach and monitor take them
void add_sampler_options(CLI::App* sub, std::string& cpus, std::string& period,
			 std::string& threshold);
// add_spike_action_options - --on-spike, --on-spike-threshold,
// --stop-on-spike; make_spike_action - what they ask of app/ (a usage
// Error for a threshold without either)
void add_spike_action_options(CLI::App* sub, SpikeActionArgs& a);
SpikeActionOptions make_spike_action(const SpikeActionArgs& a);
// add_workload_option - -w/--workload COMM|PID,... (workload_validator)
void add_workload_option(CLI::App* sub, std::vector<std::string>& workload,
			 const std::string& help);
void require_root();

}  // namespace rtnoise
