// SPDX-License-Identifier: GPL-2.0
// check_tasks.cpp - threads that may run on the isolated CPUs, and kthread priorities.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "host/host.hpp"
#include "isolation/check_rules.hpp"
#include "model/guide.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace rtnoise::check_detail {

std::string task_label(const Task& t)
{
	return t.comm + ":" + std::to_string(t.tid);
}

void check_tasks(const Ctx& c)
{
	std::vector<std::string> users, running, kthreads, rcu;
	for (const Task& t : c.tasks) {
		bool can = !(t.allowed & c.cpus).empty();
		bool only = is_subset(t.allowed, c.cpus);
		if (!t.kthread) {
			if (t.processor >= 0 && c.cpus.count(static_cast<unsigned>(t.processor)))
				running.push_back(task_label(t) + "@" +
						  std::to_string(t.processor));
			if (can && !only)
				users.push_back(task_label(t));
			continue;
		}
		if (t.pinned || !can || t.allowed.size() == 1)
			continue;  // per-CPU kthreads stay where they are
		if (t.comm.rfind("rcu", 0) == 0)
			rcu.push_back(task_label(t));
		else
			kthreads.push_back(task_label(t));
	}
	c.add("tasks.user", users.empty() ? Verdict::pass : Verdict::warn,
	      users.empty()
		      ? "no user thread may float onto the isolated CPUs"
		      : std::to_string(users.size()) +
				" user threads may run on the isolated CPUs: " + join_some(users),
	      running.empty() ? "none running there now"
			      : "running there now (ps -eo psr,cmd): " + join_some(running),
	      "rtnoise partition --isolate " + L(c.cpus) +
		      " (a cpuset partition), or taskset -pc " + L(c.hk) + " <pid>");
	c.add("tasks.kthreads", kthreads.empty() ? Verdict::pass : Verdict::fail,
	      kthreads.empty()
		      ? "no unbound kernel thread may run on the isolated CPUs"
		      : std::to_string(kthreads.size()) +
				" unbound kernel threads may run there: " + join_some(kthreads),
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
		const unsigned want = guide_kthread_priority(t.comm, c.cpus);
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

}  // namespace rtnoise::check_detail
