// SPDX-License-Identifier: GPL-2.0
// apply.cpp - make the changes of a plan, and undo them.
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

#include "host/host.hpp"
#include "host/procfs.hpp"
#include "isolation/partition.hpp"
#include "model/guide.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace rtnoise {

namespace {

using Kind = Change::Kind;

std::string write_file(const fs::path& path, const std::string& value)
{
	int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno_text(errno);
	std::string v = value + "\n";
	ssize_t n = ::write(fd, v.data(), v.size());
	int err = errno;
	::close(fd);
	if (n < 0)
		return errno_text(err);
	return "";
}

bool per_task(const Change& c)
{
	return c.kind == Kind::affinity || c.kind == Kind::sched || c.kind == Kind::move;
}

// reused - the task ID of c now names another task: one that started at
// another time than the task c was planned for, which has exited. A task
// that is gone is not reused: the syscalls find nothing.
bool reused(const fs::path& root, const Change& c)
{
	if (!per_task(c) || !c.start)
		return false;
	const std::string tid = c.target.substr(0, c.target.find(':'));
	// The whole file: a comm may hold a newline.
	auto stat = read_file(root / "proc" / tid / "task" / tid / "stat");
	Task t;
	return stat && parse_stat(*stat, t) && t.start_time != c.start;
}

// set_affinity - target is "tid" or "tid:comm". A kernel thread that was
// stopped and started again meanwhile (khugepaged, when THP is turned off
// and on) is found again by its comm, also when its ID was reused.
std::string set_affinity(const fs::path& root, const Change& c, const std::string& list)
{
	const std::string& target = c.target;
	cpu_set_t set;
	CPU_ZERO(&set);
	for (unsigned cpu : parse_cpulist(list, true))
		if (cpu < CPU_SETSIZE)
			CPU_SET(cpu, &set);
	if (!reused(root, c)) {
		if (sched_setaffinity(task_id(target).value_or(-1), sizeof(set), &set) == 0)
			return "";
		if (errno != ESRCH)
			return errno_text(errno);
	}
	auto colon = target.find(':');
	if (colon == std::string::npos)
		return "";
	std::string comm = target.substr(colon + 1);
	for (const Task& t : list_tasks(root))
		if (t.kthread && t.comm == comm && sched_setaffinity(t.tid, sizeof(set), &set) != 0)
			return errno_text(errno);
	return "";
}

std::string set_sched(const std::string& tid, const std::string& spec)
{
	std::istringstream in(spec);
	std::string name;
	int prio = 0;
	in >> name >> prio;
	int policy = name == "fifo" ? SCHED_FIFO : name == "rr" ? SCHED_RR : SCHED_OTHER;
	struct sched_param sp {};
	sp.sched_priority = policy == SCHED_OTHER ? 0 : prio;
	if (sched_setscheduler(task_id(tid).value_or(-1), policy, &sp) == 0 || errno == ESRCH)
		return "";
	return errno_text(errno);
}

// rmdir_cgroup - move what is left in a cgroup to its parent, remove it.
std::string rmdir_cgroup(const fs::path& dir)
{
	std::error_code ec;
	if (!fs::exists(dir, ec))
		return "";
	const char* procs = fs::exists(dir / "cgroup.procs") ? "cgroup.procs" : "tasks";
	std::istringstream in(read_file(dir / procs).value_or(""));
	for (std::string pid; std::getline(in, pid);)
		if (!pid.empty())
			write_file(dir.parent_path() / procs, pid);
	if (::rmdir(dir.c_str()) != 0 && errno != ENOENT)
		return errno_text(errno);
	return "";
}

}  // namespace

std::string apply_change(const fs::path& root, const Change& c)
{
	switch (c.kind) {
	case Kind::file:
		return write_file(root / c.target, c.after);
	case Kind::mkdir:
		if (::mkdir((root / c.target).c_str(), 0755) != 0 && errno != EEXIST)
			return errno_text(errno);
		return "";
	case Kind::subtree:
		return write_file(root / c.target / "cgroup.subtree_control", "+" + c.after);
	case Kind::affinity:
		return set_affinity(root, c, c.after);
	case Kind::sched:
		return set_sched(c.target, c.after);
	case Kind::move: {
		std::string err = write_file(root / c.after / "tasks", c.target);
		return err == errno_text(ESRCH) ? "" : err;
	}
	case Kind::swap:
		if (::swapoff(c.target.c_str()) != 0 && errno != EINVAL)
			return errno_text(errno);
		return "";
	}
	return "unknown change";
}

std::string restore_change(const fs::path& root, const Change& c)
{
	switch (c.kind) {
	case Kind::file: {
		if (c.before.empty())
			return "";  // a file of a cgroup we created and remove
		auto now = read_line(root / c.target);
		if (!now || bracketed(*now) == c.before)
			return "";  // gone, or never changed (an IRQ that refused)
		return write_file(root / c.target, c.before);
	}
	case Kind::mkdir:
		return rmdir_cgroup(root / c.target);
	case Kind::subtree:
		if (c.before != "off")
			return "";
		return write_file(root / c.target / "cgroup.subtree_control", "-" + c.after);
	case Kind::affinity:
		return set_affinity(root, c, c.before);
	case Kind::sched:
		return set_sched(c.target, c.before);
	case Kind::move: {
		std::string err = write_file(root / c.before / "tasks", c.target);
		return err == errno_text(ESRCH) || err == errno_text(ENOENT) ? "" : err;
	}
	case Kind::swap:
		if (::swapon(c.target.c_str(), swapon_flags(c)) != 0 && errno != EBUSY)
			return errno_text(errno);
		return "";
	}
	return "unknown change";
}

