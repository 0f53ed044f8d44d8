// SPDX-License-Identifier: GPL-2.0
// check.cpp - `rtnoise check`: the context, then every rule family.
#include "isolation/check.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "host/host.hpp"
#include "isolation/check_rules.hpp"
#include "util/error.hpp"

namespace rtnoise {

using namespace check_detail;

const char* verdict_name(Verdict v)
{
	switch (v) {
	case Verdict::fail:
		return "FAIL";
	case Verdict::warn:
		return "WARN";
	default:
		return "PASS";
	}
}

bool CheckResult::failed() const
{
	return std::any_of(findings.begin(), findings.end(),
			   [](const Finding& f) { return f.verdict == Verdict::fail; });
}

CheckResult run_checks(const fs::path& root, std::optional<CpuSet> cpus)
{
	CheckResult r;
	Ctx c;
	c.root = root;
	c.out = &r.findings;
	// Without these two nothing else can be judged: a wrong --root, or
	// no /proc and /sys, must not read as a clean host.
	for (const char* must : {"proc/cmdline", "sys/devices/system/cpu/online"})
		if (::access((root / must).c_str(), R_OK) != 0)
			throw system_error(
				"cannot read " + (root / must).string() + ": " +
				std::strerror(errno) +
				(root == "/" ? "" : " (is --root a captured host tree?)"));
	c.online = cpu_list_file(root, "online");
	c.possible = cpu_list_file(root, "possible");
	c.cmd = read_cmdline(root);
	c.cfg = read_kernel_config(root);
	c.kernel = read_kernel_isolation(root);
	// The kernel's own word on 6.19+ (the housekeeping file), else what
	// it shows of nohz_full=, rather than the command line it may have
	// refused in part.
	c.kernel_isolated = cpu_list_file(root, "isolated");
	const CpuSet nohz = c.kernel.housekeeping ? c.possible - *c.kernel.housekeeping
						  : cpu_list_file(root, "nohz_full");
	c.partitions = parse_cpulist(
		read_line(root / "sys/fs/cgroup/cpuset.cpus.isolated").value_or(""), true);
	for (const CpuSet& s : {nohz, c.partitions})
		c.kernel_isolated.insert(s.begin(), s.end());
	if (cpus) {
		c.cpus = *cpus;
	} else {
		c.cpus = c.kernel_isolated;
		if (c.cpus.empty())
			throw usage_error("this host isolates no CPU (no isolcpus=, no "
					  "nohz_full=): name the CPUs with --cpus");
	}
	c.hk = c.online - c.cpus;
	check_cpus_exist(root, c.cpus);
	c.nr_cpus = c.possible.empty() ? 1 : *c.possible.rbegin() + 1;
	c.tasks = list_tasks(root);
	r.cpus = c.cpus;
	r.housekeeping = c.hk;

	check_kernel(c);
	check_boot(c);
	check_topology(c);
	check_irqs(c);
	check_tasks(c);
	check_sysctls(c);
	check_memory(c);
	check_cpus(c);
	return r;
}

}  // namespace rtnoise
