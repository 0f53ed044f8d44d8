// SPDX-License-Identifier: GPL-2.0
// check.cpp - the rules of `rtnoise check`, one function per area.
#include "check.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

#include "error.hpp"
#include "host.hpp"
#include "procfs.hpp"
#include "utf8.hpp"

namespace rtnoise {

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

namespace {

struct Ctx {
	fs::path root;
	CpuSet cpus;
	CpuSet hk;
	CpuSet online;
	unsigned nr_cpus = 0;
	std::string hk_mask() const { return format_hex_mask(hk, nr_cpus); }
	Cmdline cmd;
	std::vector<Task> tasks;
	std::vector<Finding>* out;

	void add(std::string id, Verdict v, std::string what, std::string evidence,
		 std::string fix = "") const
	{
		out->push_back({std::move(id), v, std::move(what), std::move(evidence),
				v == Verdict::pass ? "" : std::move(fix)});
	}
	std::string sys(const std::string& rel) const
	{
		return read_line(root / rel).value_or("");
	}
	bool has(const std::string& key) const { return cmd.count(key) > 0; }
	std::string param(const std::string& key) const
	{
		auto it = cmd.find(key);
		return it == cmd.end() ? "" : it->second;
	}
};

CpuSet operator&(const CpuSet& a, const CpuSet& b)
{
	CpuSet r;
	std::set_intersection(a.begin(), a.end(), b.begin(), b.end(),
			      std::inserter(r, r.begin()));
	return r;
}

CpuSet operator-(const CpuSet& a, const CpuSet& b)
{
	CpuSet r;
	std::set_difference(a.begin(), a.end(), b.begin(), b.end(),
			    std::inserter(r, r.begin()));
	return r;
}

bool subset(const CpuSet& a, const CpuSet& b)
{
	return std::includes(b.begin(), b.end(), a.begin(), a.end());
}

std::string L(const CpuSet& s)
{
	return s.empty() ? "none" : format_cpulist(s);
}

// join_some - "a, b, c and 4 more"
std::string join_some(const std::vector<std::string>& items, std::size_t most = 6)
{
	std::string out;
	for (std::size_t i = 0; i < items.size() && i < most; i++)
		out += (i ? ", " : "") + items[i];
	if (items.size() > most)
		out += " and " + std::to_string(items.size() - most) + " more";
	return out;
}

void check_kernel(const Ctx& c)
{
	std::string version = c.sys("proc/sys/kernel/version");
	bool rt = c.sys("sys/kernel/realtime") == "1" ||
		  version.find("PREEMPT_RT") != std::string::npos;
	c.add("kernel.preempt_rt", rt ? Verdict::pass : Verdict::warn,
	      rt ? "PREEMPT_RT kernel" : "not a PREEMPT_RT kernel",
	      "kernel " + c.sys("proc/sys/kernel/osrelease") + " " + version,
	      "boot a PREEMPT_RT kernel (Debian: apt install linux-image-rt-amd64)");

	KernelConfig cfg = read_kernel_config(c.root);
	if (!cfg.found) {
		c.add("kernel.config", Verdict::warn, "kernel configuration not found",
		      "no /boot/config-<release>, no /proc/config.gz",
		      "install the kernel's config file or enable CONFIG_IKCONFIG_PROC");
		return;
	}
	for (const char* opt : {"NO_HZ_FULL", "CPU_ISOLATION", "RCU_NOCB_CPU"}) {
		bool on = cfg.enabled(opt);
		c.add(std::string("kernel.config.") + opt, on ? Verdict::pass : Verdict::fail,
		      std::string("CONFIG_") + opt + (on ? " is set" : " is not set"),
		      cfg.source, std::string("a kernel built with CONFIG_") + opt + "=y");
	}
}

void check_boot(const Ctx& c)
{
	const std::string want = L(c.cpus);
	const std::string hk = L(c.hk);
	auto absent = [](const char* what) {
		return std::string("/proc/cmdline has no ") + what;
	};

	CpuSet iso, nohz, nocb;
	if (c.has("isolcpus")) {
		iso = isolcpus_cpus(c.param("isolcpus"));
		auto flags = isolcpus_flags(c.param("isolcpus"));
		bool managed = std::find(flags.begin(), flags.end(), "managed_irq") != flags.end();
		if (!subset(c.cpus, iso))
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
		bool ok = subset(c.cpus, nohz);
		c.add("boot.nohz_full", ok ? Verdict::pass : Verdict::fail,
		      ok ? "nohz_full= covers the CPUs"
			 : "nohz_full= does not cover CPUs " + L(c.cpus - nohz),
		      "nohz_full=" + c.param("nohz_full"), "boot with nohz_full=" + want);
		if (nohz.count(0))
			c.add("boot.boot_cpu", Verdict::warn,
			      "the boot CPU 0 is in nohz_full=: the kernel keeps it for "
			      "timekeeping",
			      "nohz_full=" + c.param("nohz_full"),
			      "leave CPU 0 out of nohz_full=");
	} else {
		c.add("boot.nohz_full", Verdict::fail,
		      "no nohz_full=: the scheduler tick interrupts the CPUs",
		      absent("nohz_full="),
		      "boot with nohz_full=" + want);
	}

	if (c.has("rcu_nocbs")) {
		nocb = parse_cpulist(c.param("rcu_nocbs"), true);
		bool ok = subset(c.cpus, nocb);
		c.add("boot.rcu_nocbs", ok ? Verdict::pass : Verdict::fail,
		      ok ? "rcu_nocbs= covers the CPUs"
			 : "rcu_nocbs= does not cover CPUs " + L(c.cpus - nocb),
		      "rcu_nocbs=" + c.param("rcu_nocbs"), "boot with rcu_nocbs=" + want);
	} else {
		c.add("boot.rcu_nocbs", subset(c.cpus, nohz) ? Verdict::pass : Verdict::warn,
		      subset(c.cpus, nohz)
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
		c.add("boot.irqaffinity", Verdict::warn,
		      "no irqaffinity=: IRQs start on every CPU", absent("irqaffinity="),
		      "boot with irqaffinity=" + hk);
	}

	bool idle = c.param("idle") == "poll" || c.param("processor.max_cstate") == "1" ||
		    c.param("processor.max_cstate") == "0";
	c.add("boot.cstates", idle ? Verdict::pass : Verdict::warn,
	      idle ? "deep C-states disabled at boot"
		   : "deep C-states allowed: waking from them adds latency",
	      absent("idle=poll or processor.max_cstate=1"),
	      "boot with processor.max_cstate=1 intel_idle.max_cstate=0 (or idle=poll)");
	bool pstate = c.param("intel_pstate") == "disable";
	bool intel = c.sys("sys/devices/system/cpu/cpufreq/policy0/scaling_driver") ==
		     "intel_pstate";
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
	std::error_code ec;
	for (const auto& node : fs::directory_iterator(c.root / "sys/devices/system/node", ec)) {
		std::string name = node.path().filename();
		if (name.rfind("node", 0) != 0 || name.size() < 5 || !std::isdigit(name[4]))
			continue;
		CpuSet cpus = parse_cpulist(read_line(node.path() / "cpulist").value_or(""), true);
		if (!(cpus & c.cpus).empty() && (cpus & c.hk).empty())
			bare.push_back(name + " (CPUs " + L(cpus) + ")");
	}
	c.add("topology.housekeeping", bare.empty() ? Verdict::pass : Verdict::warn,
	      bare.empty() ? "every NUMA node with isolated CPUs keeps a housekeeping CPU"
			   : "no housekeeping CPU on " + join_some(bare),
	      "housekeeping CPUs " + L(c.hk),
	      "leave one CPU of each NUMA node out of the isolated set");

	std::vector<std::string> shared;
	for (unsigned cpu : c.cpus) {
		CpuSet sib = parse_cpulist(
			c.sys("sys/devices/system/cpu/cpu" + std::to_string(cpu) +
			      "/topology/thread_siblings_list"),
			true);
		CpuSet other = sib - c.cpus;
		if (!other.empty())
			shared.push_back("CPU " + std::to_string(cpu) + " with " + L(other));
	}
	c.add("cpu.smt", shared.empty() ? Verdict::pass : Verdict::warn,
	      shared.empty() ? "no isolated CPU shares a core with a housekeeping one"
			     : "hyper-threads shared with housekeeping CPUs: " +
				       join_some(shared),
	      "thread_siblings_list",
	      "isolate whole cores (add the siblings), or disable SMT (nosmt)");
}

void check_irqs(const Ctx& c)
{
	std::vector<std::string> on, pending;
	std::error_code ec;
	for (const auto& d : fs::directory_iterator(c.root / "proc/irq", ec)) {
		std::string n = d.path().filename();
		if (!std::isdigit(static_cast<unsigned char>(n[0])))
			continue;
		auto aff = read_line(d.path() / "smp_affinity_list");
		if (!aff)
			continue;
		CpuSet set = parse_cpulist(*aff, true);
		CpuSet eff = parse_cpulist(
			read_line(d.path() / "effective_affinity_list").value_or(*aff), true);
		std::string name;
		for (const auto& f : fs::directory_iterator(d.path(), ec))
			if (f.is_directory())
				name = escape_name(f.path().filename().string());
		std::string label = n + (name.empty() ? "" : " (" + name + ")");
		if (!(set & c.cpus).empty())
			on.push_back(label);
		else if (!(eff & c.cpus).empty())
			pending.push_back(label);
	}
	std::sort(on.begin(), on.end(), [](const std::string& a, const std::string& b) {
		return std::stoi(a) < std::stoi(b);
	});
	c.add("irq.affinity", on.empty() ? Verdict::pass : Verdict::fail,
	      on.empty() ? "no IRQ may fire on the isolated CPUs"
			 : std::to_string(on.size()) + " IRQs may fire on CPUs " +
				   L(c.cpus) + ": " + join_some(on),
	      "/proc/irq/*/smp_affinity_list",
	      "for i in /proc/irq/[0-9]*; do echo " + L(c.hk) +
		      " > $i/smp_affinity_list; done (or rtnoise partition --isolate " +
		      L(c.cpus) + ")");
	c.add("irq.effective", pending.empty() ? Verdict::pass : Verdict::fail,
	      pending.empty() ? "effective IRQ affinities agree"
			      : "affinity set but not yet effective for " + join_some(pending),
	      "/proc/irq/*/effective_affinity_list",
	      "the move happens at the next interrupt; managed IRQs need "
	      "isolcpus=managed_irq");

	CpuSet def = parse_hex_mask(c.sys("proc/irq/default_smp_affinity"));
	bool ok = (def & c.cpus).empty();
	c.add("irq.default_affinity", ok ? Verdict::pass : Verdict::fail,
	      ok ? "new IRQs default to housekeeping CPUs"
		 : "new IRQs default to CPUs " + L(def) + ", isolated ones included",
	      "/proc/irq/default_smp_affinity = " + c.sys("proc/irq/default_smp_affinity"),
	      "echo " + c.hk_mask() + " > /proc/irq/default_smp_affinity (or irqaffinity=" +
		      L(c.hk) + ")");

	bool running = std::any_of(c.tasks.begin(), c.tasks.end(),
				   [](const Task& t) { return t.comm == "irqbalance"; });
	if (!running) {
		c.add("irq.irqbalance", Verdict::pass, "irqbalance is not running", "no irqbalance task");
		return;
	}
	std::string cfg;
	for (const char* p : {"etc/default/irqbalance", "etc/sysconfig/irqbalance"})
		if (auto t = read_file(c.root / p))
			cfg += *t;
	CpuSet banned;
	std::istringstream in(cfg);
	for (std::string l; std::getline(in, l);) {
		auto eq = l.find('=');
		if (eq == std::string::npos || l[0] == '#')
			continue;
		std::string key = l.substr(0, eq), v = l.substr(eq + 1);
		v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
		try {
			if (key == "IRQBALANCE_BANNED_CPULIST")
				banned = parse_cpulist(v, true);
			else if (key == "IRQBALANCE_BANNED_CPUS")
				banned = parse_hex_mask(v);
		} catch (const Error&) {
		}
	}
	bool bans = subset(c.cpus, banned);
	c.add("irq.irqbalance", bans ? Verdict::pass : Verdict::fail,
	      bans ? "irqbalance runs and leaves the isolated CPUs alone"
		   : "irqbalance runs and may move IRQs onto CPUs " + L(c.cpus - banned),
	      "banned CPUs " + L(banned),
	      "IRQBALANCE_BANNED_CPULIST=" + L(c.cpus) +
		      " in /etc/default/irqbalance, or systemctl disable --now irqbalance");
}

std::string task_label(const Task& t)
{
	return t.comm + ":" + std::to_string(t.tid);
}

void check_tasks(const Ctx& c)
{
	std::vector<std::string> users, running, kthreads, rcu;
	for (const Task& t : c.tasks) {
		bool can = !(t.allowed & c.cpus).empty();
		bool only = subset(t.allowed, c.cpus);
		if (!t.kthread) {
			if (t.processor >= 0 && c.cpus.count(static_cast<unsigned>(t.processor)))
				running.push_back(task_label(t) + "@" + std::to_string(t.processor));
			if (can && !only)
				users.push_back(task_label(t));
			continue;
		}
		if (t.pinned || !can || t.allowed.size() == 1)
			continue;	// per-CPU kthreads stay where they are
		if (t.comm.rfind("rcu", 0) == 0)
			rcu.push_back(task_label(t));
		else
			kthreads.push_back(task_label(t));
	}
	c.add("tasks.user", users.empty() ? Verdict::pass : Verdict::warn,
	      users.empty() ? "no user thread may float onto the isolated CPUs"
			    : std::to_string(users.size()) +
				      " user threads may run on the isolated CPUs: " +
				      join_some(users),
	      running.empty() ? "none running there now"
			      : "running there now (ps -eo psr,cmd): " + join_some(running),
	      "rtnoise partition --isolate " + L(c.cpus) +
		      " (a cpuset partition), or taskset -pc " + L(c.hk) + " <pid>");
	c.add("tasks.kthreads", kthreads.empty() ? Verdict::pass : Verdict::fail,
	      kthreads.empty() ? "no unbound kernel thread may run on the isolated CPUs"
			       : std::to_string(kthreads.size()) +
					 " unbound kernel threads may run there: " +
					 join_some(kthreads),
	      "Cpus_allowed_list of kernel threads",
	      "taskset -pc " + L(c.hk) + " <pid> for each (isolcpus=domain does it at boot)");
	c.add("tasks.rcu", rcu.empty() ? Verdict::pass : Verdict::warn,
	      rcu.empty() ? "RCU kthreads kept on housekeeping CPUs"
			  : "RCU kthreads may run on the isolated CPUs: " + join_some(rcu),
	      "Cpus_allowed_list of rcu* threads",
	      "for i in $(pgrep rcu); do taskset -pc " + L(c.hk) + " $i; done");

	// The guide's priorities: ksoftirqd FIFO 2, rcuc and rcub FIFO 3.
	std::vector<std::string> wrong;
	for (const Task& t : c.tasks) {
		if (!t.kthread)
			continue;
		unsigned want = 0;
		auto slash = t.comm.find('/');
		std::string base = t.comm.substr(0, slash);
		bool percpu = slash != std::string::npos;
		unsigned n = percpu ? static_cast<unsigned>(std::atoi(t.comm.c_str() + slash + 1)) : 0;
		if (base == "ksoftirqd" && percpu && c.cpus.count(n))
			want = 2;
		else if (base == "rcuc" && percpu && c.cpus.count(n))
			want = 3;
		else if (base == "rcub")
			want = 3;
		if (want && (t.policy != 1 || t.rt_priority != want))
			wrong.push_back(task_label(t) + " (" +
					(t.policy == 1 ? "FIFO " + std::to_string(t.rt_priority)
						       : "policy " + std::to_string(t.policy)) +
					", want FIFO " + std::to_string(want) + ")");
	}
	c.add("tasks.priorities", wrong.empty() ? Verdict::pass : Verdict::warn,
	      wrong.empty() ? "ksoftirqd/rcuc/rcub priorities as the guide sets them"
			    : "priorities differ from the guide's: " + join_some(wrong),
	      "/proc/<pid>/stat policy and rt_priority",
	      "chrt -fp 2 <ksoftirqd pid>; chrt -fp 3 <rcuc/rcub pid> (or rtnoise "
	      "partition --isolate)");
}

void check_sysctls(const Ctx& c)
{
	struct Want {
		const char* id;
		const char* path;
		const char* name;
		const char* good;
		const char* why;
	};
	static const Want wants[] = {
		{"sysctl.watchdog", "proc/sys/kernel/watchdog", "kernel.watchdog", "0",
		 "the soft-lockup watchdog's timer runs on every CPU"},
		{"sysctl.nmi_watchdog", "proc/sys/kernel/nmi_watchdog", "kernel.nmi_watchdog",
		 "0", "the NMI watchdog interrupts every CPU"},
		{"sysctl.sched_rt_runtime_us", "proc/sys/kernel/sched_rt_runtime_us",
		 "kernel.sched_rt_runtime_us", "-1",
		 "RT throttling can stop the real-time task and arms a timer"},
		{"sysctl.timer_migration", "proc/sys/kernel/timer_migration",
		 "kernel.timer_migration", "0", "the guide turns timer migration off"},
	};
	for (const Want& w : wants) {
		auto v = read_line(c.root / w.path);
		if (!v)
			continue;
		bool ok = *v == w.good;
		c.add(w.id, ok ? Verdict::pass : Verdict::warn,
		      std::string(w.name) + " = " + *v + (ok ? "" : std::string(": ") + w.why),
		      std::string("/") + w.path, std::string("sysctl -w ") + w.name + "=" + w.good);
	}
	if (auto v = read_line(c.root / "proc/sys/vm/stat_interval")) {
		bool ok = std::atoi(v->c_str()) >= 10;
		c.add("sysctl.stat_interval", ok ? Verdict::pass : Verdict::warn,
		      "vm.stat_interval = " + *v +
			      (ok ? "" : ": vmstat_update work every " + *v + " s on each CPU"),
		      "/proc/sys/vm/stat_interval", "sysctl -w vm.stat_interval=10");
	}
	if (auto v = read_line(c.root / "proc/sys/kernel/ftrace_enabled")) {
		std::string tracer = c.sys("sys/kernel/tracing/current_tracer");
		bool active = !tracer.empty() && tracer != "nop";
		bool ok = *v == "0" && !active;
		c.add("trace.ftrace", ok ? Verdict::pass : Verdict::warn,
		      active ? "the " + tracer + " tracer is active"
			     : "kernel.ftrace_enabled = " + *v,
		      "/proc/sys/kernel/ftrace_enabled, current_tracer " +
			      (tracer.empty() ? "?" : tracer),
		      "echo nop > /sys/kernel/tracing/current_tracer; sysctl -w "
		      "kernel.ftrace_enabled=0");
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
	      on.empty() ? "no swap" : "swap is on: " + join_some(on), "/proc/swaps",
	      "swapoff -a");
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
					       escape_name(c.sys(st + "/name")) + " (" + lat +
					       " us)");
		}
	}
	c.add("cpu.governor", gov.empty() ? Verdict::pass : Verdict::warn,
	      !freq ? "no cpufreq on the isolated CPUs"
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
	Verdict v = cs == "tsc" ? Verdict::pass
		    : cs == "kvm-clock" || cs.empty() ? Verdict::warn
						      : Verdict::fail;
	c.add("clock.source", v,
	      cs == "tsc" ? "the TSC is the clocksource"
	      : cs == "kvm-clock"
		      ? "kvm-clock inside a guest: the guide turns it off"
		      : "clocksource " + (cs.empty() ? std::string("unknown") : cs) +
				": slow to read",
	      "current_clocksource = " + cs + ", available: " +
		      c.sys("sys/devices/system/clocksource/clocksource0/available_clocksource"),
	      cs == "kvm-clock"
		      ? "<timer name='kvmclock' present='no'/> in the guest's libvirt XML"
		      : "boot with tsc=reliable clocksource=tsc");
}

}  // namespace

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
			throw system_error("cannot read " + (root / must).string() +
					   ": " + std::strerror(errno) +
					   (root == "/" ? "" : " (is --root a captured host tree?)"));
	c.online = cpu_list_file(root, "online");
	c.cmd = read_cmdline(root);
	if (cpus) {
		c.cpus = *cpus;
	} else {
		c.cpus = cpu_list_file(root, "isolated");
		for (unsigned cpu : cpu_list_file(root, "nohz_full"))
			c.cpus.insert(cpu);
		if (c.cpus.empty())
			throw usage_error("this host isolates no CPU (no isolcpus=, no "
					  "nohz_full=): name the CPUs with --cpus");
	}
	c.hk = c.online - c.cpus;
	CpuSet possible = cpu_list_file(root, "possible");
	for (unsigned cpu : c.cpus)
		if (!possible.empty() && !possible.count(cpu))
			throw usage_error("CPU " + std::to_string(cpu) +
					  " does not exist (this host has CPUs " +
					  format_cpulist(possible) + ")");
	c.nr_cpus = possible.empty() ? 1 : *possible.rbegin() + 1;
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

