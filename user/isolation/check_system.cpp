// SPDX-License-Identifier: GPL-2.0
// check_system.cpp - sysctls, memory management and CPU settings.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "host/host.hpp"
#include "isolation/check_rules.hpp"
#include "model/guide.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace rtnoise::check_detail {

void check_sysctls(const Ctx& c)
{
	for (const char* id : {"sysctl.watchdog", "sysctl.nmi_watchdog",
			       "sysctl.sched_rt_runtime_us", "sysctl.timer_migration"}) {
		const GuideSetting& w = guide_setting(id);
		auto v = read_line(c.root / w.path);
		if (!v)
			continue;
		bool ok = *v == w.value;
		// 6.19 keeps isolcpus=domain CPUs and isolated partitions out of
		// the timer migration hierarchy, and nohz_full CPUs count as
		// idle in it: the guide's kernel.timer_migration=0 (which stops
		// migration on every CPU) is not needed for CPUs it isolates.
		if (!ok && w.id == std::string_view("sysctl.timer_migration") &&
		    c.kernel.timers_excluded && is_subset(c.cpus, c.kernel_isolated)) {
			c.add(w.id, Verdict::pass,
			      std::string(w.name) + " = " + *v + ": the kernel keeps CPUs " +
				      L(c.cpus) +
				      " from pulling other CPUs' timers itself (timer migration "
				      "leaves isolated CPUs out since 6.19)",
			      std::string("/") + w.path + ", /sys/devices/system/cpu/housekeeping");
			continue;
		}
		c.add(w.id, ok ? Verdict::pass : Verdict::warn,
		      std::string(w.name) + " = " + *v + (ok ? "" : std::string(": ") + w.why),
		      std::string("/") + w.path, guide_fix(w));
	}
	const GuideSetting& stat = guide_setting("sysctl.stat_interval");
	if (auto v = read_line(c.root / stat.path)) {
		bool ok = std::atoi(v->c_str()) >= std::atoi(stat.value);
		c.add(stat.id, ok ? Verdict::pass : Verdict::warn,
		      std::string(stat.name) + " = " + *v +
			      (ok ? "" : ": vmstat_update work every " + *v + " s on each CPU"),
		      std::string("/") + stat.path, guide_fix(stat));
	}
	if (auto v = read_line(c.root / "proc/sys/kernel/ftrace_enabled")) {
		std::string tracer = c.sys("sys/kernel/tracing/current_tracer");
		bool active = !tracer.empty() && tracer != "nop";
		const std::string evidence = "/proc/sys/kernel/ftrace_enabled, current_tracer " +
					     (tracer.empty() ? "?" : tracer);
		// rtnoise's own fentry programs (IPI senders before 6.6) run
		// only with function tracing on: while they are attached the
		// guide's ftrace_enabled=0 waits for detach.
		if (fs::exists(c.root / "sys/fs/bpf/rtnoise")) {
			bool ok = *v != "0" && !active;
			c.add("trace.ftrace", ok ? Verdict::pass : Verdict::warn,
			      ok ? "kernel.ftrace_enabled = " + *v +
					      ", kept on while rtnoise's BPF side is attached"
			      : active ? "the " + tracer + " tracer is active"
				       : "kernel.ftrace_enabled = 0 silences rtnoise's BPF "
					 "programs on the IPI senders",
			      evidence,
			      active ? "echo nop > /sys/kernel/tracing/current_tracer"
				     : "sysctl -w kernel.ftrace_enabled=1 while rtnoise is "
				       "attached (the guide's 0 after 'rtnoise detach')");
		} else {
			bool ok = *v == "0" && !active;
			c.add("trace.ftrace", ok ? Verdict::pass : Verdict::warn,
			      active ? "the " + tracer + " tracer is active"
				     : "kernel.ftrace_enabled = " + *v,
			      evidence,
			      "echo nop > /sys/kernel/tracing/current_tracer; " +
				      guide_fix(guide_setting("trace.ftrace")));
		}
	}
}

