// SPDX-License-Identifier: GPL-2.0
// fuzz_plan - `rtnoise partition` planning (plan_partition, which only
// reads) on a captured host tree whose files the input rewrites
// (fuzz_tree.hpp): tasks, IRQs, cgroups, sysctls, swaps.
//
// Properties, isolating CPUs 2-3:
//  - plan_partition() returns or throws a usage Error, nothing else;
//  - the plan isolates 2-3, its housekeeping CPUs are the others online,
//    and its cgroup is v2, v1 or none;
//  - every file, cgroup directory and controller change is a path under
//    the root: relative, without "..", never empty;
//  - every task change names its task by a decimal ID first, with the
//    start time that task had;
//  - every swap change is a swap that /proc/swaps lists;
//  - the plan, written to the state file and read back, is the same plan
//    (names of any bytes included): --restore gets what --isolate saw.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz.hpp"
#include "fuzz_tree.hpp"
#include "host/procfs.hpp"
#include "isolation/partition.hpp"
#include "state_eq.hpp"

using namespace rtnoise;

namespace {

bool under_root(const std::string& rel)
{
	if (rel.empty() || rel[0] == '/')
		return false;
	std::size_t at = 0;
	while (at <= rel.size()) {
		std::size_t slash = rel.find('/', at);
		if (slash == std::string::npos)
			slash = rel.size();
		const std::string part = rel.substr(at, slash - at);
		if (part.empty() || part == "..")
			return false;
		at = slash + 1;
	}
	return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	static fuzz::Tree tree;
	const std::string input(reinterpret_cast<const char*>(data), size);
	const CpuSet cpus{2, 3};
	tree.rewrite(input);
	Plan p;
	const bool ok = fuzz::only_errors("plan_partition", {Exit::usage}, input,
					  [&] { p = plan_partition(tree.root(), cpus); });
	CpuSet online;
	std::vector<Swap> swaps;
	if (ok) {
		online = cpu_list_file(tree.root(), "online");
		swaps = parse_swaps(read_file(tree.root() / "proc/swaps").value_or(""));
	}
	const std::vector<Task> tasks = ok ? list_tasks(tree.root()) : std::vector<Task>{};
	tree.reset();
	if (!ok)
		return 0;

	FUZZ_CHECK(p.cpus == cpus, "the plan isolates " + fuzz::shown(p.cpus));
	FUZZ_CHECK(p.housekeeping == online - cpus && !p.housekeeping.empty(),
		   "housekeeping " + fuzz::shown(p.housekeeping) + " with online " +
			   fuzz::shown(online));
	FUZZ_CHECK(p.cgroup == "v2" || p.cgroup == "v1" || p.cgroup == "none",
		   "cgroup " + fuzz::shown(p.cgroup));
	for (const Change& c : p.changes) {
		const std::string about = std::string(change_kind_name(c.kind)) + " change of " +
					  fuzz::shown(c.target) + " (" + fuzz::shown(c.what) + ")";
		switch (c.kind) {
		case Change::Kind::file:
		case Change::Kind::mkdir:
		case Change::Kind::subtree:
			FUZZ_CHECK(under_root(c.target), about + " is not under the root");
			break;
		case Change::Kind::affinity:
		case Change::Kind::sched:
		case Change::Kind::move: {
			const std::string tid = c.target.substr(0, c.target.find(':'));
			FUZZ_CHECK(!tid.empty() &&
					   tid.find_first_not_of("0123456789") == std::string::npos,
				   about + " names no task ID");
			bool found = false;
			for (const Task& t : tasks)
				found |= std::to_string(t.tid) == tid && t.start_time == c.start;
			FUZZ_CHECK(found, about + ": no task " + tid + " started at " +
						  std::to_string(c.start));
			break;
		}
		case Change::Kind::swap: {
			bool listed = false;
			for (const Swap& s : swaps)
				listed |= s.path == c.target;
			FUZZ_CHECK(listed, about + " is not in /proc/swaps");
			break;
		}
		}
	}
	fuzz::round_trip({"partition", p}, "the plan for " + fuzz::shown(input));
	return 0;
}
