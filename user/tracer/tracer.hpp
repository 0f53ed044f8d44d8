// SPDX-License-Identifier: GPL-2.0
// tracer.hpp - load, pin, read and remove the BPF side (bpf/rtnoise.bpf.c).
//
// attach pins every link and map under kBpfPinDir, so the CLI can exit
// and a later `rtnoise report` reads the same maps; detach removes the
// pins, which ends the programs.
//
// tracer/ owns libbpf, the skeleton and the programs' wire format
// (wire.hpp): loader.cpp sets up, reader.cpp reads the maps into the
// model. It is the only folder that includes bpf/; it includes model/,
// host/ and util/. What the trace means is analysis/'s.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/trace.hpp"
#include "util/cpulist.hpp"

namespace rtnoise {

inline constexpr const char* kBpfPinDir = "/sys/fs/bpf/rtnoise";

struct TracerOptions {
	CpuSet cpus;
	// Events kept per CPU, a power of two; 0: kRingJoined, or
	// kRingHistory on a kernel that cannot join spikes when they happen.
	std::uint32_t ring_size = 0;
	std::uint64_t sampler_fn = 0;	   // rtnoise.ko's timer callback
	std::uint32_t spike_capacity = 0;  // the sampler's, 0: no sampler
	bool verbose = false;		   // libbpf's own messages
	std::string pin_dir = kBpfPinDir;
	std::filesystem::path proc_root = "/";	// where /proc is read
	// The workload, measured from the scheduler's events: the threads
	// with these comms (at attach, or taken later) and these thread IDs
	// (a process's ID: all its threads), and the threads they start.
	std::set<std::string> workload_comms;
	std::set<std::uint64_t> workload_tids;
	std::uint64_t workload_threshold_ns = 0;  // workload spikes: at or over
};

// The event ring's default size per CPU. Where each spike is joined
// when it is recorded (bpf_loop, 5.17+), the ring is context only: a
// spike window holds tens of events, and the busy-CPU VM test explained
// every kept spike with 1024. Without bpf_loop every spike is joined at
// report time from the ring, which must reach back as far as it can.
inline constexpr std::uint32_t kRingJoined = 8192;
inline constexpr std::uint32_t kRingHistory = 32768;

struct TracerAttach {
	std::vector<std::string> tracepoints;  // attached
	std::vector<std::string> notes;	       // what this kernel cannot trace
	std::uint32_t ring_size = 0;	       // events kept per CPU
	std::uint64_t bytes = 0;	       // kernel memory of the maps
};

// BpfFeatures - what the running kernel offers the BPF programs, probed
// (never read off the version): each one missing is a named limit.
struct BpfFeatures {
	bool privileged = false;       // could load a probe program (root)
	bool fetch_atomics = false;    // BPF_ATOMIC with BPF_FETCH (5.12+)
	bool bpf_loop = false;	       // the bpf_loop helper (5.17+)
	bool tp_btf = false;	       // sched_switch in the kernel's BTF
	bool ipi_tracepoints = false;  // ipi_send_cpu and _cpumask (6.6+)
	bool fentry_ipi = false;       // the x86 IPI senders in the BTF
	// fentry links must not be pinned: a PREEMPT_RT kernel without
	// fetching atomics (5.10-rt) drops the last reference of an
	// unpinned link from an RCU callback, which then waits in
	// synchronize_rcu_tasks() for the trampoline: detach deadlocks RCU.
	bool fentry_unsafe = false;
};

// probe_bpf_features - the running kernel's (loading probe programs
// needs CAP_BPF: without it, only what the BTF says).
BpfFeatures probe_bpf_features();
// bpf_limits - the kLimit* (model/trace.hpp) an attach on @k would have,
// before any program is refused.
std::uint32_t bpf_limits(const BpfFeatures& k);

// tracer_attach - load and attach. Throws if already attached or the
// kernel refuses.
TracerAttach tracer_attach(const TracerOptions& o);
bool tracer_attached(const std::string& pin_dir = kBpfPinDir);
// sized_for - o with what attach sizes for @k resolved: the event ring's
// default, and no spike causes entries where the kernel cannot join
// spikes when they happen (no bpf_loop).
TracerOptions sized_for(TracerOptions o, const BpfFeatures& k);
// tracer_bytes - the kernel memory of the maps attach creates for o
// (sized_for() first).
std::uint64_t tracer_bytes(const TracerOptions& o);
TraceData tracer_read(const std::string& pin_dir = kBpfPinDir);
// tracer_read_joins - only the kernel's joins of spikes (what
// tracer_read() gives as TraceData::explained), read first of all. A
// reader of the sampler's spike rings calls it before them too: each
// spike recorded meanwhile takes the entry of the one cap spikes older,
// so the oldest spikes it copies may have lost theirs by the time
// tracer_read() gets there.
std::vector<std::pair<SpikeKey, SpikeCauses>> tracer_read_joins(
	const std::string& pin_dir = kBpfPinDir);
// tracer_read_since - what tracer_read() gives but the event rings and
// the kernel's joins, for a monitor's read every interval: the meta, the
// sources, origins, running threads and the workload's threads whole;
// each CPU's ring head and counts (CpuTrace without events; lost from
// the head alone); the workload's spikes from since.wl_spikes on; the
// cpuidle names if since.idle_names.
TraceData tracer_read_since(const TraceSince& since, const std::string& pin_dir = kBpfPinDir);
// tracer_read_causes - the kernel's joins in the entries of keys only
// (cpu, type and seq % capacity each): what each holds now, keyed by
// the spike it holds, each entry once.
std::vector<std::pair<SpikeKey, SpikeCauses>> tracer_read_causes(
	const std::vector<SpikeKey>& keys, const std::string& pin_dir = kBpfPinDir);
// tracer_read_rings - the event rings of cpus alone, as tracer_read()
// reads them (events by start, torn counted), with their heads' counts.
std::map<unsigned, CpuTrace> tracer_read_rings(const CpuSet& cpus,
					       const std::string& pin_dir = kBpfPinDir);
// tracer_freeze - disarm the attached programs: from now on they only
// track frames, as before attach armed them, and record nothing (no
// event, source, origin, join), so what the maps hold stays as it is
// for a later report. Returns false if nothing is attached; throws if
// the programs' globals cannot be written.
bool tracer_freeze(const std::string& pin_dir = kBpfPinDir);
// tracer_detach - remove every pin; returns false if nothing was attached.
bool tracer_detach(const std::string& pin_dir = kBpfPinDir);

}  // namespace rtnoise
