// SPDX-License-Identifier: GPL-2.0
// partition.hpp - isolate CPUs at run time, and undo it exactly: the plan
// (plan.cpp), the state file (state.cpp), the changes (apply.cpp).
//
// isolation/ owns what rtnoise does to a host's isolation: check, partition
// and tune, all of them after the guides' table (model/guide.hpp). It
// includes host/, model/ and util/.
//
// A partition is a list of changes, each with the value it replaces. The
// whole list is written to the state file (atomically, fsync'd) before
// the first change is made, so --restore can put everything back even
// after an apply that was killed half-way; restoring writes every prior
// value, changed or not, which is harmless.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "util/cpulist.hpp"
#include "util/fd.hpp"

namespace rtnoise {

namespace fs = std::filesystem;

struct Change {
	enum class Kind {
		file,	   // write `after` to a file under root
		mkdir,	   // create a cgroup directory (restore: rmdir)
		subtree,   // enable a cgroup v2 controller (restore: disable)
		affinity,  // sched_setaffinity(tid) to a CPU list
		sched,	   // policy and priority of tid: "fifo 2", "other 0"
		move,	   // move tid into a cgroup (`after`), from `before`
		swap,	   // swapoff a device (restore: swapon)
	};
	Kind kind = Kind::file;
	std::string target;  // path relative to root, tid, or device
	std::string before;
	std::string after;
	std::string what;  // for people
	// affinity, sched, move: the task's start time (field 22 of its
	// stat), so that a task whose ID was reused is not touched; 0: not
	// recorded (version 1).
	std::uint64_t start = 0;
};

const char* change_kind_name(Change::Kind k);
// task_id - the thread ID a task change (affinity, sched, move) acts on:
// its target is "tid" or "tid:comm"; nullopt when it is neither.
std::optional<pid_t> task_id(const std::string& target);

struct Plan {
	CpuSet cpus;
	CpuSet housekeeping;
	std::string cgroup;  // "v2", "v1" or "none"
	std::vector<Change> changes;
	std::vector<std::string> notes;	 // what cannot be done, and why
};

struct PlanOptions {
	// Leave kernel.ftrace_enabled alone: BPF programs that attach with
	// fentry (rtnoise's IPI senders before 6.6) stop when it is 0.
	bool keep_ftrace = false;
};

// plan_partition - every change that isolates cpus on the host under root.
// Pure but for reads.
Plan plan_partition(const fs::path& root, const CpuSet& cpus, const PlanOptions& o = {});

// The state file: the plan, with who made it.
struct State {
	std::string by;	 // "partition" or "attach"
	Plan plan;
};
std::string state_to_json(const State& s);
// partition_makes - whether a state file may name c: what a partition
// changes (sysctls, IRQ affinities, the guides' /sys knobs, cgroups,
// swap devices by absolute path, threads). state_from_json() refuses a
// file with any other entry, so plan_partition() plans nothing else.
bool partition_makes(const Change& c);
State state_from_json(const std::string& text);
// write_state - atomically: a temporary file, fsync, rename, fsync the
// dir, which open_state_dir() makes or checks.
void write_state(const fs::path& path, const State& s);
// read_state - the text of the state file, nullopt when there is none.
// Root acts on what it lists: throws a system Error for a link, for what
// is not a regular file, or for a file another user owns or may write.
std::optional<std::string> read_state(const fs::path& path);
// open_state_dir - dir opened (never through a link), created 0700
// whatever the umask if it is not there; throws a system Error when
// another user owns it or may write to it.
UniqueFd open_state_dir(const fs::path& dir);

struct Outcome {
	std::size_t done = 0;
	std::vector<std::string> failed;   // "what: why"
	std::vector<std::string> skipped;  // a task whose ID another took
	// What the kernel made otherwise than planned, and why (the
	// partition: see verify_partition)
	std::vector<std::string> notes;
};

// apply_change / restore_change - one change, against root.
// Return "" on success, else why it failed.
std::string apply_change(const fs::path& root, const Change& c);
std::string restore_change(const fs::path& root, const Change& c);

// PartitionCheck - what verify_partition() found: an error, a note, or
// neither (the partition holds).
struct PartitionCheck {
	std::string error;
	std::string note;
};

// is_isolated_partition - c makes a cgroup an isolated cpuset partition
bool is_isolated_partition(const Change& c);

// verify_partition - what the kernel made of c, a partition just
// written: it accepts the write and says in the file what it made
// ("isolated invalid (<why>)"). Some kernels (6.12) refuse any partition
// the CPUs that isolcpus= isolated at boot ("partition config conflicts
// with housekeeping setup"); where it has every CPU of c's cgroup, the
// scheduler keeps tasks off them already: the cgroup is made a member
// again and the note says so. Anything else is the error. (Before 5.15,
// writing "isolated" is EINVAL: apply_plan notes it, and makes none.)
PartitionCheck verify_partition(const fs::path& root, const Change& c);

// swapon_flags - the swapon(2) flags that give a swap change back its
// priority: SWAP_FLAG_PREFER and the priority if one was chosen (>= 0).
int swapon_flags(const Change& c);

// apply_plan - record the plan in state_path, then apply it.
Outcome apply_plan(const fs::path& root, const fs::path& state_path, const State& s);
// restore_state - undo everything recorded in state_path, then remove it;
// if some changes could not be undone, state_path is rewritten to hold
// exactly those, in their order, and they are in Outcome::failed.
Outcome restore_state(const fs::path& root, const fs::path& state_path);

// StateLock - an exclusive flock(2) on the state directory, held by
// partition --isolate and --restore, attach and detach for as long as
// they change the host, so that two of them never interleave (one would
// take the other's state file for the original values, or unpin the
// other's programs). Another holder: a system Error once wait has passed
// (at once by default; the monitor's last detach waits).
class StateLock {
public:
	explicit StateLock(const fs::path& dir,
			   std::chrono::milliseconds wait = std::chrono::milliseconds::zero());
	~StateLock();
	StateLock(const StateLock&) = delete;
	StateLock& operator=(const StateLock&) = delete;

private:
	int fd_ = -1;
};

inline constexpr const char* kStateDir = "/run/rtnoise";
inline constexpr const char* kStatePath = "/run/rtnoise/partition.json";
inline constexpr int kStateVersion = 2;
inline constexpr const char* kCgroupName = "rtnoise.isolated";

}  // namespace rtnoise
