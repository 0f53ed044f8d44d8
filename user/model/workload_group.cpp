// SPDX-License-Identifier: GPL-2.0
#include "model/workload_group.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace rtnoise {
namespace {

void add_wakeup(LatencyStats& sum, const LatencyStats& l)
{
	if (l.count)
		sum.min_ns = sum.count ? std::min(sum.min_ns, l.min_ns) : l.min_ns;
	sum.count += l.count;
	sum.max_ns = std::max(sum.max_ns, l.max_ns);
	sum.sum_ns += l.sum_ns;
	sum.overflows += l.overflows;
	sum.spikes += l.spikes;
	sum.spikes_lost += l.spikes_lost;
	sum.missed += l.missed;
	if (sum.hist.size() < l.hist.size())
		sum.hist.resize(l.hist.size());
	for (std::size_t i = 0; i < l.hist.size(); i++)
		sum.hist[i] += l.hist[i];
}

void add_taken(WorkloadTaken& sum, const WorkloadTaken& t)
{
	sum.preemptions += t.preemptions;
	sum.preempted_ns += t.preempted_ns;
	sum.interrupts += t.interrupts;
	sum.interrupted_ns += t.interrupted_ns;
	sum.max_ns = std::max(sum.max_ns, t.max_ns);
}

void add_self(WorkloadSelf& sum, const WorkloadSelf& s)
{
	sum.run_ns += s.run_ns;
	sum.faults_user += s.faults_user;
	sum.faults_kernel += s.faults_kernel;
	sum.syscalls += s.syscalls;
	sum.syscall_ns += s.syscall_ns;
	sum.migrations += s.migrations;
	sum.voluntary += s.voluntary;
	sum.involuntary += s.involuntary;
}

}  // namespace

std::vector<WorkloadGroup> workload_groups(const std::vector<WorkloadThread>& threads)
{
	std::map<std::pair<std::string, int>, WorkloadGroup> groups;
	for (const WorkloadThread& t : threads) {
		WorkloadGroup& g = groups[{t.comm, t.cpu}];
		g.comm = t.comm;
		g.cpu = t.cpu;
		g.threads++;
		add_wakeup(g.wakeup, t.wakeup);
		g.timer_wakeups += t.timer_wakeups;
		add_taken(g.taken, t.taken);
		add_self(g.self, t.self);
	}
	std::vector<WorkloadGroup> out;
	out.reserve(groups.size());
	for (auto& [key, g] : groups)
		out.push_back(std::move(g));
	return out;
}

}  // namespace rtnoise
