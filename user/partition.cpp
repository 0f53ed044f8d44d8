// SPDX-License-Identifier: GPL-2.0
#include "partition.hpp"

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

#include "error.hpp"
#include "host.hpp"
#include "procfs.hpp"
#include "utf8.hpp"

namespace rtnoise {

namespace {

using Kind = Change::Kind;

constexpr std::pair<Kind, const char*> kKinds[] = {
	{Kind::file, "file"},   {Kind::mkdir, "mkdir"}, {Kind::subtree, "subtree"},
	{Kind::affinity, "affinity"}, {Kind::sched, "sched"},
	{Kind::move, "move"},   {Kind::swap, "swap"},
};

CpuSet minus(const CpuSet& a, const CpuSet& b)
{
	CpuSet r;
	std::set_difference(a.begin(), a.end(), b.begin(), b.end(),
			    std::inserter(r, r.begin()));
	return r;
}

bool meets(const CpuSet& a, const CpuSet& b)
{
	return std::any_of(a.begin(), a.end(), [&](unsigned c) { return b.count(c) > 0; });
}

// bracketed - "always [madvise] never" -> "madvise"
std::string bracketed(const std::string& s)
{
	auto a = s.find('['), b = s.find(']');
	return a != std::string::npos && b > a ? s.substr(a + 1, b - a - 1) : s;
}

std::string line(const fs::path& p)
{
	return read_line(p).value_or("");
}

std::string sched_name(unsigned policy, unsigned prio)
{
	const char* n = policy == SCHED_FIFO ? "fifo" : policy == SCHED_RR ? "rr" : "other";
	return std::string(n) + " " + std::to_string(policy == SCHED_FIFO || policy == SCHED_RR ? prio : 0);
}

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
	auto stat = read_line(root / "proc" / tid / "task" / tid / "stat");
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
		if (sched_setaffinity(std::stoi(target), sizeof(set), &set) == 0)
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
	if (sched_setscheduler(std::stoi(tid), policy, &sp) == 0 || errno == ESRCH)
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

void plan_cgroup(const fs::path& root, Plan& p, const std::string& cpus,
		 const std::string& hk)
{
	const fs::path cg = root / "sys/fs/cgroup";
	std::error_code ec;
	if (fs::exists(cg / "cgroup.controllers", ec)) {
		p.cgroup = "v2";
		if (line(cg / "cgroup.controllers").find("cpuset") == std::string::npos) {
			p.notes.push_back("cgroup v2 has no cpuset controller: tasks are not "
					  "kept off the CPUs");
			return;
		}
		const std::string dir = std::string("sys/fs/cgroup/") + kCgroupName;
		if (line(cg / "cgroup.subtree_control").find("cpuset") == std::string::npos)
			p.changes.push_back({Kind::subtree, "sys/fs/cgroup", "off", "cpuset",
					     "enable the cpuset controller for child cgroups"});
		p.changes.push_back({Kind::mkdir, dir, "", "",
				     "create the cgroup " + std::string(kCgroupName)});
		p.changes.push_back({Kind::file, dir + "/cpuset.cpus", "", cpus,
				     "give it CPUs " + cpus});
		std::string mems = line(cg / "cpuset.mems.effective");
		p.changes.push_back({Kind::file, dir + "/cpuset.mems", "", mems.empty() ? "0" : mems,
				     "and memory nodes " + (mems.empty() ? "0" : mems)});
		p.changes.push_back({Kind::file, dir + "/cpuset.cpus.partition", "member",
				     "isolated",
				     "make it an isolated partition: no other task, no "
				     "load balancing on CPUs " + cpus});
		return;
	}
	const fs::path v1 = cg / "cpuset";
	if (fs::exists(v1 / "cpuset.cpus", ec)) {
		p.cgroup = "v1";
		const std::string base = "sys/fs/cgroup/cpuset";
		const std::string hkdir = base + "/rtnoise.housekeeping";
		const std::string isodir = base + "/" + kCgroupName;
		std::string mems = line(v1 / "cpuset.mems");
		p.changes.push_back({Kind::mkdir, hkdir, "", "", "create cpuset rtnoise.housekeeping"});
		p.changes.push_back({Kind::file, hkdir + "/cpuset.cpus", "", hk, "with CPUs " + hk});
		p.changes.push_back({Kind::file, hkdir + "/cpuset.mems", "", mems, "and nodes " + mems});
		p.changes.push_back({Kind::mkdir, isodir, "", "", "create cpuset " + std::string(kCgroupName)});
		p.changes.push_back({Kind::file, isodir + "/cpuset.cpus", "", cpus, "with CPUs " + cpus});
		p.changes.push_back({Kind::file, isodir + "/cpuset.mems", "", mems, "and nodes " + mems});
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
	p.notes.push_back("no cpuset cgroup is mounted: tasks are not kept off the CPUs");
}

}  // namespace

const char* change_kind_name(Change::Kind k)
{
	for (auto& [kind, name] : kKinds)
		if (kind == k)
			return name;
	return "?";
}

Plan plan_partition(const fs::path& root, const CpuSet& cpus)
{
	Plan p;
	p.cpus = cpus;
	CpuSet online = cpu_list_file(root, "online");
	for (unsigned cpu : cpus)
		if (!online.count(cpu))
			throw usage_error("CPU " + std::to_string(cpu) +
					  " is not online: it cannot be isolated");
	p.housekeeping = minus(online, cpus);
	if (p.housekeeping.empty())
		throw usage_error("isolating CPUs " + format_cpulist(cpus) +
				  " leaves no housekeeping CPU");
	CpuSet possible = cpu_list_file(root, "possible");
	const unsigned nr = possible.empty() ? 1 : *possible.rbegin() + 1;
	const std::string list = format_cpulist(cpus);
	const std::string hk = format_cpulist(p.housekeeping);
	const std::string hkmask = format_hex_mask(p.housekeeping, nr);

	// Creating and removing a cpuset partition resets the CPUs of every
	// task in the root cgroup to the root's. Remember, first, the CPUs
	// of each task that had fewer (kthreads kept on housekeeping CPUs by
	// isolcpus=, tasks someone pinned): restored last, they come back.
	const std::vector<Task> tasks = list_tasks(root);
	for (const Task& t : tasks)
		if (!t.pinned && !t.allowed.empty() && t.allowed != online)
			p.changes.push_back({Kind::affinity,
					     std::to_string(t.tid) + (t.kthread ? ":" + t.comm : ""),
					     format_cpulist(t.allowed), format_cpulist(t.allowed),
					     "keep the CPUs of " + t.comm + ":" +
						     std::to_string(t.tid),
					     t.start_time});
	plan_cgroup(root, p, list, hk);

	// IRQs, the default for new ones, and unbound workqueues.
	std::error_code ec;
	std::vector<std::pair<int, fs::path>> irqs;
	for (const auto& d : fs::directory_iterator(root / "proc/irq", ec)) {
		std::string n = d.path().filename();
		if (std::isdigit(static_cast<unsigned char>(n[0])) &&
		    fs::exists(d.path() / "smp_affinity_list"))
			irqs.push_back({std::stoi(n), d.path()});
	}
	std::sort(irqs.begin(), irqs.end());
	for (const auto& [n, dir] : irqs) {
		std::string aff = line(dir / "smp_affinity_list");
		if (meets(parse_cpulist(aff, true), cpus))
			p.changes.push_back({Kind::file,
					     "proc/irq/" + std::to_string(n) + "/smp_affinity_list",
					     aff, hk, "IRQ " + std::to_string(n) + " to CPUs " + hk});
	}
	std::string def = line(root / "proc/irq/default_smp_affinity");
	if (!def.empty() && meets(parse_hex_mask(def), cpus))
		p.changes.push_back({Kind::file, "proc/irq/default_smp_affinity", def, hkmask,
				     "new IRQs to CPUs " + hk});
	std::string wq = line(root / "sys/devices/virtual/workqueue/cpumask");
	if (!wq.empty() && meets(parse_hex_mask(wq), cpus))
		p.changes.push_back({Kind::file, "sys/devices/virtual/workqueue/cpumask", wq,
				     hkmask, "unbound workqueues to CPUs " + hk});

	// Kernel threads: unbound ones (RCU's among them) to housekeeping,
	// the per-CPU ones of the isolated CPUs to the guide's priorities.
	for (const Task& t : tasks) {
		if (!t.kthread)
			continue;
		if (!t.pinned && t.allowed.size() > 1 && meets(t.allowed, cpus))
			p.changes.push_back({Kind::affinity, std::to_string(t.tid),
					     format_cpulist(t.allowed), hk,
					     "kernel thread " + t.comm + " to CPUs " + hk,
					     t.start_time});
		auto slash = t.comm.find('/');
		std::string base = t.comm.substr(0, slash);
		bool here = slash != std::string::npos &&
			    cpus.count(static_cast<unsigned>(std::atoi(t.comm.c_str() + slash + 1)));
		unsigned want = (base == "ksoftirqd" && here) ? 2
				: (base == "rcuc" && here) || base == "rcub" ? 3
									     : 0;
		std::string now = sched_name(t.policy, t.rt_priority);
		std::string to = "fifo " + std::to_string(want);
		if (want && now != to)
			p.changes.push_back({Kind::sched, std::to_string(t.tid), now, to,
					     t.comm + " to SCHED_FIFO " + std::to_string(want),
					     t.start_time});
	}

	// Sysctls and memory management, as the guides set them.
	struct Knob {
		const char* path;
		const char* value;
		const char* what;
	};
	static const Knob knobs[] = {
		{"proc/sys/kernel/watchdog", "0", "kernel.watchdog=0"},
		{"proc/sys/kernel/nmi_watchdog", "0", "kernel.nmi_watchdog=0"},
		{"proc/sys/kernel/sched_rt_runtime_us", "-1", "kernel.sched_rt_runtime_us=-1"},
		{"proc/sys/kernel/timer_migration", "0", "kernel.timer_migration=0"},
		{"proc/sys/vm/stat_interval", "10", "vm.stat_interval=10"},
		{"proc/sys/kernel/ftrace_enabled", "0", "kernel.ftrace_enabled=0"},
		{"sys/kernel/mm/ksm/run", "0", "KSM off"},
		{"sys/kernel/mm/transparent_hugepage/enabled", "never",
		 "transparent huge pages off"},
	};
	for (const Knob& k : knobs) {
		auto v = read_line(root / k.path);
		if (!v)
			continue;
		std::string now = bracketed(*v);
		if (now != k.value)
			p.changes.push_back({Kind::file, k.path, now, k.value, k.what});
	}
	// The priority comes back with swapon (see swapon_flags()); discard
	// flags are not in /proc/swaps and cannot be.
	for (const Swap& s : parse_swaps(read_file(root / "proc/swaps").value_or("")))
		p.changes.push_back({Kind::swap, s.path, "on prio=" + std::to_string(s.priority),
				     "off", "swapoff " + escape_name(s.path)});
	return p;
}

// Version 2 stores every string escaped (utf8.hpp): a swap file's path
// or a comm is bytes, and must come back byte for byte.
std::string state_to_json(const State& s)
{
	nlohmann::json changes = nlohmann::json::array();
	for (const Change& c : s.plan.changes)
		changes.push_back({{"kind", change_kind_name(c.kind)},
				   {"target", escape_name(c.target)},
				   {"before", escape_name(c.before)},
				   {"after", escape_name(c.after)},
				   {"what", escape_name(c.what)},
				   {"start", c.start}});
	nlohmann::json notes = nlohmann::json::array();
	for (const std::string& n : s.plan.notes)
		notes.push_back(escape_name(n));
	nlohmann::json j = {{"version", kStateVersion},
			    {"by", escape_name(s.by)},
			    {"cpus", format_cpulist(s.plan.cpus)},
			    {"housekeeping", format_cpulist(s.plan.housekeeping)},
			    {"cgroup", escape_name(s.plan.cgroup)},
			    {"changes", changes},
			    {"notes", notes}};
	return j.dump(1) + "\n";
}

State state_from_json(const std::string& text)
{
	State s;
	try {
		auto j = nlohmann::json::parse(text);
		const auto version = j.at("version").get<std::int64_t>();
		if (version < 1 || version > kStateVersion)
			throw system_error("the partition state file has version " +
					   std::to_string(version) + ", this rtnoise reads 1 to " +
					   std::to_string(kStateVersion) +
					   ": restore with the rtnoise that made it");
		// Version 1 stored strings as they were.
		auto str = [&](const nlohmann::json& v) {
			std::string t = v.get<std::string>();
			return version >= 2 ? unescape_name(t) : t;
		};
		s.by = str(j.at("by"));
		s.plan.cpus = parse_cpulist(j.at("cpus").get<std::string>(), true);
		s.plan.housekeeping = parse_cpulist(j.at("housekeeping").get<std::string>(), true);
		s.plan.cgroup = str(j.at("cgroup"));
		for (const auto& c : j.at("changes")) {
			Change ch;
			std::string kind = c.at("kind");
			bool known = false;
			for (auto& [k, name] : kKinds)
				if (kind == name) {
					ch.kind = k;
					known = true;
				}
			if (!known)
				throw system_error("unknown change '" + kind + "' in the state file");
			ch.target = str(c.at("target"));
			ch.before = str(c.at("before"));
			ch.after = str(c.at("after"));
			ch.what = str(c.at("what"));
			ch.start = c.value("start", std::uint64_t{0});
			s.plan.changes.push_back(std::move(ch));
		}
		for (const auto& n : j.at("notes"))
			s.plan.notes.push_back(str(n));
	} catch (const nlohmann::json::exception& e) {
		throw system_error(std::string("the partition state file is damaged: ") + e.what());
	}
	return s;
}

StateLock::StateLock(const fs::path& dir)
{
	std::error_code ec;
	fs::create_directories(dir, ec);
	fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd_ < 0)
		throw system_error("cannot open " + dir.string() + ": " + errno_text(errno));
	if (::flock(fd_, LOCK_EX | LOCK_NB) == 0)
		return;
	int err = errno;
	::close(fd_);
	if (err == EWOULDBLOCK)
		throw system_error("another rtnoise is changing this host (it holds the "
				   "lock on " + dir.string() + "): wait for it to end");
	throw system_error("cannot lock " + dir.string() + ": " + errno_text(err));
}

StateLock::~StateLock()
{
	::close(fd_);
}

void write_state(const fs::path& path, const State& s)
{
	const std::string text = state_to_json(s);
	std::error_code ec;
	fs::create_directories(path.parent_path(), ec);
	// A new file of a unique name (O_EXCL), never through a link
	// (O_NOFOLLOW), mode 0600: whatever was planted there is not used.
	std::string tmp = path.string() + ".XXXXXX";
	int fd = ::mkostemp(tmp.data(), O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		throw system_error("cannot create a file beside " + path.string() + ": " +
				   errno_text(errno));
	std::size_t off = 0;
	while (off < text.size()) {
		ssize_t n = ::write(fd, text.data() + off, text.size() - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += static_cast<std::size_t>(n);
	}
	bool ok = off == text.size() && ::fsync(fd) == 0;
	int err = errno;
	::close(fd);
	if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
		ok = false;
		err = errno;
	}
	if (!ok) {
		::unlink(tmp.c_str());
		throw system_error("cannot write " + path.string() + ": " + errno_text(err));
	}
	int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0) {
		::fsync(dir);
		::close(dir);
	}
}

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
			return "";	// a file of a cgroup we created and remove
		auto now = read_line(root / c.target);
		if (!now || bracketed(*now) == c.before)
			return "";	// gone, or never changed (an IRQ that refused)
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
	if (!reused(root, c) || (c.kind == Kind::affinity &&
				 c.target.find(':') != std::string::npos))
		return "";
	const std::string tid = c.target.substr(0, c.target.find(':'));
	return c.what + ": task " + tid + " has exited and another task has its ID now";
}

}  // namespace

