// SPDX-License-Identifier: GPL-2.0
// The planner behind `rtnoise partition`, the state file, and apply then
// restore on a copy of a captured host tree.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "host/host.hpp"
#include "host/procfs.hpp"
#include "host_tree.hpp"
#include "isolation/partition.hpp"
#include "util/error.hpp"

using namespace rtnoise;

namespace {

const std::string kDefault = std::string(RTNOISE_FIXTURES) + "/hosts/debian-6.1-default";

std::size_t count(const Plan& p, Change::Kind k)
{
	std::size_t n = 0;
	for (const Change& c : p.changes)
		n += c.kind == k;
	return n;
}

const Change* by_target(const Plan& p, const std::string& target)
{
	for (const Change& c : p.changes)
		if (c.target == target)
			return &c;
	return nullptr;
}

}  // namespace

TEST(Partition, PlansEveryMoveTheGuidesMake)
{
	Plan p = plan_partition(kDefault, {2, 3});
	EXPECT_EQ(p.housekeeping, (CpuSet{0, 1}));
	EXPECT_EQ(p.cgroup, "v2");

	const Change* part = by_target(p, "sys/fs/cgroup/rtnoise.isolated/cpuset.cpus.partition");
	ASSERT_TRUE(part);
	EXPECT_EQ(part->after, "isolated");
	EXPECT_EQ(by_target(p, "sys/fs/cgroup/rtnoise.isolated/cpuset.cpus")->after, "2-3");

	const Change* irq4 = by_target(p, "proc/irq/4/smp_affinity_list");
	ASSERT_TRUE(irq4);
	EXPECT_EQ(irq4->before, "0-3");
	EXPECT_EQ(irq4->after, "0-1");
	EXPECT_EQ(by_target(p, "proc/irq/default_smp_affinity")->after, "00000003");
	EXPECT_EQ(by_target(p, "sys/devices/virtual/workqueue/cpumask")->before, "f");

	const Change* rt = by_target(p, "proc/sys/kernel/sched_rt_runtime_us");
	ASSERT_TRUE(rt);
	EXPECT_EQ(rt->before, "950000");
	EXPECT_EQ(rt->after, "-1");
	const Change* thp = by_target(p, "sys/kernel/mm/transparent_hugepage/enabled");
	ASSERT_TRUE(thp);
	EXPECT_EQ(thp->before, "always");  // the bracketed choice
	EXPECT_EQ(thp->after, "never");

	std::size_t moved = 0;
	for (const Change& c : p.changes)
		moved += c.kind == Change::Kind::affinity && c.before != c.after;
	EXPECT_GE(moved, 10u);			       // unbound kthreads
	EXPECT_EQ(count(p, Change::Kind::sched), 2u);  // ksoftirqd/2, /3
	for (const Change& c : p.changes) {
		if (c.kind == Change::Kind::sched) {
			EXPECT_EQ(c.after, "fifo 2") << c.what;
		}
	}
}

TEST(Partition, NothingToDoOnATunedHost)
{
	Plan p = plan_partition(std::string(RTNOISE_FIXTURES) + "/hosts/debian-6.1-rt-tuned",
				{2, 3});
	// The tuned tree was captured while a partition was applied: no
	// IRQ, kthread or sysctl is left to move.
	for (const Change& c : p.changes) {
		if (c.kind == Change::Kind::affinity) {	 // only remembered
			EXPECT_EQ(c.before, c.after) << c.what;
		}
	}
	EXPECT_EQ(count(p, Change::Kind::sched), 0u);
	EXPECT_FALSE(by_target(p, "proc/sys/kernel/watchdog"));
	EXPECT_FALSE(by_target(p, "proc/irq/default_smp_affinity"));
}

TEST(Partition, RefusesToIsolateEverything)
{
	EXPECT_THROW(plan_partition(kDefault, {0, 1, 2, 3}), Error);
	EXPECT_THROW(plan_partition(kDefault, {7}), Error);
}

