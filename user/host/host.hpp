// SPDX-License-Identifier: GPL-2.0
// host.hpp - small readers of /proc and /sys. Each takes the root of the
// tree it reads, so tests run them against fixture trees.
//
// host/ owns reading the machine: /proc, /sys, kallsyms (ksyms.hpp),
// tasks and kernel parameters (procfs.hpp). It includes util/ only.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "util/cpulist.hpp"

namespace rtnoise {

namespace fs = std::filesystem;

// read_file - a whole file, or nullopt if it cannot be read.
std::optional<std::string> read_file(const fs::path& path);

// cpu_list_file - a CPU list under <root>/sys/devices/system/cpu, such as
// "possible", "online", "isolated" or "nohz_full". Missing file: empty set.
CpuSet cpu_list_file(const fs::path& root, const std::string& name);

// has_cap_sys_admin - CAP_SYS_ADMIN in CapEff of <root>/proc/self/status.
bool has_cap_sys_admin(const fs::path& root);

// check_cpus_exist - every CPU is a possible CPU of the host under root
// (no "possible" file: nothing is checked); throws a usage Error naming
// the first that is not.
void check_cpus_exist(const fs::path& root, const CpuSet& cpus);

// check_watchable - every CPU exists and is online; throws an Error that
// says which is not and what to do.
void check_watchable(const fs::path& root, const CpuSet& cpus);

// numa_nodes - node number -> its CPUs, from <root>/sys/devices/system/node.
std::map<unsigned, CpuSet> numa_nodes(const fs::path& root);

// KernelIsolation - what the running kernel does about isolation by
// itself, read from what it shows at run time wherever it shows it.
struct KernelIsolation {
	// /sys/devices/system/cpu/housekeeping (6.19+): the CPUs that keep the
	// housekeeping nohz_full= or isolcpus=nohz move off the others
	// (HK_TYPE_KERNEL_NOISE: unbound timers and work, RCU callbacks, the
	// residual tick); an empty file means no such isolation, so every
	// possible CPU. nullopt: the kernel has no such file (before 6.19), and
	// the housekeeping CPUs can only be inferred from the command line.
	std::optional<CpuSet> housekeeping;
	// The same kernels (6.19, "timers: Exclude isolated cpus from timer
	// migration") keep isolcpus=domain CPUs and cpuset isolated partitions
	// out of the timer migration hierarchy (nohz_full CPUs already count as
	// idle in it): kernel.timer_migration=0 is no longer needed for them.
	// No file says so; the housekeeping file, of the same release, stands
	// for it.
	bool timers_excluded = false;
	// 7.0+: a cpuset partition of type isolated updates the scheduler's
	// housekeeping (HK_TYPE_DOMAIN, housekeeping_update()) at once, and
	// with it unbound workqueues, kthread affinities and timer migration.
	// Nothing under /sys shows it: the release (7 or later) does, on a
	// kernel that also has the housekeeping file.
	bool partition_updates_domain = false;
	std::string release;  // proc/sys/kernel/osrelease
};
KernelIsolation read_kernel_isolation(const fs::path& root);

// kernel_release / kernel_version - uname -r and uname -v.
std::string kernel_release();
std::string kernel_version();

}  // namespace rtnoise