int swapon_flags(const Change& c)
{
	// "on prio=N" ("on" in version 1 files).
	auto at = c.before.find("prio=");
	if (at == std::string::npos)
		return 0;
	int prio = std::atoi(c.before.c_str() + at + 5);
	if (prio < 0)
		return 0;	// the kernel's own: it gives the next one again
	return SWAP_FLAG_PREFER | ((prio << SWAP_FLAG_PRIO_SHIFT) & SWAP_FLAG_PRIO_MASK);
}

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
		if (err.empty())
			o.done++;
		else
			o.failed.push_back(c.what + ": " + err);
	}
	return o;
}

Outcome restore_state(const fs::path& root, const fs::path& state_path)
{
	auto text = read_file(state_path);
	if (!text)
		return {};
	State s = state_from_json(*text);
	Outcome o;
	State left{s.by, s.plan};
	left.plan.changes.clear();
	for (auto it = s.plan.changes.rbegin(); it != s.plan.changes.rend(); ++it) {
		if (std::string why = skip(root, *it); !why.empty()) {
			o.skipped.push_back(why);	// nothing of ours to restore
			continue;
		}
		std::string err = restore_change(root, *it);
		if (err.empty()) {
			o.done++;
		} else {
			o.failed.push_back(it->what + ": " + err);
			left.plan.changes.insert(left.plan.changes.begin(), *it);
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