TEST(Partition, StateFileRoundTrip)
{
	State s{"attach", plan_partition(kDefault, {2, 3})};
	State back = state_from_json(state_to_json(s));
	EXPECT_EQ(back.by, "attach");
	EXPECT_EQ(back.plan.cpus, s.plan.cpus);
	EXPECT_EQ(back.plan.housekeeping, s.plan.housekeeping);
	EXPECT_EQ(back.plan.cgroup, s.plan.cgroup);
	ASSERT_EQ(back.plan.changes.size(), s.plan.changes.size());
	for (std::size_t i = 0; i < s.plan.changes.size(); i++) {
		EXPECT_EQ(back.plan.changes[i].kind, s.plan.changes[i].kind);
		EXPECT_EQ(back.plan.changes[i].target, s.plan.changes[i].target);
		EXPECT_EQ(back.plan.changes[i].before, s.plan.changes[i].before);
		EXPECT_EQ(back.plan.changes[i].after, s.plan.changes[i].after);
		EXPECT_EQ(back.plan.changes[i].start, s.plan.changes[i].start);
	}
	EXPECT_THROW(state_from_json("{"), Error);
	EXPECT_THROW(state_from_json(R"({"version": 3})"), Error);
}

// Found by tests/fuzz/fuzz_state: a state file whose CPU lists do not
// parse is damaged as any other (status 3, the file named), not a usage
// error about a CPU list that no command line had.
TEST(Partition, ACpuListTheStateFileCannotReadIsDamage)
{
	for (const char* text :
	     {R"({"version": 2, "by": "partition", "cpus": "0e", "housekeeping": "0-1",
		  "cgroup": "v2", "changes": [], "notes": []})",
	      R"({"version": 2, "by": "partition", "cpus": "2-3", "housekeeping": "3-1",
		  "cgroup": "v2", "changes": [], "notes": []})"}) {
		try {
			state_from_json(text);
			ADD_FAILURE() << "accepted " << text;
		} catch (const Error& e) {
			EXPECT_EQ(e.code(), Exit::system) << e.what();
			EXPECT_NE(std::string(e.what()).find("state file is damaged"),
				  std::string::npos)
				<< e.what();
		}
	}
}

// A task change whose target is not a thread ID (tid, or tid:comm) is
// damage found when the file is read, not an exception out of restore.
TEST(Partition, ATaskTargetThatIsNoThreadIdIsDamage)
{
	for (const char* target : {"x", "", ":kworker", "12x", "99999999999999999999"})
		for (const char* kind : {"affinity", "sched", "move"}) {
			std::string text = std::string(R"({"version": 2, "by": "partition",
			"cpus": "2-3", "housekeeping": "0-1", "cgroup": "v2", "notes": [],
			"changes": [{"kind": ")") +
					   kind + R"(", "target": ")" + target +
					   R"(", "before": "0-3", "after": "0-1", "what": "t"}]})";
			try {
				state_from_json(text);
				ADD_FAILURE() << "accepted " << kind << " of '" << target << "'";
			} catch (const Error& e) {
				EXPECT_EQ(e.code(), Exit::system) << e.what();
				EXPECT_NE(std::string(e.what()).find("state file is damaged"),
					  std::string::npos)
					<< e.what();
			}
		}
}

TEST(Partition, ApplyThenRestoreLeavesTheTreeAsItWas)
{
	fs::path tree = fs::temp_directory_path() / ("rtnoise-part-" + std::to_string(::getpid()));
	fs::remove_all(tree);
	fs::copy(kDefault, tree, fs::copy_options::recursive);

	// File changes only: the others act on this machine's real tasks.
	State s{"partition", plan_partition(tree, {2, 3})};
	std::vector<Change> files;
	for (const Change& c : s.plan.changes)
		if (c.kind == Change::Kind::file && !c.before.empty() &&
		    c.target.find(kCgroupName) == std::string::npos)
			files.push_back(c);
	ASSERT_GE(files.size(), 10u);
	s.plan.changes = files;

	std::map<std::string, std::string> before;
	for (const Change& c : files)
		before[c.target] = read_line(tree / c.target).value_or("?");

	fs::path state = tree / "run/rtnoise/partition.json";
	Outcome a = apply_plan(tree, state, s);
	EXPECT_EQ(a.done, files.size());
	EXPECT_TRUE(a.failed.empty()) << a.failed.front();
	EXPECT_TRUE(fs::exists(state));
	EXPECT_EQ(read_line(tree / "proc/sys/kernel/sched_rt_runtime_us"), "-1");
	EXPECT_EQ(read_line(tree / "proc/irq/4/smp_affinity_list"), "0-1");

	Outcome r = restore_state(tree, state);
	EXPECT_EQ(r.done, files.size());
	EXPECT_FALSE(fs::exists(state));
	for (const Change& c : files) {
		bool thp = c.target.find("transparent_hugepage") != std::string::npos;
		EXPECT_EQ(read_line(tree / c.target).value_or("?"),
			  thp ? "always" : before[c.target])
			<< c.target;
	}

	// Restoring twice is harmless.
	Outcome again = restore_state(tree, state);
	EXPECT_EQ(again.done, 0u);
	fs::remove_all(tree);
}

