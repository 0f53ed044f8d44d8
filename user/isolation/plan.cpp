// SPDX-License-Identifier: GPL-2.0
// plan.cpp - what a partition changes, each change with the value it replaces.
#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string_view>

#include "host/host.hpp"
#include "host/procfs.hpp"
#include "isolation/partition.hpp"
#include "model/guide.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace rtnoise {

namespace {

using Kind = Change::Kind;

std::string line(const fs::path& p)
{
	return read_line(p).value_or("");
}

std::string sched_name(unsigned policy, unsigned prio)
{
	const char* n = policy == SCHED_FIFO ? "fifo" : policy == SCHED_RR ? "rr" : "other";
	return std::string(n) + " " +
	       std::to_string(policy == SCHED_FIFO || policy == SCHED_RR ? prio : 0);
}

void plan_cgroup(const fs::path& root, Plan& p, const std::string& cpus, const std::string& hk)
{
	const fs::path cg = root / "sys/fs/cgroup";
	std::error_code ec;
	if (fs::exists(cg / "cgroup.controllers", ec)) {
		p.cgroup = "v2";
		if (line(cg / "cgroup.controllers").find("cpuset") == std::string::npos) {
			p.notes.emplace_back("cgroup v2 has no cpuset controller: tasks are not "
					     "kept off the CPUs");
			return;
		}
		const std::string dir = std::string("sys/fs/cgroup/") + kCgroupName;
		if (line(cg / "cgroup.subtree_control").find("cpuset") == std::string::npos)
			p.changes.push_back({Kind::subtree, "sys/fs/cgroup", "off", "cpuset",
					     "enable the cpuset controller for child cgroups"});
		p.changes.push_back({Kind::mkdir, dir, "", "",
				     "create the cgroup " + std::string(kCgroupName)});
		p.changes.push_back(
			{Kind::file, dir + "/cpuset.cpus", "", cpus, "give it CPUs " + cpus});
		std::string mems = line(cg / "cpuset.mems.effective");
		p.changes.push_back({Kind::file, dir + "/cpuset.mems", "",
				     mems.empty() ? "0" : mems,
				     "and memory nodes " + (mems.empty() ? "0" : mems)});
		p.changes.push_back({Kind::file, dir + "/cpuset.cpus.partition", "member",
				     "isolated",
				     "make it an isolated partition: no other task, no "
				     "load balancing on CPUs " +
					     cpus});
		return;
	}
	const fs::path v1 = cg / "cpuset";
	if (fs::exists(v1 / "cpuset.cpus", ec)) {
		p.cgroup = "v1";
		const std::string base = "sys/fs/cgroup/cpuset";
		const std::string hkdir = base + "/rtnoise.housekeeping";
		const std::string isodir = base + "/" + kCgroupName;
		std::string mems = line(v1 / "cpuset.mems");
		p.changes.push_back(
			{Kind::mkdir, hkdir, "", "", "create cpuset rtnoise.housekeeping"});
		p.changes.push_back(
			{Kind::file, hkdir + "/cpuset.cpus", "", hk, "with CPUs " + hk});
		p.changes.push_back(
			{Kind::file, hkdir + "/cpuset.mems", "", mems, "and nodes " + mems});
		p.changes.push_back(
			{Kind::mkdir, isodir, "", "", "create cpuset " + std::string(kCgroupName)});
		p.changes.push_back(
			{Kind::file, isodir + "/cpuset.cpus", "", cpus, "with CPUs " + cpus});
		p.changes.push_back(
			{Kind::file, isodir + "/cpuset.mems", "", mems, "and nodes " + mems});
		p.changes.push_back({Kind::file, isodir + "/cpuset.sched_load_balance", "1", "0",
				     "no load balancing in it"});
		p.changes.push_back({Kind::file, base + "/cpuset.sched_load_balance",
				     line(v1 / "cpuset.sched_load_balance"), "0",
				     "no load balancing across the root cpuset"});
		// Kernel threads cannot leave the root cpuset; the unbound ones
		// are moved by affinity below.
		std::map<std::string, std::uint64_t> user;
		for (const Task& t : list_tasks(root))
			if (!t.kthread)
				user[std::to_string(t.tid)] = t.start_time;
		std::istringstream in(read_file(v1 / "tasks").value_or(""));
		for (std::string tid; std::getline(in, tid);)
			if (user.count(tid))
				p.changes.push_back({Kind::move, tid, base, hkdir,
						     "move task " + tid + " to housekeeping",
						     user[tid]});
		return;
	}
	p.cgroup = "none";
	p.notes.emplace_back("no cpuset cgroup is mounted: tasks are not kept off the CPUs");
}

// note_kernel - what the running kernel does with an isolated partition
// now, and what only a boot parameter does for cpus, on any kernel (the
// tick, RCU callbacks and managed IRQs: moving them at run time is
// proposed, not merged).
void note_kernel(const fs::path& root, Plan& p, const KernelIsolation& k, const CpuSet& possible,
		 bool partition)
{
	const std::string list = format_cpulist(p.cpus);
	const std::string release = k.release.empty() ? "" : " (" + k.release + ")";
	if (partition && k.partition_updates_domain)
		p.notes.push_back("now, on this kernel" + release +
				  ": the isolated partition updates the scheduler's "
				  "housekeeping (HK_TYPE_DOMAIN) at once, as only a boot "
				  "parameter could before 7.0: no load balancing, and unbound "
				  "workqueues, kernel threads and timer migration leave CPUs " +
				  list);
	else if (partition && k.timers_excluded)
		p.notes.push_back("now, on this kernel" + release +
				  ": the isolated partition stops load balancing on CPUs " + list +
				  " and takes them out of unbound workqueues and timer "
				  "migration; the scheduler's housekeeping (HK_TYPE_DOMAIN) "
				  "changes only at boot before 7.0");
	else if (partition)
		p.notes.push_back("now: the isolated partition stops load balancing on CPUs " +
				  list + "; this kernel" + release +
				  " does not keep them out of timer migration by itself "
				  "(6.19 does)");

	const Cmdline cmd = read_cmdline(root);
	auto param = [&cmd](const char* key) {
		auto it = cmd.find(key);
		return it == cmd.end() ? std::string() : it->second;
	};
	// A list the kernel would refuse names no CPU here: the notes must not
	// cost the partition.
	auto cpus_of = [](const std::string& text) {
		try {
			return parse_cpulist(text, true);
		} catch (const Error&) {
			return CpuSet{};
		}
	};
	const std::string isolcpus = param("isolcpus");
	const auto flags = isolcpus_flags(isolcpus);
	auto flag = [&flags](const char* f) {
		return std::find(flags.begin(), flags.end(), f) != flags.end();
	};
	CpuSet iso;
	try {
		iso = isolcpus_cpus(isolcpus);
	} catch (const Error&) {
		iso.clear();
	}
	CpuSet nohz;
	if (k.housekeeping) {
		nohz = possible - *k.housekeeping;
	} else {
		nohz = cpus_of(param("nohz_full"));
		if (flag("nohz"))
			nohz.insert(iso.begin(), iso.end());
	}
	const CpuSet managed = flag("managed_irq") ? iso : CpuSet{};
	const CpuSet domain = flags.empty() || flag("domain") ? iso : CpuSet{};
	std::vector<std::string> boot;
	if (!is_subset(p.cpus, nohz))
		boot.push_back("nohz_full=" + list +
			       " (the tick, and with it RCU callbacks: it implies rcu_nocbs=)");
	const bool need_domain = !k.partition_updates_domain && !is_subset(p.cpus, domain);
	if (!is_subset(p.cpus, managed) || need_domain)
		boot.push_back("isolcpus=managed_irq," + std::string(need_domain ? "domain," : "") +
			       list + " (managed IRQs, which no write to smp_affinity moves" +
			       (need_domain ? "; the scheduler's housekeeping" : "") + ")");
	if (boot.empty())
		return;
	std::string all;
	for (const std::string& b : boot)
		all += (all.empty() ? "" : "; ") + b;
	p.notes.push_back("still needs a boot parameter, on any kernel: " + all);
}

// keep_affinities - the CPUs of each task that had fewer than the online
// ones (kthreads kept on housekeeping CPUs by isolcpus=, tasks someone
// pinned), to be restored as they are: creating and removing a cpuset
// partition resets the CPUs of every task in the root cgroup to the
// root's, and restored last, they come back.
void keep_affinities(Plan& p, const std::vector<Task>& tasks, const CpuSet& online)
{
	for (const Task& t : tasks)
		if (!t.pinned && !t.allowed.empty() && t.allowed != online)
			p.changes.push_back(
				{Kind::affinity,
				 std::to_string(t.tid) + (t.kthread ? ":" + t.comm : ""),
				 format_cpulist(t.allowed), format_cpulist(t.allowed),
				 "keep the CPUs of " + t.comm + ":" + std::to_string(t.tid),
				 t.start_time});
}

// plan_irqs - IRQs, the default for new ones, and unbound workqueues to
// the housekeeping CPUs hk (hkmask as a hex mask).
void plan_irqs(const fs::path& root, Plan& p, const std::string& hk, const std::string& hkmask)
{
	std::error_code ec;
	std::vector<std::pair<int, fs::path>> irqs;
	for (const auto& d : fs::directory_iterator(root / "proc/irq", ec)) {
		std::string n = d.path().filename();
		if (std::isdigit(static_cast<unsigned char>(n[0])) &&
		    fs::exists(d.path() / "smp_affinity_list"))
			irqs.emplace_back(std::stoi(n), d.path());
	}
	std::sort(irqs.begin(), irqs.end());
	for (const auto& [n, dir] : irqs) {
		std::string aff = line(dir / "smp_affinity_list");
		if (intersects(parse_cpulist(aff, true), p.cpus))
			p.changes.push_back(
				{Kind::file, "proc/irq/" + std::to_string(n) + "/smp_affinity_list",
				 aff, hk, "IRQ " + std::to_string(n) + " to CPUs " + hk});
	}
	std::string def = line(root / "proc/irq/default_smp_affinity");
	if (!def.empty() && intersects(parse_hex_mask(def), p.cpus))
		p.changes.push_back({Kind::file, "proc/irq/default_smp_affinity", def, hkmask,
				     "new IRQs to CPUs " + hk});
	std::string wq = line(root / "sys/devices/virtual/workqueue/cpumask");
	if (!wq.empty() && intersects(parse_hex_mask(wq), p.cpus))
		p.changes.push_back({Kind::file, "sys/devices/virtual/workqueue/cpumask", wq,
				     hkmask, "unbound workqueues to CPUs " + hk});
}

// plan_kthreads - kernel threads: unbound ones (RCU's among them) to the
// housekeeping CPUs hk, the per-CPU ones of the isolated CPUs to the
// guide's priorities.
void plan_kthreads(Plan& p, const std::vector<Task>& tasks, const std::string& hk)
{
	for (const Task& t : tasks) {
		if (!t.kthread)
			continue;
		if (!t.pinned && t.allowed.size() > 1 && intersects(t.allowed, p.cpus))
			p.changes.push_back(
				{Kind::affinity, std::to_string(t.tid), format_cpulist(t.allowed),
				 hk, "kernel thread " + t.comm + " to CPUs " + hk, t.start_time});
		const unsigned want = guide_kthread_priority(t.comm, p.cpus);
		std::string now = sched_name(t.policy, t.rt_priority);
		std::string to = "fifo " + std::to_string(want);
		if (want && now != to)
			p.changes.push_back({Kind::sched, std::to_string(t.tid), now, to,
					     t.comm + " to SCHED_FIFO " + std::to_string(want),
					     t.start_time});
	}
}

// plan_settings - sysctls and memory management, as the guides set them;
// function tracing stays on where rtnoise's BPF side needs it, timer
// migration where the isolated partition keeps the CPUs out of it
// (timers_kept_out).
void plan_settings(const fs::path& root, Plan& p, const PlanOptions& o, bool timers_kept_out)
{
	for (const GuideSetting& k : kGuideSettings) {
		if (o.keep_ftrace && k.id == std::string_view("trace.ftrace")) {
			p.notes.push_back(std::string(k.name) +
					  " left as it is: rtnoise's "
					  "BPF side needs function tracing (its IPI origins "
					  "on kernels before 6.6)");
			continue;
		}
		// On 6.19+ the isolated partition itself keeps its CPUs out of
		// timer migration; timer_migration=0 would stop it everywhere.
		if (k.id == std::string_view("sysctl.timer_migration") && timers_kept_out) {
			p.notes.push_back(std::string(k.name) +
					  " left as it is: the isolated partition keeps CPUs " +
					  format_cpulist(p.cpus) +
					  " out of timer migration by itself");
			continue;
		}
		auto v = read_line(root / k.path);
		if (!v)
			continue;
		std::string now = bracketed(*v);
		if (now == k.value || (k.at_least && std::atol(now.c_str()) >= std::atol(k.value)))
			continue;
		p.changes.push_back({Kind::file, k.path, now, k.value,
				     k.sysctl ? std::string(k.name) + "=" + k.value
					      : std::string(k.name) + " off"});
	}
}

// plan_swaps - every swap off. The priority comes back with swapon (see
// swapon_flags()); discard flags are not in /proc/swaps and cannot be.
void plan_swaps(const fs::path& root, Plan& p)
{
	for (const Swap& s : parse_swaps(read_file(root / "proc/swaps").value_or(""))) {
		Change c{Kind::swap, s.path, "on prio=" + std::to_string(s.priority), "off",
			 "swapoff " + escape_name(s.path)};
		if (!partition_makes(c)) {
			p.notes.push_back("swap " + escape_name(s.path) +
					  " is not an absolute path: left on");
			continue;
		}
		p.changes.push_back(std::move(c));
	}
}

// drop_unnamed - nothing the state file could not name again: --restore
// refuses such a file (a host tree whose names are not what a kernel
// makes).
void drop_unnamed(Plan& p)
{
	std::erase_if(p.changes, [&p](const Change& c) {
		if (partition_makes(c))
			return false;
		p.notes.push_back(std::string("not changed, a name no partition writes: ") +
				  change_kind_name(c.kind) + " " + escape_name(c.target));
		return true;
	});
}

}  // namespace