std::string render_check_text(const CheckResult& r)
{
	std::string out = "rtnoise check: CPUs " + L(r.cpus) + ", housekeeping " +
			  L(r.housekeeping) + "\n";
	int n[3] = {0, 0, 0};
	for (const Finding& f : r.findings) {
		n[static_cast<int>(f.verdict)]++;
		char head[96];
		std::snprintf(head, sizeof(head), "%-4s  %-28s ", verdict_name(f.verdict),
			      f.id.c_str());
		out += head + f.what + "\n";
		if (f.verdict == Verdict::pass)
			continue;
		out += "      read: " + f.evidence + "\n";
		if (!f.fix.empty())
			out += "      fix:  " + f.fix + "\n";
	}
	out += std::to_string(n[0]) + " passed, " + std::to_string(n[1]) + " warnings, " +
	       std::to_string(n[2]) + " failed\n";
	return out;
}

std::string render_check_json(const CheckResult& r)
{
	nlohmann::json findings = nlohmann::json::array();
	int n[3] = {0, 0, 0};
	for (const Finding& f : r.findings) {
		n[static_cast<int>(f.verdict)]++;
		std::string v = verdict_name(f.verdict);
		std::transform(v.begin(), v.end(), v.begin(), ::tolower);
		findings.push_back({{"id", f.id},
				    {"verdict", v},
				    {"what", f.what},
				    {"evidence", f.evidence},
				    {"fix", f.fix}});
	}
	nlohmann::json j = {{"cpus", format_cpulist(r.cpus)},
			    {"housekeeping", format_cpulist(r.housekeeping)},
			    {"findings", findings},
			    {"summary", {{"pass", n[0]}, {"warn", n[1]}, {"fail", n[2]}}}};
	// Names are escaped where they are read; whatever else slips
	// through (a boot parameter) must not cost the whole report.
	return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace rtnoise
