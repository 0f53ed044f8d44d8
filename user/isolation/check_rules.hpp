// SPDX-License-Identifier: GPL-2.0
// check_rules.hpp - what the rule families of `rtnoise check` share
// (isolation/ only). Each family is a check_X.cpp; run_checks() calls them.
#pragma once

#include <string>
#include <vector>

#include "host/host.hpp"
#include "host/procfs.hpp"
#include "isolation/check.hpp"

namespace rtnoise::check_detail {

namespace fs = std::filesystem;

struct Ctx {
	fs::path root;
	CpuSet cpus;
	CpuSet hk;
	CpuSet online;
	unsigned nr_cpus = 0;
	std::string hk_mask() const { return format_hex_mask(hk, nr_cpus); }
	CpuSet possible;
	Cmdline cmd;
	KernelConfig cfg;
	// What the kernel says of its isolation, and does by itself.
	KernelIsolation kernel;
	// The CPUs the kernel isolates: isolcpus=domain ("isolated"), nohz
	// (the housekeeping file's complement where there is one, else
	// "nohz_full") and cpuset isolated partitions (cpuset.cpus.isolated).
	CpuSet kernel_isolated;
	CpuSet partitions;  // of the isolated cpuset partitions
	std::vector<Task> tasks;
	std::vector<Finding>* out;

	void add(std::string id, Verdict v, std::string what, std::string evidence,
		 std::string fix = "") const
	{
		out->push_back({std::move(id), v, std::move(what), std::move(evidence),
				v == Verdict::pass ? "" : std::move(fix)});
	}
	std::string sys(const std::string& rel) const { return read_line(root / rel).value_or(""); }
	bool has(const std::string& key) const { return cmd.count(key) > 0; }
	std::string param(const std::string& key) const
	{
		auto it = cmd.find(key);
		return it == cmd.end() ? "" : it->second;
	}
};

// L - a CPU list, or "none"
inline std::string L(const CpuSet& s)
{
	return s.empty() ? "none" : format_cpulist(s);
}

// join_some - "a, b, c and 4 more"
inline std::string join_some(const std::vector<std::string>& items, std::size_t most = 6)
{
	std::string out;
	for (std::size_t i = 0; i < items.size() && i < most; i++)
		out += (i ? ", " : "") + items[i];
	if (items.size() > most)
		out += " and " + std::to_string(items.size() - most) + " more";
	return out;
}

// The rule families, in the order they run.
void check_kernel(const Ctx& c);  // check_boot.cpp
void check_boot(const Ctx& c);
void check_topology(const Ctx& c);
void check_irqs(const Ctx& c);	   // check_irqs.cpp
void check_tasks(const Ctx& c);	   // check_tasks.cpp
void check_sysctls(const Ctx& c);  // check_system.cpp
void check_memory(const Ctx& c);
void check_cpus(const Ctx& c);

}  // namespace rtnoise::check_detail
