// SPDX-License-Identifier: GPL-2.0
// procfs.hpp - tasks, kernel parameters and kernel configuration, read
// under a root directory so that fixture trees stand in for a host.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/cpulist.hpp"

namespace rtnoise {

namespace fs = std::filesystem;

// Task - one thread, as /proc/<pid>/task/<tid>/{stat,status} show it.
struct Task {
	int pid = 0;
	int tid = 0;
	std::string comm;      // escaped: see utf8.hpp
	bool kthread = false;  // PF_KTHREAD
	bool pinned = false;   // PF_NO_SETAFFINITY: per-CPU kthread
	unsigned policy = 0;   // SCHED_*
	unsigned rt_priority = 0;
	int processor = -1;	       // CPU it last ran on
	CpuSet allowed;		       // Cpus_allowed_list
	std::uint64_t start_time = 0;  // field 22: clock ticks after boot
};

// list_tasks - every thread of every process under <root>/proc.
std::vector<Task> list_tasks(const fs::path& root);

// parse_stat - fill a Task from one /proc stat line; false if malformed.
// Give it the whole file: the comm may hold a newline.
bool parse_stat(const std::string& line, Task& t);

// Cmdline - the kernel command line as key -> value ("" for a flag),
// split as the kernel splits it: quotes, and nothing after "--".
using Cmdline = std::map<std::string, std::string>;
Cmdline parse_cmdline(const std::string& text);
Cmdline read_cmdline(const fs::path& root);

// isolcpus_cpus / isolcpus_flags - "nohz,domain,managed_irq,2-3".
CpuSet isolcpus_cpus(const std::string& value);
std::vector<std::string> isolcpus_flags(const std::string& value);

// KernelConfig - CONFIG_* = y/m/"value" of the running kernel, from
// <root>/boot/config-<release> or <root>/proc/config.gz.
struct KernelConfig {
	bool found = false;
	std::string source;
	std::map<std::string, std::string> values;

	bool enabled(const std::string& name) const
	{
		auto it = values.find(name);
		return it != values.end() && (it->second == "y" || it->second == "m");
	}
};
KernelConfig read_kernel_config(const fs::path& root);

// parse_hex_mask - "ff,00000001" (smp_affinity, workqueue cpumask).
CpuSet parse_hex_mask(const std::string& text);
// format_hex_mask - the inverse, as the kernel prints it.
std::string format_hex_mask(const CpuSet& cpus, unsigned nr_cpus);

// Swap - one line of /proc/swaps.
struct Swap {
	std::string path;  // as bytes: the kernel's \ooo escapes undone
	std::string type;  // "partition", "file"
	int priority = 0;  // negative: given by the kernel, not chosen
};
std::vector<Swap> parse_swaps(const std::string& text);

// bracketed - the selected choice of a sysfs choice file:
// "always [madvise] never" -> "madvise"; other text as it is.
std::string bracketed(const std::string& s);

// trimmed - a file's first line without the newline, or nullopt.
std::optional<std::string> read_line(const fs::path& path);

}  // namespace rtnoise