namespace {

// Fixture - a copy of the default host, removed at the end of the test.
struct Fixture {
	fs::path tree;
	fs::path state;
	Fixture()
	    : tree(fs::temp_directory_path() / ("rtnoise-part-" + std::to_string(::getpid()))),
	      state(tree / "run/rtnoise/partition.json")
	{
		fs::remove_all(tree);
		fs::copy(kDefault, tree, fs::copy_options::recursive);
	}
	~Fixture() { fs::remove_all(tree); }

	// file_change - a sysctl change as the planner makes it.
	Change file_change(const std::string& target, const std::string& after)
	{
		return {Change::Kind::file, target, read_line(tree / target).value(), after,
			target + "=" + after};
	}
};

}  // namespace

TEST(Partition, FailedRestoreKeepsExactlyWhatFailed)
{
	Fixture f;
	State s{"partition", plan_partition(f.tree, {2, 3})};
	s.plan.changes = {f.file_change("proc/sys/kernel/watchdog", "0"),
			  f.file_change("proc/sys/kernel/timer_migration", "0"),
			  f.file_change("proc/sys/vm/stat_interval", "10")};
	Outcome a = apply_plan(f.tree, f.state, s);
	ASSERT_EQ(a.done, 3u);

	// timer_migration cannot be written back: a directory stands there.
	const fs::path tm = f.tree / "proc/sys/kernel/timer_migration";
	fs::remove(tm);
	fs::create_directory(tm);
	Outcome r = restore_state(f.tree, f.state);
	EXPECT_EQ(r.done, 2u);
	ASSERT_EQ(r.failed.size(), 1u);
	EXPECT_NE(r.failed[0].find("timer_migration"), std::string::npos) << r.failed[0];
	EXPECT_EQ(read_line(f.tree / "proc/sys/kernel/watchdog"), "1");

	// The state file now holds that change alone, with its prior value.
	ASSERT_TRUE(fs::exists(f.state));
	State left = state_from_json(read_file(f.state).value());
	EXPECT_EQ(left.by, "partition");
	EXPECT_EQ(left.plan.cpus, (CpuSet{2, 3}));
	ASSERT_EQ(left.plan.changes.size(), 1u);
	EXPECT_EQ(left.plan.changes[0].target, "proc/sys/kernel/timer_migration");
	EXPECT_EQ(left.plan.changes[0].before, s.plan.changes[1].before);

	// Once it can be written, a second restore retries exactly that one.
	fs::remove(tm);
	std::ofstream(tm) << "0\n";
	Outcome again = restore_state(f.tree, f.state);
	EXPECT_EQ(again.done, 1u);
	EXPECT_TRUE(again.failed.empty());
	EXPECT_EQ(read_line(tm), s.plan.changes[1].before);
	EXPECT_FALSE(fs::exists(f.state));
}

TEST(Partition, StateFileIsNotWrittenThroughASymlink)
{
	Fixture f;
	fs::create_directories(f.state.parent_path());
	const fs::path victim = f.tree / "victim";
	std::ofstream(victim) << "precious\n";
	// Whatever name the old fixed temporary file had, a link there and a
	// link as the state file itself are left alone.
	fs::create_symlink(victim, f.state.string() + ".tmp");
	State s{"partition", plan_partition(f.tree, {2, 3})};
	write_state(f.state, s);
	EXPECT_EQ(read_file(victim), "precious\n");
	EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(f.state)));
	EXPECT_EQ(state_from_json(read_file(f.state).value()).plan.cpus, (CpuSet{2, 3}));
	for (const auto& e : fs::directory_iterator(f.state.parent_path()))
		EXPECT_TRUE(e.path() == f.state || e.path().string() == f.state.string() + ".tmp")
			<< "left behind: " << e.path();
}

