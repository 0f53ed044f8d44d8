// SPDX-License-Identifier: GPL-2.0
// session.hpp - the pipeline of every command, below the CLI: collect
// what is attached and explain it, detach, isolate and restore.
//
// app/ assembles the layers: sampler/ and tracer/ read, analysis/ joins,
// isolation/ partitions. It owns the order of the steps and what is undone
// when one fails or a signal comes (signals.hpp), and prints its progress
// on stderr. It includes every folder but cli/; it never parses options.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "host/ksyms.hpp"
#include "model/snapshot.hpp"
#include "model/trace.hpp"
#include "render/render.hpp"
#include "util/cpulist.hpp"
#include "util/error.hpp"

namespace rtnoise {

namespace fs = std::filesystem;

// Workload - the threads that are the workload (--workload), neither
// noise nor causes: by comm, and by thread ID.
struct Workload {
	std::set<std::string> comms;
	std::set<std::uint64_t> pids;
};

// CollectSources - where collect() reads from: the real sampler and
// tracer by default, fixtures in tests. sampler and tracer return
// nullopt when that side is not attached.
struct CollectSources {
	std::function<std::optional<Snapshot>()> sampler;
	std::function<std::optional<TraceData>()> tracer;
	// The kernel's joins of spikes alone, read before the sampler (see
	// tracer_read_joins()); empty when no tracer is attached. Optional.
	std::function<std::vector<std::pair<SpikeKey, SpikeCauses>>()> joins;
	std::function<Ksyms()> ksyms;
	std::function<std::uint64_t()> now;  // CLOCK_MONOTONIC, ns
};
CollectSources real_collect_sources();

// ksyms_key - the key that names hidden kernel functions (Ksyms): 16
// random bytes kept in <dir>/ksyms-key, a 0600 file of a directory only
// its owner may write (open_state_dir()), made the first time. dir is
// /run/rtnoise, a tmpfs: the key lasts one boot, as the addresses it
// names do, so that every report of a boot, and compare of two, names a
// hidden function alike; nobody but root reads it. Where that file
// cannot be had (not root), a key drawn once per process: the names hold
// within one report and one monitor's lifetime only.
KsymsKey ksyms_key(const std::filesystem::path& dir);

// sampled_or_bare - the sampler's snapshot, or, when it does not sample,
// one that names the running kernel alone (for the BPF side's data).
Snapshot sampled_or_bare(std::optional<Snapshot> sampled);

// collect - everything attached, read and joined: the sampler's data if
// rtnoise.ko is sampling or stopped, the BPF side's if it is pinned.
// Throws "nothing attached" when neither is.
Snapshot collect(const CollectSources& src, const Workload& workload);
Snapshot collect(const Workload& workload);

// cyclictest_info - this process's command line, uname(2), the wall
// clock times of s's start and end, the CPUs' NUMA nodes: what
// --format cyclictest-json says besides the measurement. /proc and /sys
// are read under root.
CyclictestInfo cyclictest_info(const Snapshot& s, const fs::path& root = "/");

// nothing_attached - the error for commands that need an attachment.
Error nothing_attached();

// DetachSteps - how detach stops each side: the real ones by default,
// fakes in tests. tracer and sampler return whether something was
// attached; any step throws when it could not do its part.
struct DetachSteps {
	std::function<bool()> tracer;	// unpin the BPF side
	std::function<bool()> sampler;	// stop and reset rtnoise.ko
	std::function<void()> unload;	// rmmod rtnoise.ko; empty: keep it
};
DetachSteps real_detach_steps(bool unload);

struct DetachResult {
	bool any = false;		  // something was attached
	std::vector<std::string> errors;  // what could not be done, and why
};

// detach_all - stop and free both sides, undo a partition that attach
// --isolate recorded in state_path (under root), unload if asked: each
// step whatever became of the others (a damaged state file must not
// leave the SCHED_FIFO sampler threads running).
DetachResult detach_all(const DetachSteps& steps, const fs::path& root, const fs::path& state_path);
DetachResult detach_all(bool unload = false);
// detach_everything - detach_all() under the lock on /run/rtnoise; what
// it could not undo is a system Error, after everything else was done.
// wait: how long to wait for another holder of the lock (none by default).
DetachResult detach_everything(bool unload = false,
			       std::chrono::milliseconds wait = std::chrono::milliseconds::zero());
// join_errors - "a; b": several errors in one line.
std::string join_errors(const std::vector<std::string>& errors);

// isolate - plan and apply a partition of cpus (by: "partition" or
// "attach"), prior values kept in state_path; with dry_run, print it.
// keep_ftrace (or a BPF side already attached) leaves function tracing
// on. The caller checked the CPUs (check_watchable()) and holds the
// StateLock of state_path's directory.
void isolate(const CpuSet& cpus, bool dry_run, const std::string& by, const std::string& state_path,
	     bool keep_ftrace = false);
// refuse_if_partitioned - throw if state_path records a partition.
void refuse_if_partitioned(const std::string& state_path);
// restore_partition - undo the partition state_path records; throws if
// some values could not be put back (the file keeps exactly those).
void restore_partition(const std::string& state_path);

struct PartitionRequest {
	CpuSet cpus;	       // to isolate
	bool restore = false;  // undo instead
	bool dry_run = false;  // print the plan only
	std::string state;     // the state file
};
// partition - `rtnoise partition`: under the lock on the state file's
// directory (none for a dry run), restore what it records, or check the
// CPUs and isolate them. The caller is root.
void partition(const PartitionRequest& r);

}  // namespace rtnoise
