// SPDX-License-Identifier: GPL-2.0
#include "model/guide.hpp"

#include <cstdlib>
#include <stdexcept>

namespace rtnoise {

const std::vector<GuideSetting> kGuideSettings{
	{"sysctl.watchdog", "proc/sys/kernel/watchdog", "kernel.watchdog", "0",
	 "the soft-lockup watchdog's timer runs on every CPU", true, false},
	{"sysctl.nmi_watchdog", "proc/sys/kernel/nmi_watchdog", "kernel.nmi_watchdog", "0",
	 "the NMI watchdog interrupts every CPU", true, false},
	{"sysctl.sched_rt_runtime_us", "proc/sys/kernel/sched_rt_runtime_us",
	 "kernel.sched_rt_runtime_us", "-1",
	 "RT throttling can stop the real-time task and arms a timer", true, false},
	{"sysctl.timer_migration", "proc/sys/kernel/timer_migration", "kernel.timer_migration", "0",
	 "the guide turns timer migration off", true, false},
	{"sysctl.stat_interval", "proc/sys/vm/stat_interval", "vm.stat_interval", "10",
	 "vmstat_update work runs that often on each CPU", true, true},
	{"trace.ftrace", "proc/sys/kernel/ftrace_enabled", "kernel.ftrace_enabled", "0",
	 "the guide turns function tracing off", true, false},
	{"mm.ksm", "sys/kernel/mm/ksm/run", "KSM", "0", "ksmd scans memory", false, false},
	{"mm.thp", "sys/kernel/mm/transparent_hugepage/enabled", "transparent huge pages", "never",
	 "khugepaged and compaction", false, false},
};

const GuideSetting& guide_setting(std::string_view id)
{
	for (const GuideSetting& s : kGuideSettings)
		if (id == s.id)
			return s;
	throw std::out_of_range("no guide setting " + std::string(id));
}

std::string guide_fix(const GuideSetting& s)
{
	if (s.sysctl)
		return std::string("sysctl -w ") + s.name + "=" + s.value;
	return std::string("echo ") + s.value + " > /" + s.path;
}

unsigned guide_kthread_priority(const std::string& comm, const CpuSet& isolated)
{
	const auto slash = comm.find('/');
	const std::string base = comm.substr(0, slash);
	const bool here =
		slash != std::string::npos &&
		isolated.count(static_cast<unsigned>(std::atoi(comm.c_str() + slash + 1)));
	if (base == "ksoftirqd" && here)
		return 2;
	if ((base == "rcuc" && here) || base == "rcub")
		return 3;
	return 0;
}

}  // namespace rtnoise