TEST(Partition, StateLockIsExclusive)
{
	Fixture f;
	const fs::path dir = f.tree / "run/rtnoise";
	{
		StateLock first(dir);
		// Another open file description of the same directory, as a
		// second rtnoise process would have: refused, with exit 3.
		try {
			StateLock second(dir);
			ADD_FAILURE() << "a second lock was granted";
		} catch (const Error& e) {
			EXPECT_EQ(e.code(), Exit::system);
			EXPECT_NE(std::string(e.what()).find("another rtnoise"), std::string::npos)
				<< e.what();
		}
	}
	EXPECT_NO_THROW(StateLock again(dir));	// released with the first
}

TEST(Partition, RestoreLeavesATaskWhoseIdWasReusedAlone)
{
	Fixture f;
	// The planner records when each task it changes started.
	Plan p = plan_partition(f.tree, {2, 3});
	const Change* kthreadd = by_target(p, "2");
	ASSERT_TRUE(kthreadd);
	EXPECT_EQ(kthreadd->start, 40u);
	const Change* ksoftirqd = by_target(p, "26");
	ASSERT_TRUE(ksoftirqd);
	EXPECT_EQ(ksoftirqd->start, 62u);

	// A task of the tree under an ID above PID_MAX_LIMIT, that no task
	// of this machine can have: should a syscall be made, it changes
	// nothing here.
	const std::string tid = "4194400";
	const fs::path dir = f.tree / "proc" / tid / "task" / tid;
	fs::create_directories(dir);
	fs::copy(f.tree / "proc/26/task/26/stat", dir / "stat");
	fs::copy(f.tree / "proc/26/task/26/status", dir / "status");
	State s{"partition", p};
	s.plan.changes = {{Change::Kind::affinity, tid, "0-3", "0-1", "task to CPUs 0-1", 62},
			  {Change::Kind::sched, tid, "other 0", "fifo 2", "task to FIFO 2", 62}};

	// The same task: restored.
	write_state(f.state, s);
	Outcome same = restore_state(f.tree, f.state);
	EXPECT_EQ(same.done, 2u);
	EXPECT_TRUE(same.skipped.empty());

	// Another task, started later, took the ID: left alone, and said.
	write_state(f.state, s);
	std::string stat = read_file(dir / "stat").value();
	std::ofstream(dir / "stat") << stat.replace(stat.find(" 62 "), 4, " 99 ");
	Outcome r = restore_state(f.tree, f.state);
	EXPECT_EQ(r.done, 0u);
	EXPECT_TRUE(r.failed.empty());
	ASSERT_EQ(r.skipped.size(), 2u);
	EXPECT_NE(r.skipped[0].find(tid), std::string::npos) << r.skipped[0];
	EXPECT_FALSE(fs::exists(f.state));  // nothing left to retry
}

// The task that took the ID may name itself with a newline: its stat
// line is still read whole (see HostTree.ListsATaskWithANewlineInItsComm).
TEST(Partition, RestoreLeavesATaskWhoseIdWasReusedAloneWhateverItsName)
{
	Fixture f;
	const std::string tid = "4194401";  // above PID_MAX_LIMIT, as above
	const fs::path dir = f.tree / "proc" / tid / "task" / tid;
	fs::create_directories(dir);
	std::string stat = read_file(f.tree / "proc/26/task/26/stat").value();
	stat.replace(stat.find(" 62 "), 4, " 99 ");
	stat.replace(stat.find('('), stat.find(')') - stat.find('(') + 1, "(new\nname)");
	std::ofstream(dir / "stat") << stat;
	State s{"partition", plan_partition(f.tree, {2, 3})};
	s.plan.changes = {{Change::Kind::affinity, tid, "0-3", "0-1", "task to CPUs 0-1", 62},
			  {Change::Kind::sched, tid, "other 0", "fifo 2", "task to FIFO 2", 62}};
	write_state(f.state, s);
	Outcome r = restore_state(f.tree, f.state);
	EXPECT_EQ(r.done, 0u);
	EXPECT_EQ(r.skipped.size(), 2u);
}

