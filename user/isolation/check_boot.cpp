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

// absent - the evidence of a parameter the command line does not have.
std::string absent(const char* what)
{
	return std::string("/proc/cmdline has no ") + what;
}

// Isolcpus - what isolcpus= asks for: its CPUs and the flags that matter
// here (without flags it is isolcpus=domain).
struct Isolcpus {
	std::vector<std::string> flags;
	CpuSet cpus;
	bool managed = false;
	bool domain = false;
};

// read_isolcpus - isolcpus= as the command line gives it.
Isolcpus read_isolcpus(const Ctx& c)
{
	Isolcpus i;
	i.flags = isolcpus_flags(c.param("isolcpus"));
	i.managed = has_flag(i.flags, "managed_irq");
	i.domain = i.flags.empty() || has_flag(i.flags, "domain");
	if (c.has("isolcpus"))
		i.cpus = isolcpus_cpus(c.param("isolcpus"));
	return i;
}

// isolcpus_rule - isolcpus= covers the CPUs, managed IRQs too, or a cpuset
// partition stands in for it.
void isolcpus_rule(const Ctx& c, const Isolcpus& iso)
{
	const std::string want = L(c.cpus);
	if (c.has("isolcpus")) {
		if (!is_subset(c.cpus, iso.cpus))
			c.add("boot.isolcpus", Verdict::fail,
			      "isolcpus= does not cover CPUs " + L(c.cpus - iso.cpus),
			      "isolcpus=" + c.param("isolcpus"),
			      "boot with isolcpus=managed_irq,domain," + want);
		else
			c.add("boot.isolcpus", iso.managed ? Verdict::pass : Verdict::warn,
			      iso.managed ? "isolcpus= covers the CPUs, managed IRQs too"
					  : "isolcpus= without managed_irq: managed IRQs "
					    "still land on the isolated CPUs",
			      "isolcpus=" + c.param("isolcpus"),
			      "boot with isolcpus=managed_irq,domain," + want);
	} else if (c.kernel.partition_updates_domain && is_subset(c.cpus, c.partitions)) {
		// 7.0+: the isolated partition is the scheduler's housekeeping
		// (HK_TYPE_DOMAIN) at run time; managed IRQs stay boot-time.
		c.add("boot.isolcpus", Verdict::warn,
		      "no isolcpus=: the isolated cpuset partition keeps the scheduler "
		      "off the CPUs (7.0+), but managed IRQs still land on them",
		      absent("isolcpus=") + ", cpuset.cpus.isolated = " + L(c.partitions),
		      "boot with isolcpus=managed_irq," + want);
	} else {
		c.add("boot.isolcpus", Verdict::warn,
		      "no isolcpus=: the scheduler may balance tasks onto the CPUs "
		      "unless a cpuset partition keeps them off",
		      absent("isolcpus="),
		      "rtnoise partition --isolate " + want +
			      " (run time), or boot with isolcpus=managed_irq,domain," + want);
	}
}

// nohz_full_rule - nohz_full= covers the CPUs and leaves the boot CPU
// out; returns its CPUs.
CpuSet nohz_full_rule(const Ctx& c)
{
	const std::string want = L(c.cpus);
	if (!c.has("nohz_full")) {
		c.add("boot.nohz_full", Verdict::fail,
		      "no nohz_full=: the scheduler tick interrupts the CPUs", absent("nohz_full="),
		      "boot with nohz_full=" + want);
		return {};
	}
	CpuSet nohz = parse_cpulist(c.param("nohz_full"), true);
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
	return nohz;
}