void check_memory(const Ctx& c)
{
	std::string ksm = c.sys("sys/kernel/mm/ksm/run");
	c.add("mm.ksm", ksm == "1" ? Verdict::warn : Verdict::pass,
	      ksm == "1" ? "KSM is merging pages (ksmd scans memory)" : "KSM is off",
	      "/sys/kernel/mm/ksm/run = " + (ksm.empty() ? "absent" : ksm),
	      "echo 2 > /sys/kernel/mm/ksm/run (unmerge), then echo 0");
	std::vector<std::string> on;
	for (const Swap& s : parse_swaps(read_file(c.root / "proc/swaps").value_or("")))
		on.push_back(escape_name(s.path));
	c.add("mm.swap", on.empty() ? Verdict::pass : Verdict::warn,
	      on.empty() ? "no swap" : "swap is on: " + join_some(on), "/proc/swaps", "swapoff -a");
	std::string thp = c.sys("sys/kernel/mm/transparent_hugepage/enabled");
	bool always = thp.find("[always]") != std::string::npos;
	c.add("mm.thp", always ? Verdict::warn : Verdict::pass,
	      always ? "transparent huge pages always on (khugepaged, compaction)"
		     : "transparent huge pages not always on",
	      "/sys/kernel/mm/transparent_hugepage/enabled = " + thp,
	      "echo never > /sys/kernel/mm/transparent_hugepage/enabled");
}

void check_cpus(const Ctx& c)
{
	std::string wq = c.sys("sys/devices/virtual/workqueue/cpumask");
	if (!wq.empty()) {
		CpuSet mask = parse_hex_mask(wq);
		bool ok = (mask & c.cpus).empty();
		c.add("wq.cpumask", ok ? Verdict::pass : Verdict::fail,
		      ok ? "unbound workqueues stay on housekeeping CPUs"
			 : "unbound workqueues may run on CPUs " + L(mask & c.cpus),
		      "/sys/devices/virtual/workqueue/cpumask = " + wq,
		      "echo " + c.hk_mask() + " > /sys/devices/virtual/workqueue/cpumask");
	}

	std::vector<std::string> gov, deep;
	bool freq = false;
	for (unsigned cpu : c.cpus) {
		std::string base = "sys/devices/system/cpu/cpu" + std::to_string(cpu);
		std::string g = c.sys(base + "/cpufreq/scaling_governor");
		if (!g.empty()) {
			freq = true;
			if (g != "performance")
				gov.push_back(std::to_string(cpu) + ":" + g);
		}
		for (int s = 1; s < 16; s++) {
			std::string st = base + "/cpuidle/state" + std::to_string(s);
			std::string lat = c.sys(st + "/latency");
			if (lat.empty())
				break;
			if (c.sys(st + "/disable") == "0" && std::atoi(lat.c_str()) > 2)
				deep.push_back(std::to_string(cpu) + ":" +
					       escape_name(c.sys(st + "/name")) + " (" +
					       std::string(lat) + " us)");
		}
	}
	c.add("cpu.governor", gov.empty() ? Verdict::pass : Verdict::warn,
	      !freq	    ? "no cpufreq on the isolated CPUs"
	      : gov.empty() ? "performance governor"
			    : "frequency scales on " + join_some(gov),
	      "cpufreq/scaling_governor",
	      "echo performance > /sys/devices/system/cpu/cpuN/cpufreq/scaling_governor");
	c.add("cpu.idle", deep.empty() ? Verdict::pass : Verdict::warn,
	      deep.empty() ? "no deep idle state enabled"
			   : "deep idle states enabled: " + join_some(deep),
	      "cpuidle/stateN/{latency,disable}",
	      "echo 1 > /sys/devices/system/cpu/cpuN/cpuidle/stateK/disable, or "
	      "processor.max_cstate=1 intel_idle.max_cstate=0");

	std::string cs = c.sys("sys/devices/system/clocksource/clocksource0/current_clocksource");
	Verdict v = cs == "tsc"			      ? Verdict::pass
		    : cs == "kvm-clock" || cs.empty() ? Verdict::warn
						      : Verdict::fail;
	c.add("clock.source", v,
	      cs == "tsc"	  ? "the TSC is the clocksource"
	      : cs == "kvm-clock" ? "kvm-clock inside a guest: the guide turns it off"
				  : "clocksource " + (cs.empty() ? std::string("unknown") : cs) +
					    ": slow to read",
	      "current_clocksource = " + cs + ", available: " +
		      c.sys("sys/devices/system/clocksource/clocksource0/available_clocksource"),
	      cs == "kvm-clock" ? "<timer name='kvmclock' present='no'/> in the guest's libvirt XML"
				: "boot with tsc=reliable clocksource=tsc");
}

}  // namespace rtnoise::check_detail