TEST(Partition, SwapsComeBackWithTheirPathAndPriority)
{
	Fixture f;
	// As the kernel prints them: a space in a path is \040.
	std::ofstream(f.tree / "proc/swaps")
		<< "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
		   "/var/swap\\040file                      file\t\t1048572\t\t0\t\t5\n"
		   "/dev/vda2                               partition\t2097148\t\t0\t\t-2\n";
	Plan p = plan_partition(f.tree, {2, 3});
	const Change* file = by_target(p, "/var/swap file");
	const Change* part = by_target(p, "/dev/vda2");
	ASSERT_TRUE(file);
	ASSERT_TRUE(part);
	EXPECT_EQ(file->kind, Change::Kind::swap);
	EXPECT_EQ(file->what, "swapoff /var/swap file");
	// A priority someone chose comes back; the kernel's own (negative)
	// ones are the kernel's to give again.
	EXPECT_EQ(swapon_flags(*file), SWAP_FLAG_PREFER | 5);
	EXPECT_EQ(swapon_flags(*part), 0);
	// Through the state file too, and from a version 1 file ("on").
	State back = state_from_json(state_to_json({"partition", p}));
	EXPECT_EQ(swapon_flags(*by_target(back.plan, "/var/swap file")), SWAP_FLAG_PREFER | 5);
	EXPECT_EQ(swapon_flags({Change::Kind::swap, "/dev/vda2", "on", "off", "swapoff"}), 0);
}

// A partition made while rtnoise's BPF side is (or is about to be)
// attached keeps function tracing on: kernel.ftrace_enabled=0 stops the
// fentry programs that trace IPI senders on kernels before 6.6.
TEST(Partition, KeepsFunctionTracingForTheBpfSide)
{
	const char* ftrace = "proc/sys/kernel/ftrace_enabled";
	Plan guide = plan_partition(kDefault, {2, 3});
	const Change* off = by_target(guide, ftrace);
	ASSERT_TRUE(off);  // the guide's step
	EXPECT_EQ(off->before, "1");
	EXPECT_EQ(off->after, "0");

	PlanOptions o;
	o.keep_ftrace = true;
	Plan kept = plan_partition(kDefault, {2, 3}, o);
	EXPECT_FALSE(by_target(kept, ftrace));
	bool said = false;
	for (const std::string& n : kept.notes)
		said |= n.find("kernel.ftrace_enabled") != std::string::npos;
	EXPECT_TRUE(said) << "the plan must say why it leaves ftrace alone";
	EXPECT_EQ(kept.changes.size() + 1, guide.changes.size());
}

// Settings the guide sets to a floor are raised to it, not lowered.
TEST(Partition, LeavesALongerStatIntervalAlone)
{
	Plan p = plan_partition(kDefault, {2, 3});
	const Change* stat = by_target(p, "proc/sys/vm/stat_interval");
	ASSERT_TRUE(stat);  // 1 on the captured host
	EXPECT_EQ(stat->after, "10");

	Fixture f;
	std::ofstream(f.tree / "proc/sys/vm/stat_interval") << "120\n";
	EXPECT_FALSE(by_target(plan_partition(f.tree, {2, 3}), "proc/sys/vm/stat_interval"));
}

// The state directory: 0700 whatever the umask, and refused when another
// user could have planted what is in it.
TEST(Partition, StateDirIsPrivateWhateverTheUmask)
{
	Fixture f;
	const mode_t old = ::umask(0);
	{
		StateLock lock(f.tree / "run/rtnoise");
	}
	write_state(f.tree / "run/other/partition.json",
		    State{"partition", plan_partition(f.tree, {2, 3})});
	::umask(old);
	for (const char* dir : {"run/rtnoise", "run/other"}) {
		struct stat st {};
		ASSERT_EQ(::stat((f.tree / dir).c_str(), &st), 0);
		EXPECT_EQ(st.st_mode & 0777, 0700u) << dir;
	}
	struct stat st {};
	ASSERT_EQ(::stat((f.tree / "run/other/partition.json").c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u);
}

namespace {

// refusal - what f() threw, or "" when it returned.
template <typename F>
std::string refusal(F f)
{
	try {
		f();
		return "";
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::system);
		return e.what();
	}
}

}  // namespace