// rcu_nocbs_rule - RCU callbacks are offloaded from the CPUs, by
// rcu_nocbs= or by nohz_full=; returns the CPUs of rcu_nocbs=.
CpuSet rcu_nocbs_rule(const Ctx& c)
{
	const std::string want = L(c.cpus);
	if (c.has("rcu_nocbs")) {
		CpuSet nocb = parse_cpulist(c.param("rcu_nocbs"), true);
		bool ok = is_subset(c.cpus, nocb);
		c.add("boot.rcu_nocbs", ok ? Verdict::pass : Verdict::fail,
		      ok ? "rcu_nocbs= covers the CPUs"
			 : "rcu_nocbs= does not cover CPUs " + L(c.cpus - nocb),
		      "rcu_nocbs=" + c.param("rcu_nocbs"), "boot with rcu_nocbs=" + want);
		return nocb;
	}
	// rcu_init_nohz() adds the nohz_full CPUs to the offloaded ones
	// on a kernel built with CONFIG_RCU_NOCB_CPU (NO_HZ_FULL selects
	// it): guide 004 is right that rcu_nocbs= is then not needed,
	// guide 000's "must also be listed" is older advice.
	const bool covered = is_subset(c.cpus, cmdline_nohz(c));
	const bool nocb_kernel = !c.cfg.found || c.cfg.enabled("RCU_NOCB_CPU");
	c.add("boot.rcu_nocbs", covered && nocb_kernel ? Verdict::pass : Verdict::warn,
	      !covered	    ? "no rcu_nocbs=: RCU callbacks run on the CPUs"
	      : nocb_kernel ? "no rcu_nocbs=, implied by nohz_full= for these CPUs"
			    : "no rcu_nocbs=: nohz_full= offloads RCU callbacks only on a "
			      "kernel built with CONFIG_RCU_NOCB_CPU, and this one is not",
	      absent("rcu_nocbs=") + (c.cfg.found ? ", " + c.cfg.source : ""),
	      nocb_kernel ? "boot with rcu_nocbs=" + want
			  : "a kernel built with CONFIG_RCU_NOCB_CPU=y (nohz_full= then "
			    "offloads the same CPUs)");
	return {};
}

// consistent_rule - rcu_nocbs= and nohz_full=, where both are given,
// name the same CPUs.
void consistent_rule(const Ctx& c, const CpuSet& nohz, const CpuSet& nocb)
{
	const bool differ = !nocb.empty() && !nohz.empty() && nocb != nohz;
	c.add("boot.consistent", differ ? Verdict::warn : Verdict::pass,
	      differ ? "rcu_nocbs " + L(nocb) + " vs nohz_full " + L(nohz) +
			       ": RCU callbacks and the tick leave different CPUs"
		     : "rcu_nocbs= and nohz_full= agree",
	      "nohz_full=" + c.param("nohz_full") + " rcu_nocbs=" + c.param("rcu_nocbs"),
	      "give nohz_full= and rcu_nocbs= the same list, " + L(c.cpus));
}

// isolcpus_nohz_full_rule - isolcpus= against nohz_full=: of the same
// housekeeping type (isolcpus=nohz) the kernel takes the second list only
// when it is the first ("Housekeeping: nohz_full= must match isolcpus=");
// of different types it takes both, and the CPUs in one list only get
// half of the isolation.
void isolcpus_nohz_full_rule(const Ctx& c, const Isolcpus& iso)
{
	if (!c.has("isolcpus") || !c.has("nohz_full"))
		return;
	const CpuSet nf = parse_cpulist(c.param("nohz_full"), true);
	const CpuSet dom = iso.domain ? iso.cpus : CpuSet{};
	std::vector<std::string> half;
	if (!(dom - nf).empty())
		half.push_back("CPUs " + L(dom - nf) + " keep the tick (isolcpus= only)");
	if (!(nf - dom).empty() && iso.domain)
		half.push_back("CPUs " + L(nf - dom) +
			       " stop the tick but the scheduler balances tasks onto "
			       "them (nohz_full= only)");
	const bool ignored = has_flag(iso.flags, "nohz") && iso.cpus != nf;
	c.add("boot.isolcpus_nohz_full",
	      ignored	     ? Verdict::fail
	      : half.empty() ? Verdict::pass
			     : Verdict::warn,
	      ignored ? "isolcpus=nohz names CPUs " + L(iso.cpus) + ", nohz_full= CPUs " + L(nf) +
				": the kernel ignores whichever comes second"
	      : half.empty() ? "isolcpus= and nohz_full= name the same CPUs"
			     : "isolcpus= and nohz_full= disagree: " + join_some(half),
	      "isolcpus=" + c.param("isolcpus") + " nohz_full=" + c.param("nohz_full"),
	      "give isolcpus= and nohz_full= the same list, " + L(c.cpus));
}

