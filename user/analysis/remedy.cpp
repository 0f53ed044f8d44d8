// SPDX-License-Identifier: GPL-2.0
// remedy.cpp - what the guides do about each source of noise.
#include "analysis/remedy.hpp"

#include "model/guide.hpp"

namespace rtnoise {

std::string remedy(const std::string& kind, const std::string& name, unsigned cpu)
{
	const std::string c = std::to_string(cpu);
	auto has = [&](const char* s) { return name.find(s) != std::string::npos; };

	if (kind == "irq") {
		std::string irq = name.substr(0, name.find(':'));
		return "move IRQ " + irq + " off CPU " + c +
		       ": echo <housekeeping CPUs> > /proc/irq/" + irq +
		       "/smp_affinity_list (and irqaffinity= at boot)";
	}
	if (kind == "workqueue" && has("vmstat_update"))
		return guide_fix(guide_setting("sysctl.stat_interval")) +
		       " as the guide sets it (vmstat work runs less often)";
	if (kind == "workqueue" || (kind == "thread" && has("kworker/")))
		return "keep unbound work off CPU " + c +
		       ": /sys/devices/virtual/workqueue/cpumask = housekeeping CPUs";
	if (kind == "timer")
		return "sysctl kernel.timer_migration (the guides set it for "
		       "isolated CPUs) and isolcpus=nohz,domain,managed_irq";
	if (kind == "hrtimer" && has("tick_sched_timer"))
		return "the scheduler tick: nohz_full=" + c +
		       " and a single runnable task on the CPU";
	if (kind == "hrtimer" && has("sched_rt_period_timer"))
		return "RT throttling's timer: " +
		       guide_fix(guide_setting("sysctl.sched_rt_runtime_us")) +
		       " as the guide sets it";
	if (kind == "hrtimer" && has("watchdog"))
		return guide_fix(guide_setting("sysctl.watchdog")) + " (or nowatchdog at boot)";
	if (kind == "local_timer")
		return "timer interrupts: nohz_full=" + c + ", fewer timers on CPU " + c;
	if (kind == "softirq" && name == "RCU")
		return "rcu_nocbs=" + c + " and rcu_nocb_poll at boot";
	if (kind == "softirq" && name == "TIMER")
		return "timer softirq: nohz_full=" + c + ", kernel.timer_migration";
	if (kind == "ipi" && name == "reschedule")
		return "other CPUs wake tasks on CPU " + c +
		       ": keep everything but the workload off it";
	if (kind == "ipi" && name == "irq_work")
		return "irq_work on CPU " + c +
		       " (perf, RT push/pull, printk): no perf or console output there";
	if (kind == "ipi")
		return "other CPUs call functions on CPU " + c +
		       " (TLB shootdowns, smp_call_function): keep processes "
		       "that share memory with the workload off it";
	if (kind == "thread" && (has("ksoftirqd/") || has("rcuc/")))
		return "give it the guide's SCHED_FIFO priority (chrt -f -p " +
		       std::to_string(guide_kthread_priority(name.substr(0, name.rfind(':')),
							     CpuSet{cpu})) +
		       " <pid>), or rcu_nocbs=" + c;
	if (kind == "thread")
		return "move it off CPU " + c +
		       ": taskset -pc <housekeeping CPUs> <pid>, or a cpuset partition";
	if (kind == "nmi" && has("perf"))
		return "perf events or the NMI watchdog: " +
		       guide_fix(guide_setting("sysctl.nmi_watchdog"));
	return "";
}

std::string tick_remedy(const std::string& reason)
{
	if (reason == "SCHED")
		return "more than one runnable task: move the others away";
	if (reason == "POSIX_TIMER")
		return "a process here uses a POSIX CPU-time timer";
	if (reason == "PERF_EVENTS")
		return "perf events need the tick: stop perf/the NMI watchdog";
	if (reason == "CLOCK_UNSTABLE")
		return "unstable clocksource: tsc=reliable if the TSC is";
	if (reason == "RCU" || reason == "RCU_EXP")
		return "RCU needs this CPU: rcu_nocbs= at boot";
	return "";
}

}  // namespace rtnoise