TEST(Partition, RefusesAStateDirAnotherUserCouldWrite)
{
	Fixture f;
	const fs::path dir = f.tree / "run/rtnoise";
	fs::create_directories(dir);
	fs::permissions(dir, fs::perms::all);
	EXPECT_EQ(refusal([&] { StateLock l(dir); }),
		  dir.string() + " is writable by group or others: remove it, or chmod go-w it");
	State s{"partition", plan_partition(f.tree, {2, 3})};
	EXPECT_NE(refusal([&] { write_state(f.state, s); }), "");
	EXPECT_FALSE(fs::exists(f.state));

	// A link to a directory of one's own.
	fs::remove(dir);
	fs::create_directories(f.tree / "elsewhere");
	fs::create_directory_symlink(f.tree / "elsewhere", dir);
	EXPECT_EQ(refusal([&] { StateLock l(dir); }),
		  dir.string() + " is a symbolic link: remove it");

	if (::geteuid() != 0)
		GTEST_SKIP() << "not root: cannot make a directory of another user";
	fs::remove(dir);
	fs::create_directories(dir);
	ASSERT_EQ(::chown(dir.c_str(), 65534, 65534), 0);
	EXPECT_EQ(refusal([&] { StateLock l(dir); }),
		  dir.string() + " is owned by user 65534, not 0: remove it, or chown it");
}

TEST(Partition, RefusesAStateFileAnotherUserCouldHavePlanted)
{
	Fixture f;
	State s{"partition", plan_partition(f.tree, {2, 3})};
	s.plan.changes = {f.file_change("proc/sys/kernel/watchdog", "0")};
	write_state(f.state, s);
	const fs::path victim = f.tree / "victim";
	std::ofstream(victim) << "precious\n";

	fs::permissions(f.state, fs::perms::others_write, fs::perm_options::add);
	EXPECT_EQ(refusal([&] { restore_state(f.tree, f.state); }),
		  f.state.string() +
			  " is writable by group or others: remove it, or chmod go-w it");
	fs::rename(f.state, victim.string() + ".json");
	fs::create_symlink(victim.string() + ".json", f.state);
	EXPECT_EQ(refusal([&] { restore_state(f.tree, f.state); }),
		  f.state.string() + " is a symbolic link: remove it");
	EXPECT_EQ(read_line(f.tree / "proc/sys/kernel/watchdog"), "1");

	if (::geteuid() != 0)
		GTEST_SKIP() << "not root: cannot make a file of another user";
	fs::remove(f.state);
	write_state(f.state, s);
	ASSERT_EQ(::chown(f.state.c_str(), 65534, 65534), 0);
	EXPECT_EQ(refusal([&] { restore_state(f.tree, f.state); }),
		  f.state.string() + " is owned by user 65534, not 0: remove it, or chown it");
	EXPECT_TRUE(fs::exists(f.state));
}