namespace {

// skip - c is for a task that has exited and whose ID another task took
// (a kernel thread is still found by its comm): "" if not.
std::string skip(const fs::path& root, const Change& c)
{
	if (!reused(root, c) ||
	    (c.kind == Kind::affinity && c.target.find(':') != std::string::npos))
		return "";
	const std::string tid = c.target.substr(0, c.target.find(':'));
	return c.what + ": task " + tid + " has exited and another task has its ID now";
}

}  // namespace

PartitionCheck verify_partition(const fs::path& root, const Change& c)
{
	const fs::path file = root / c.target;
	const std::string now = read_line(file).value_or("");
	if (now == c.after)
		return {};
	const CpuSet cpus =
		parse_cpulist(read_line(file.parent_path() / "cpuset.cpus").value_or(""), true);
	const CpuSet boot = parse_cpulist(
		read_line(root / "sys/devices/system/cpu/isolated").value_or(""), true);
	const bool at_boot = !cpus.empty() && is_subset(cpus, boot);
	if (!at_boot || now.find("conflicts with housekeeping") == std::string::npos)
		return {"the kernel made it '" + escape_name(now) + "'", ""};
	if (std::string err = write_file(file, c.before); !err.empty())
		return {"the kernel made it '" + escape_name(now) + "', and member again: " + err,
			""};
	return {"", c.what + ": this kernel keeps CPUs " + format_cpulist(cpus) +
			    ", which isolcpus= isolated at boot, out of any partition ('" +
			    escape_name(now) +
			    "'); isolcpus= keeps the scheduler's tasks off them already, and /" +
			    c.target.substr(0, c.target.rfind('/')) +
			    " stays, a member, for the workload"};
}

int swapon_flags(const Change& c)
{
	// "on prio=N" ("on" in version 1 files).
	auto at = c.before.find("prio=");
	if (at == std::string::npos)
		return 0;
	int prio = std::atoi(c.before.c_str() + at + 5);
	if (prio < 0)
		return 0;  // the kernel's own: it gives the next one again
	return SWAP_FLAG_PREFER | ((prio << SWAP_FLAG_PRIO_SHIFT) & SWAP_FLAG_PRIO_MASK);
}

namespace {

// partition - after c, an isolated partition, was written (err: how that
// went), what the kernel made of it; notes in o. The error, or "".
std::string partition(const fs::path& root, const Change& c, const std::string& err, Outcome& o)
{
	if (err == errno_text(EINVAL)) {
		// Before 5.15: root partitions only. One over CPUs isolated at
		// boot hung 5.10's next watchdog write (smp_call_on_cpu): none.
		o.notes.push_back(c.what +
				  ": this kernel has no isolated partitions (5.15 and later); "
				  "the cgroup stays a member, for the workload");
		return "";
	}
	if (!err.empty())
		return err;
	PartitionCheck v = verify_partition(root, c);
	if (!v.note.empty())
		o.notes.push_back(v.note);
	return v.error;
}

}  // namespace

Outcome apply_plan(const fs::path& root, const fs::path& state_path, const State& s)
{
	write_state(state_path, s);
	Outcome o;
	for (const Change& c : s.plan.changes) {
		if (std::string why = skip(root, c); !why.empty()) {
			o.skipped.push_back(why);
			continue;
		}
		std::string err = apply_change(root, c);
		if (is_isolated_partition(c))
			err = partition(root, c, err, o);
		if (err.empty())
			o.done++;
		else
			o.failed.push_back(c.what + ": " + err);
	}
	return o;
}

Outcome restore_state(const fs::path& root, const fs::path& state_path)
{
	auto text = read_state(state_path);
	if (!text)
		return {};
	State s = state_from_json(*text);
	Outcome o;
	State left{s.by, s.plan};
	left.plan.changes.clear();
	// Last change first (std::ranges::reverse_view would do, but
	// clang 14 cannot read libstdc++ 12's ranges).
	// NOLINTNEXTLINE(modernize-loop-convert)
	for (auto it = s.plan.changes.rbegin(); it != s.plan.changes.rend(); ++it) {
		const Change& change = *it;
		if (std::string why = skip(root, change); !why.empty()) {
			o.skipped.push_back(why);  // nothing of ours to restore
			continue;
		}
		std::string err = restore_change(root, change);
		if (err.empty()) {
			o.done++;
		} else {
			o.failed.push_back(change.what + ": " + err);
			left.plan.changes.insert(left.plan.changes.begin(), change);
		}
	}
	if (!left.plan.changes.empty()) {
		// The file is the only record of these prior values: keep
		// exactly them, so that the next restore retries them alone.
		write_state(state_path, left);
		return o;
	}
	if (::unlink(state_path.c_str()) != 0 && errno != ENOENT)
		throw system_error("cannot remove " + state_path.string() + ": " +
				   errno_text(errno));
	return o;
}

}  // namespace rtnoise