// housekeeping_left_rule - a CPU must stay out of both nohz_full= and
// isolcpus=domain: the kernel takes the boot CPU back from a nohz_full= of
// every CPU ("Housekeeping: must include one present CPU"), and since 6.19
// ignores the second of two parameters that cover every CPU between them
// (housekeeping_setup(); before, the housekeeping fell on CPUs isolated
// from the scheduler). all is every CPU of the machine.
void housekeeping_left_rule(const Ctx& c, const Isolcpus& iso, const CpuSet& all)
{
	const CpuSet nohz_asked = cmdline_nohz(c);
	const CpuSet dom_asked = iso.domain ? iso.cpus : CpuSet{};
	if (nohz_asked.empty() && dom_asked.empty())
		return;
	const CpuSet left = all - nohz_asked - dom_asked;
	const bool every = !all.empty() && is_subset(all, nohz_asked);
	c.add("boot.housekeeping_left",
	      every	     ? Verdict::warn
	      : left.empty() ? Verdict::fail
			     : Verdict::pass,
	      every	      ? "nohz_full= names every CPU: the kernel takes the boot CPU back "
				"for timekeeping and housekeeping"
	      : !left.empty() ? "CPUs " + L(left) +
					" are in neither nohz_full= nor isolcpus=domain: they keep "
					"the housekeeping"
	      : c.kernel.housekeeping
		      ? "nohz_full= and isolcpus=domain name every CPU between them: "
			"the kernel ignores the second of them"
		      : "nohz_full= and isolcpus=domain name every CPU between them: "
			"the housekeeping falls on CPUs isolated from the scheduler",
	      "nohz_full=" + c.param("nohz_full") + " isolcpus=" + c.param("isolcpus") + ", CPUs " +
		      L(all),
	      "leave one CPU (of each NUMA node) out of both nohz_full= and isolcpus=");
}

// irqaffinity_rule - irqaffinity= keeps new IRQs on the housekeeping CPUs
// and, whatever CPUs are audited, off the CPUs isolcpus=managed_irq keeps
// free of managed ones: one keeps managed IRQs off CPUs the other sends
// the unmanaged ones to (seapath/ansible#865). all is every CPU of the
// machine.
void irqaffinity_rule(const Ctx& c, const Isolcpus& iso, const CpuSet& all)
{
	const std::string hk = L(c.hk);
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
	if (!iso.managed || !c.has("irqaffinity"))
		return;
	const CpuSet bad = parse_cpulist(c.param("irqaffinity"), true) & iso.cpus;
	c.add("boot.irqaffinity_managed", bad.empty() ? Verdict::pass : Verdict::fail,
	      bad.empty() ? "irqaffinity= leaves the isolcpus=managed_irq CPUs alone"
			  : "irqaffinity= sends unmanaged IRQs to CPUs " + L(bad) +
				    ", which isolcpus=managed_irq keeps free of managed ones",
	      "irqaffinity=" + c.param("irqaffinity") + " isolcpus=" + c.param("isolcpus"),
	      "boot with irqaffinity=" + L(all - iso.cpus));
}

// hardware_rules - the parameters for the hardware: deep C-states,
// intel_pstate, the TSC watchdog, machine-check polling and huge pages.
void hardware_rules(const Ctx& c)
{
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

// check_boot - the boot parameters, rule by rule in the order they are
// reported.
void check_boot(const Ctx& c)
{
	const Isolcpus iso = read_isolcpus(c);
	isolcpus_rule(c, iso);
	const CpuSet nohz = nohz_full_rule(c);
	const CpuSet nocb = rcu_nocbs_rule(c);
	consistent_rule(c, nohz, nocb);
	isolcpus_nohz_full_rule(c, iso);
	const CpuSet all = c.possible.empty() ? c.online : c.possible;
	housekeeping_left_rule(c, iso, all);
	irqaffinity_rule(c, iso, all);
	hardware_rules(c);
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