// What a state entry may name: the files a partition writes (/proc/sys,
// IRQ affinities, /sys), cgroups under /sys/fs/cgroup, swap devices by
// absolute path. Anything else is damage, found before anything is
// restored.
TEST(Partition, AStateEntryNamesOnlyWhatAPartitionChanges)
{
	Fixture f;
	std::ofstream(f.tree / "passwd") << "root:x:0:0\n";
	fs::create_directories(f.state.parent_path());
	auto state = [](const std::string& kind, const std::string& target,
			const std::string& before, const std::string& after) {
		return nlohmann::json({{"version", 2},
				       {"by", "partition"},
				       {"cpus", "2-3"},
				       {"housekeeping", "0-1"},
				       {"cgroup", "v2"},
				       {"notes", nlohmann::json::array()},
				       {"changes",
					{{{"kind", kind},
					  {"target", target},
					  {"before", before},
					  {"after", after},
					  {"what", "t"}}}}})
			.dump();
	};
	struct Bad {
		const char* kind;
		const char* target;
		const char* before;
		const char* after;
	};
	// An absolute path: the tree's own file, as a planted one would name
	// /etc/passwd.
	const std::string absolute = (f.tree / "passwd").string();
	for (const Bad& b :
	     {Bad{"file", "passwd", "owned", "x"}, Bad{"file", absolute.c_str(), "owned", "x"},
	      Bad{"file", "proc/sys/../../passwd", "owned", "x"},
	      Bad{"file", "proc/self/attr/current", "owned", "x"},
	      Bad{"file", "proc/irq/4/../../../passwd", "owned", "x"},
	      Bad{"file", "sys/./kernel/x", "owned", "x"},
	      Bad{"file", "proc/sys/kernel/", "owned", "x"}, Bad{"mkdir", "passwd", "", ""},
	      Bad{"subtree", "sys/kernel", "off", "cpuset"},
	      Bad{"move", "1", "sys/fs/cgroup", "proc/sys/kernel/core_pattern"},
	      Bad{"move", "1", "passwd", "sys/fs/cgroup/rtnoise.isolated"},
	      Bad{"swap", "swapfile", "on prio=-2", "off"},
	      Bad{"swap", "/dev/../passwd", "on prio=-2", "off"}}) {
		const std::string text = state(b.kind, b.target, b.before, b.after);
		const std::string why = refusal([&] { state_from_json(text); });
		EXPECT_NE(why.find("the partition state file is damaged: "), std::string::npos)
			<< b.kind << " " << b.target << ": " << why;
		std::ofstream(f.state) << text;
		EXPECT_NE(refusal([&] { restore_state(f.tree, f.state); }), "");
	}
	EXPECT_EQ(read_file(f.tree / "passwd"), "root:x:0:0\n");
	// What a partition writes reads.
	for (const Bad& b :
	     {Bad{"file", "proc/sys/kernel/watchdog", "1", "0"},
	      Bad{"file", "proc/irq/4/smp_affinity_list", "0-3", "0-1"},
	      Bad{"file", "proc/irq/default_smp_affinity", "f", "3"},
	      Bad{"file", "sys/devices/virtual/workqueue/cpumask", "f", "3"},
	      Bad{"mkdir", "sys/fs/cgroup/rtnoise.isolated", "", ""},
	      Bad{"subtree", "sys/fs/cgroup", "off", "cpuset"},
	      Bad{"move", "1", "sys/fs/cgroup/cpuset", "sys/fs/cgroup/cpuset/rtnoise.housekeeping"},
	      Bad{"swap", "/dev/sda2", "on prio=-2", "off"}})
		EXPECT_EQ(refusal([&] {
				  state_from_json(state(b.kind, b.target, b.before, b.after));
			  }),
			  "")
			<< b.kind << " " << b.target;
}

// What the plan says of the running kernel: what the partition does now,
// and what only a boot parameter does. The 6.1 tree has no housekeeping
// file; kernel7() gives it one (7.x: the isolated partition updates the
// scheduler's housekeeping at run time).
namespace {

std::string notes_of(const Plan& p)
{
	std::string all;
	for (const std::string& n : p.notes)
		all += n + "\n";
	return all;
}

bool says(const Plan& p, const std::string& part)
{
	return notes_of(p).find(part) != std::string::npos;
}

}  // namespace

TEST(PartitionKernel7, PlanSaysWhatTakesEffectNowAndWhatNeedsABoot)
{
	test::HostTree old("debian-6.1-default", "plan61");
	Plan p61 = plan_partition(old.path(), {2, 3});
	EXPECT_TRUE(says(p61, "boot parameter")) << notes_of(p61);
	EXPECT_TRUE(says(p61, "nohz_full=2-3")) << notes_of(p61);
	EXPECT_TRUE(says(p61, "isolcpus=managed_irq,domain,2-3")) << notes_of(p61);
	EXPECT_FALSE(says(p61, "HK_TYPE_DOMAIN")) << notes_of(p61);
	EXPECT_TRUE(by_target(p61, "proc/sys/kernel/timer_migration"));

	test::HostTree h("debian-6.1-default", "plan7");
	h.kernel7("");
	Plan p7 = plan_partition(h.path(), {2, 3});
	EXPECT_TRUE(says(p7, "HK_TYPE_DOMAIN")) << notes_of(p7);
	EXPECT_TRUE(says(p7, "now")) << notes_of(p7);
	// Still boot-time on every kernel: the tick and managed IRQs; the
	// scheduler domain is not among them any more.
	EXPECT_TRUE(says(p7, "nohz_full=2-3")) << notes_of(p7);
	EXPECT_TRUE(says(p7, "isolcpus=managed_irq,2-3")) << notes_of(p7);
	EXPECT_FALSE(says(p7, "isolcpus=managed_irq,domain")) << notes_of(p7);
	// The partition keeps the CPUs out of timer migration by itself.
	EXPECT_FALSE(by_target(p7, "proc/sys/kernel/timer_migration"));
	EXPECT_TRUE(says(p7, "kernel.timer_migration")) << notes_of(p7);
}

