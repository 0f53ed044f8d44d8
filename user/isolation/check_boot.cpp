// SPDX-License-Identifier: GPL-2.0
// check_boot.cpp - the kernel, its boot parameters and the CPU topology.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "host/host.hpp"
#include "isolation/check_rules.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace rtnoise::check_detail {

namespace {

bool has_flag(const std::vector<std::string>& flags, const char* flag)
{
	return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

// cmdline_nohz - the CPUs nohz_full= or isolcpus=nohz name: the kernel
// gives both the same housekeeping type (HK_TYPE_KERNEL_NOISE).
CpuSet cmdline_nohz(const Ctx& c)
{
	CpuSet nohz = parse_cpulist(c.param("nohz_full"), true);
	if (has_flag(isolcpus_flags(c.param("isolcpus")), "nohz"))
		for (unsigned cpu : isolcpus_cpus(c.param("isolcpus")))
			nohz.insert(cpu);
	return nohz;
}

// housekeeping_rule - the kernel's own housekeeping CPUs (6.19+), which
// the audited CPUs must be out of whatever the command line says.
void housekeeping_rule(const Ctx& c)
{
	if (!c.kernel.housekeeping)
		return;
	const CpuSet kept = *c.kernel.housekeeping & c.cpus;
	const std::string raw = c.sys("sys/devices/system/cpu/housekeeping");
	const std::string fix =
		is_subset(kept, cmdline_nohz(c))
			? "the kernel did not apply nohz_full= to CPUs " + L(kept) +
				  ": read its 'Housekeeping:' lines in dmesg (nohz_full= must "
				  "match isolcpus=nohz, and one CPU must stay out of both "
				  "nohz_full= and isolcpus=domain)"
			: "boot with nohz_full=" + L(c.cpus);
	c.add("kernel.housekeeping", kept.empty() ? Verdict::pass : Verdict::fail,
	      kept.empty() ? "the kernel's housekeeping CPUs are " + L(*c.kernel.housekeeping) +
				     ", none of the audited ones"
			   : "the kernel still does housekeeping (unbound timers and work, "
			     "RCU callbacks, the residual tick) on CPUs " +
				     L(kept),
	      "/sys/devices/system/cpu/housekeeping = " + (raw.empty() ? "(empty)" : raw), fix);
}

}  // namespace

void check_kernel(const Ctx& c)
{
	std::string version = c.sys("proc/sys/kernel/version");
	bool rt = c.sys("sys/kernel/realtime") == "1" ||
		  version.find("PREEMPT_RT") != std::string::npos;
	c.add("kernel.preempt_rt", rt ? Verdict::pass : Verdict::warn,
	      rt ? "PREEMPT_RT kernel" : "not a PREEMPT_RT kernel",
	      "kernel " + c.sys("proc/sys/kernel/osrelease") + " " + version,
	      "boot a PREEMPT_RT kernel (Debian: apt install linux-image-rt-amd64)");

	housekeeping_rule(c);

	const KernelConfig& cfg = c.cfg;
	if (!cfg.found) {
		c.add("kernel.config", Verdict::warn, "kernel configuration not found",
		      "no /boot/config-<release>, no /proc/config.gz",
		      "install the kernel's config file or enable CONFIG_IKCONFIG_PROC");
		return;
	}
	for (const char* opt : {"NO_HZ_FULL", "CPU_ISOLATION", "RCU_NOCB_CPU"}) {
		bool on = cfg.enabled(opt);
		c.add(std::string("kernel.config.") + opt, on ? Verdict::pass : Verdict::fail,
		      std::string("CONFIG_") + opt + (on ? " is set" : " is not set"), cfg.source,
		      std::string("a kernel built with CONFIG_") + opt + "=y");
	}
}

void check_boot(const Ctx& c)
{
	const std::string want = L(c.cpus);
	const std::string hk = L(c.hk);
	auto absent = [](const char* what) { return std::string("/proc/cmdline has no ") + what; };

	CpuSet iso, nohz, nocb;
	if (c.has("isolcpus")) {
		iso = isolcpus_cpus(c.param("isolcpus"));
		auto flags = isolcpus_flags(c.param("isolcpus"));
		bool managed = std::find(flags.begin(), flags.end(), "managed_irq") != flags.end();
		if (!is_subset(c.cpus, iso))
			c.add("boot.isolcpus", Verdict::fail,
			      "isolcpus= does not cover CPUs " + L(c.cpus - iso),
			      "isolcpus=" + c.param("isolcpus"),
			      "boot with isolcpus=managed_irq,domain," + want);
		else
			c.add("boot.isolcpus", managed ? Verdict::pass : Verdict::warn,
			      managed ? "isolcpus= covers the CPUs, managed IRQs too"
				      : "isolcpus= without managed_irq: managed IRQs "
					"still land on the isolated CPUs",
			      "isolcpus=" + c.param("isolcpus"),
			      "boot with isolcpus=managed_irq,domain," + want);
	} else {
		c.add("boot.isolcpus", Verdict::warn,
		      "no isolcpus=: the scheduler may balance tasks onto the CPUs "
		      "unless a cpuset partition keeps them off",
		      absent("isolcpus="),
		      "rtnoise partition --isolate " + want +
			      " (run time), or boot with isolcpus=managed_irq,domain," + want);
	}

	if (c.has("nohz_full")) {
		nohz = parse_cpulist(c.param("nohz_full"), true);
		bool ok = is_subset(c.cpus, nohz);
		c.add("boot.nohz_full", ok ? Verdict::pass : Verdict::fail,
		      ok ? "nohz_full= covers the CPUs"
			 : "nohz_full= does not cover CPUs " + L(c.cpus - nohz),
		      "nohz_full=" + c.param("nohz_full"), "boot with nohz_full=" + want);
		if (nohz.count(0))
			c.add("boot.boot_cpu", Verdict::warn,
			      "the boot CPU 0 is in nohz_full=: the kernel keeps it for "
			      "timekeeping",
			      "nohz_full=" + c.param("nohz_full"), "leave CPU 0 out of nohz_full=");
	} else {
		c.add("boot.nohz_full", Verdict::fail,
		      "no nohz_full=: the scheduler tick interrupts the CPUs", absent("nohz_full="),
		      "boot with nohz_full=" + want);
	}

	if (c.has("rcu_nocbs")) {
		nocb = parse_cpulist(c.param("rcu_nocbs"), true);
		bool ok = is_subset(c.cpus, nocb);
		c.add("boot.rcu_nocbs", ok ? Verdict::pass : Verdict::fail,
		      ok ? "rcu_nocbs= covers the CPUs"
			 : "rcu_nocbs= does not cover CPUs " + L(c.cpus - nocb),
		      "rcu_nocbs=" + c.param("rcu_nocbs"), "boot with rcu_nocbs=" + want);
	} else {
		c.add("boot.rcu_nocbs", is_subset(c.cpus, nohz) ? Verdict::pass : Verdict::warn,
		      is_subset(c.cpus, nohz)
			      ? "no rcu_nocbs=, implied by nohz_full= for these CPUs"
			      : "no rcu_nocbs=: RCU callbacks run on the CPUs",
		      absent("rcu_nocbs="), "boot with rcu_nocbs=" + want);
	}

	std::vector<std::string> differ;
	if (!iso.empty() && !nohz.empty() && iso != nohz)
		differ.push_back("isolcpus " + L(iso) + " vs nohz_full " + L(nohz));
	if (!nocb.empty() && !nohz.empty() && nocb != nohz)
		differ.push_back("rcu_nocbs " + L(nocb) + " vs nohz_full " + L(nohz));
	c.add("boot.consistent", differ.empty() ? Verdict::pass : Verdict::warn,
	      differ.empty() ? "isolation parameters agree"
			     : "isolation parameters disagree: " + join_some(differ),
	      "isolcpus=" + c.param("isolcpus") + " nohz_full=" + c.param("nohz_full") +
		      " rcu_nocbs=" + c.param("rcu_nocbs"),
	      "give isolcpus=, nohz_full= and rcu_nocbs= the same list, " + want);

	if (c.has("irqaffinity")) {
		CpuSet aff = parse_cpulist(c.param("irqaffinity"), true);
		bool ok = (aff & c.cpus).empty();
		c.add("boot.irqaffinity", ok ? Verdict::pass : Verdict::fail,
		      ok ? "irqaffinity= keeps new IRQs on housekeeping CPUs"
			 : "irqaffinity= includes isolated CPUs " + L(aff & c.cpus),
		      "irqaffinity=" + c.param("irqaffinity"), "boot with irqaffinity=" + hk);
	} else {
		c.add("boot.irqaffinity", Verdict::warn, "no irqaffinity=: IRQs start on every CPU",
		      absent("irqaffinity="), "boot with irqaffinity=" + hk);
	}

	bool idle = c.param("idle") == "poll" || c.param("processor.max_cstate") == "1" ||
		    c.param("processor.max_cstate") == "0";
	c.add("boot.cstates", idle ? Verdict::pass : Verdict::warn,
	      idle ? "deep C-states disabled at boot"
		   : "deep C-states allowed: waking from them adds latency",
	      absent("idle=poll or processor.max_cstate=1"),
	      "boot with processor.max_cstate=1 intel_idle.max_cstate=0 (or idle=poll)");
	bool pstate = c.param("intel_pstate") == "disable";
	bool intel =
		c.sys("sys/devices/system/cpu/cpufreq/policy0/scaling_driver") == "intel_pstate";
	c.add("boot.intel_pstate", !intel || pstate ? Verdict::pass : Verdict::warn,
	      !intel || pstate ? "intel_pstate not driving frequency"
			       : "intel_pstate scales the frequency",
	      "scaling_driver intel_pstate, " + absent("intel_pstate=disable"),
	      "boot with intel_pstate=disable");
	bool tsc = c.param("tsc") == "reliable";
	c.add("boot.tsc", tsc ? Verdict::pass : Verdict::warn,
	      tsc ? "tsc=reliable" : "no tsc=reliable: the TSC watchdog runs",
	      absent("tsc=reliable"), "boot with tsc=reliable (if the TSC is invariant)");
	bool mce = c.param("mce") == "off";
	c.add("boot.mce", mce ? Verdict::pass : Verdict::warn,
	      mce ? "mce=off" : "machine-check polling runs on every CPU", absent("mce=off"),
	      "boot with mce=off as the guide does (it hides hardware errors)");
	long hp = std::atol(c.sys("proc/sys/vm/nr_hugepages").c_str());
	bool huge = c.has("hugepages") || c.has("default_hugepagesz") || hp > 0;
	c.add("boot.hugepages", huge ? Verdict::pass : Verdict::warn,
	      huge ? "huge pages reserved" : "no huge pages reserved",
	      "nr_hugepages=" + std::to_string(hp),
	      "boot with default_hugepagesz=1G hugepagesz=1G hugepages=<N>");
}

void check_topology(const Ctx& c)
{
	std::vector<std::string> bare;
	for (const auto& [node, cpus] : numa_nodes(c.root))
		if (intersects(cpus, c.cpus) && !intersects(cpus, c.hk))
			bare.push_back("node" + std::to_string(node) + " (CPUs " + L(cpus) + ")");
	c.add("topology.housekeeping", bare.empty() ? Verdict::pass : Verdict::warn,
	      bare.empty() ? "every NUMA node with isolated CPUs keeps a housekeeping CPU"
			   : "no housekeeping CPU on " + join_some(bare),
	      "housekeeping CPUs " + L(c.hk),
	      "leave one CPU of each NUMA node out of the isolated set");

	std::vector<std::string> shared;
	for (unsigned cpu : c.cpus) {
		CpuSet sib =
			parse_cpulist(c.sys("sys/devices/system/cpu/cpu" + std::to_string(cpu) +
					    "/topology/thread_siblings_list"),
				      true);
		CpuSet other = sib - c.cpus;
		if (!other.empty())
			shared.push_back("CPU " + std::to_string(cpu) + " with " + L(other));
	}
	c.add("cpu.smt", shared.empty() ? Verdict::pass : Verdict::warn,
	      shared.empty() ? "no isolated CPU shares a core with a housekeeping one"
			     : "hyper-threads shared with housekeeping CPUs: " + join_some(shared),
	      "thread_siblings_list",
	      "isolate whole cores (add the siblings), or disable SMT (nosmt)");
}

}  // namespace rtnoise::check_detail