bool is_isolated_partition(const Change& c)
{
	return c.kind == Kind::file && c.target.ends_with("/cpuset.cpus.partition") &&
	       c.after == "isolated";
}

// plan_partition - what isolating cpus changes, step by step in the order
// the changes are made.
Plan plan_partition(const fs::path& root, const CpuSet& cpus, const PlanOptions& o)
{
	Plan p;
	p.cpus = cpus;
	CpuSet online = cpu_list_file(root, "online");
	for (unsigned cpu : cpus)
		if (!online.count(cpu))
			throw usage_error("CPU " + std::to_string(cpu) +
					  " is not online: it cannot be isolated");
	p.housekeeping = online - cpus;
	if (p.housekeeping.empty())
		throw usage_error("isolating CPUs " + format_cpulist(cpus) +
				  " leaves no housekeeping CPU");
	CpuSet possible = cpu_list_file(root, "possible");
	const unsigned nr = possible.empty() ? 1 : *possible.rbegin() + 1;
	const std::string hk = format_cpulist(p.housekeeping);

	// The tasks' CPUs first, before the partition resets them.
	const std::vector<Task> tasks = list_tasks(root);
	keep_affinities(p, tasks, online);
	plan_cgroup(root, p, format_cpulist(cpus), hk);
	const bool partition =
		std::any_of(p.changes.begin(), p.changes.end(), is_isolated_partition);
	const KernelIsolation kernel = read_kernel_isolation(root);
	note_kernel(root, p, kernel, possible, partition);
	plan_irqs(root, p, hk, format_hex_mask(p.housekeeping, nr));
	plan_kthreads(p, tasks, hk);
	plan_settings(root, p, o, partition && kernel.timers_excluded);
	plan_swaps(root, p);
	drop_unnamed(p);
	return p;
}

}  // namespace rtnoise