TEST(PartitionKernel7, NoBootParameterAskedForThatIsThere)
{
	test::HostTree h("debian-6.1-rt-tuned", "planboot");
	h.kernel7("0-1");
	Plan p = plan_partition(h.path(), {2, 3});
	EXPECT_FALSE(says(p, "nohz_full=")) << notes_of(p);
	EXPECT_FALSE(says(p, "isolcpus=")) << notes_of(p);
}

// The monitor's last detach, at SIGTERM, may find another rtnoise holding
// the lock (a detach, a partition): it waits for it, a bounded time,
// instead of giving up and leaving everything attached.
TEST(Partition, StateLockWaitsForTheHolder)
{
	Fixture f;
	const fs::path dir = f.tree / "run/rtnoise";
	auto first = std::make_unique<StateLock>(dir);
	std::thread holder([&] {
		std::this_thread::sleep_for(std::chrono::milliseconds(300));
		first.reset();
	});
	const auto began = std::chrono::steady_clock::now();
	EXPECT_NO_THROW(StateLock waited(dir, std::chrono::seconds(10)));
	EXPECT_GE(std::chrono::steady_clock::now() - began, std::chrono::milliseconds(250));
	holder.join();

	StateLock held(dir);
	try {
		StateLock second(dir, std::chrono::milliseconds(200));
		ADD_FAILURE() << "a second lock was granted";
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::system);
		EXPECT_NE(std::string(e.what()).find("another rtnoise"), std::string::npos)
			<< e.what();
		EXPECT_NE(std::string(e.what()).find("waited 0.2 s"), std::string::npos)
			<< e.what();
	}
}

TEST(Partition, AnIsolatedPartitionTheKernelRefusedIsNoSilentSuccess)
{
	// The kernel takes the write and says in the file what it made of it.
	// 6.12 refuses any partition CPUs isolcpus= isolated at boot: those
	// need none (a note, and the cgroup a member again); any other
	// refusal is an error, never a partition said to be made.
	test::HostTree h("debian-6.1-default", "refused");
	const std::string dir = "sys/fs/cgroup/rtnoise.isolated";
	const Change c{Change::Kind::file, dir + "/cpuset.cpus.partition", "member", "isolated",
		       "make it an isolated partition"};
	ASSERT_TRUE(is_isolated_partition(c));
	h.put(dir + "/cpuset.cpus", "2-3\n");
	h.put("sys/devices/system/cpu/isolated", "2-3\n");

	h.put(dir + "/cpuset.cpus.partition", "isolated\n");
	PartitionCheck held = verify_partition(h.path(), c);
	EXPECT_TRUE(held.error.empty() && held.note.empty()) << held.error << held.note;

	const std::string hk =
		"isolated invalid (partition config conflicts with housekeeping setup)";
	h.put(dir + "/cpuset.cpus.partition", hk + "\n");
	PartitionCheck boot = verify_partition(h.path(), c);
	EXPECT_TRUE(boot.error.empty()) << boot.error;
	EXPECT_NE(boot.note.find("isolcpus= isolated at boot"), std::string::npos) << boot.note;
	EXPECT_NE(boot.note.find("CPUs 2-3"), std::string::npos) << boot.note;
	EXPECT_EQ(read_line(h.path() / dir / "cpuset.cpus.partition"), "member");

	// Not every CPU of it was isolated at boot: the same words are an error.
	h.put("sys/devices/system/cpu/isolated", "3\n");
	h.put(dir + "/cpuset.cpus.partition", hk + "\n");
	PartitionCheck some = verify_partition(h.path(), c);
	EXPECT_TRUE(some.note.empty()) << some.note;
	EXPECT_NE(some.error.find("the kernel made it '" + hk + "'"), std::string::npos)
		<< some.error;

	h.put(dir + "/cpuset.cpus.partition",
	      "isolated invalid (Cpu list in cpuset.cpus not exclusive)\n");
	PartitionCheck other = verify_partition(h.path(), c);
	EXPECT_NE(other.error.find("not exclusive"), std::string::npos) << other.error;
}
