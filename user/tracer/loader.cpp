// SPDX-License-Identifier: GPL-2.0
// loader.cpp - open, load, attach, pin and arm the BPF programs; unpin.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <string_view>
#include <type_traits>
#include <vector>

#include <linux/bpf.h>

#include "host/procfs.hpp"
#include "model/snapshot.hpp"
#include "rtnoise.skel.h"
#include "rtnoise_compat.skel.h"
#include "tracer/tracer.hpp"
#include "tracer/wire.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace rtnoise {
namespace {

namespace fs = std::filesystem;

constexpr unsigned long kBpfFsMagic = 0xcafe4a11;

// Tracepoints rtnoise cannot work without; the others may be absent
// (irq_vectors off x86, tick_stop without NO_HZ, MCE vectors, ...).
const std::set<std::string> kRequired{"sched_switch", "irq_handler_entry", "irq_handler_exit",
				      "softirq_entry", "softirq_exit"};

bool g_verbose;
// The programs libbpf said it failed to load, from its messages.
std::vector<std::string> g_failed;

int print_libbpf(enum libbpf_print_level, const char* fmt, va_list args)
{
	va_list copy;
	va_copy(copy, args);
	char line[512];
	std::vsnprintf(line, sizeof(line), fmt, copy);
	va_end(copy);
	// libbpf: "prog 'NAME': failed to load: -13"
	const std::string_view l(line);
	if (auto at = l.find("prog '"); at != std::string_view::npos) {
		auto name = l.substr(at + 6);
		if (auto end = name.find("': failed to load"); end != std::string_view::npos)
			g_failed.emplace_back(name.substr(0, end));
	}
	return g_verbose ? std::vfprintf(stderr, fmt, args) : 0;
}

struct SkelDeleter {
	void operator()(rtnoise_bpf* s) const { rtnoise_bpf__destroy(s); }
};

void mount_bpffs(const fs::path& dir)
{
	fs::path base = dir.parent_path();
	struct statfs st {};
	if (statfs(base.c_str(), &st) == 0 && static_cast<unsigned long>(st.f_type) == kBpfFsMagic)
		return;
	std::error_code ec;
	fs::create_directories(base, ec);
	if (mount("bpf", base.c_str(), "bpf", 0, "mode=0700") != 0)
		throw system_error("cannot mount bpffs on " + base.string() + ": " +
				   errno_text(errno));
}

// tp_of - "sched_switch" from a program named "sched_switch_btf".
std::string tp_of(const bpf_program* p)
{
	std::string sec = bpf_program__section_name(p);
	return sec.substr(sec.find('/') + 1);
}

std::string flavour_of(const bpf_program* p)
{
	std::string name = bpf_program__name(p);
	return name.substr(name.rfind('_') + 1);
}

// touch_cpus - run briefly on each CPU, so each sees a sched_switch now.
// Until its first switch a CPU has no thread frame: a busy loop that was
// already running on a nohz_full CPU might otherwise never be seen. Then
// keep this process off those CPUs: from here on it would be noise there.
void touch_cpus(const CpuSet& cpus)
{
	cpu_set_t old;
	if (sched_getaffinity(0, sizeof(old), &old))
		return;
	for (unsigned cpu : cpus) {
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one) == 0)
			sched_yield();
	}
	cpu_set_t away = old;
	for (unsigned cpu : cpus)
		if (cpu < CPU_SETSIZE)
			CPU_CLR(cpu, &away);
	if (CPU_COUNT(&away) == 0 || sched_setaffinity(0, sizeof(away), &away))
		sched_setaffinity(0, sizeof(old), &old);
}

// open_skel - rtnoise.skel.h's skeleton, opened on the object built for
// kernels without fetching atomics if @compat: both objects have the same
// programs, maps and globals (bpf/rtnoise.bpf.c), and libbpf refuses to
// open a skeleton whose names it does not find.
rtnoise_bpf* open_skel(bool compat)
{
	if (!compat)
		return rtnoise_bpf__open();
	auto* obj = static_cast<rtnoise_bpf*>(std::calloc(1, sizeof(rtnoise_bpf)));
	if (!obj) {
		errno = ENOMEM;
		return nullptr;
	}
	int err = rtnoise_bpf__create_skeleton(obj);
	if (!err) {
		obj->skeleton->data =
			const_cast<void*>(rtnoise_compat_bpf__elf_bytes(&obj->skeleton->data_sz));
		err = bpf_object__open_skeleton(obj->skeleton, nullptr);
	}
	if (err) {
		rtnoise_bpf__destroy(obj);
		errno = -err;
		return nullptr;
	}
	return obj;
}

// kNeedsLoop - the tracepoints whose programs call bpf_loop (5.17+) in
// rtnoise.bpf.o.
const std::set<std::string> kNeedsLoop{"task_rename", "rtnoise_spike"};

// kWorkloadOnly - the tracepoints only the workload's measure needs:
// without --workload they are not loaded, and the system calls of every
// task keep their fast path.
const std::set<std::string> kWorkloadOnly{"sched_process_fork",
					  "sched_process_exit",
					  "sched_migrate_task",
					  "page_fault_user",
					  "page_fault_kernel",
					  "sys_enter",
					  "sys_exit"};

bool has_workload(const TracerOptions& o)
{
	return !o.workload_comms.empty() || !o.workload_tids.empty();
}

// wl_comm - @comm as the kernel keeps it: 15 bytes and a NUL, zeroed after
rtnoise_wl_comm wl_comm(const std::string& comm)
{
	rtnoise_wl_comm c{};
	comm.copy(c.comm, sizeof(c.comm) - 1);
	return c;
}

// name_workload - the comms the programs follow threads by.
void name_workload(rtnoise_bpf* skel, const TracerOptions& o)
{
	const std::uint32_t one = 1;
	for (const std::string& comm : o.workload_comms) {
		const rtnoise_wl_comm c = wl_comm(comm);
		if (bpf_map__update_elem(skel->maps.wl_comms, &c, sizeof(c), &one, sizeof(one),
					 BPF_ANY))
			throw system_error("cannot name the workload (more than " +
					   std::to_string(RTNOISE_WL_COMMS) +
					   " comms?): " + errno_text(errno));
	}
}

// follow_workload - the workload's threads already running: by comm, by
// thread ID, and every thread of a process named by its ID. What the
// programs found first (a thread started meanwhile) stays theirs.
void follow_workload(rtnoise_bpf* skel, const TracerOptions& o)
{
	std::error_code ec;
	const fs::path proc = o.proc_root / "proc";
	for (const auto& p : fs::directory_iterator(proc, ec)) {
		const std::string pid = p.path().filename();
		if (pid.find_first_not_of("0123456789") != std::string::npos)
			continue;
		std::error_code tec;
		for (const auto& t : fs::directory_iterator(p.path() / "task", tec)) {
			const std::string tid = t.path().filename();
			if (tid.find_first_not_of("0123456789") != std::string::npos)
				continue;
			const auto comm = read_line(t.path() / "comm");
			const std::uint64_t tgid = std::strtoull(pid.c_str(), nullptr, 10);
			const std::uint64_t id = std::strtoull(tid.c_str(), nullptr, 10);
			if (!comm || (!o.workload_comms.count(*comm) &&
				      !o.workload_tids.count(id) && !o.workload_tids.count(tgid)))
				continue;
			rtnoise_wl_thread w{};
			w.tgid = static_cast<__u32>(tgid);
			w.cpu = ~0u;
			const rtnoise_wl_comm c = wl_comm(*comm);
			std::memcpy(w.comm, c.comm, sizeof(w.comm));
			const auto key = static_cast<__u32>(id);
			bpf_map__update_elem(skel->maps.wl_threads, &key, sizeof(key), &w,
					     sizeof(w), BPF_NOEXIST);
		}
	}
}

// Load - what one try at loading gave.
struct Load {
	std::unique_ptr<rtnoise_bpf, SkelDeleter> skel;
	int err = 0;
	std::string failed;  // the program libbpf named, if it did
	bool any_fentry = false;
	bool rename = false;  // a task_rename twin is loaded
};

// open_and_load - the skeleton, configured for @o and loaded, without
// the programs in @refused. With @fentry, the fentry IPI senders too
// where the kernel lacks ipi_send_*.
Load open_and_load(const TracerOptions& o, const BpfFeatures& k, rtnoise_meta& meta, bool fentry,
		   const std::set<std::string>& refused)
{
	Load l;
	const bool compat = !k.fetch_atomics;
	l.skel.reset(open_skel(compat));
	if (!l.skel)
		throw system_error("cannot open the BPF object: " + errno_text(errno));
	rtnoise_bpf* skel = l.skel.get();

	std::uint32_t slots = 0;
	meta = rtnoise_meta{};
	for (unsigned cpu : o.cpus) {
		skel->rodata->slot_of[cpu] = ++slots;
		skel->rodata->slot_cpu[slots - 1] = cpu;
		meta.slot_cpu[slots - 1] = cpu;
	}
	skel->rodata->nr_slots = slots;
	skel->rodata->ring_size = o.ring_size;
	skel->rodata->sampler_fn = o.sampler_fn;
	// One causes entry per spike-ring position, up to a bound: a ring
	// larger than that shares entries, and its older spikes fall back to
	// the event history.
	const std::uint32_t causes = std::min<std::uint32_t>(o.spike_capacity, RTNOISE_CAUSES_MAX);
	skel->rodata->causes_capacity = causes;
	meta.ring_size = o.ring_size;
	meta.nr_slots = slots;
	meta.spike_capacity = causes;
	if (int err = bpf_map__set_max_entries(skel->maps.events, slots * o.ring_size))
		throw system_error("cannot size the event ring: " + errno_text(-err));
	if (int err = bpf_map__set_max_entries(skel->maps.cpu_sources,
					       std::max<std::uint32_t>(1, slots) *
						       RTNOISE_BPF_SRC_SLOTS))
		throw system_error("cannot size the per-CPU sources: " + errno_text(-err));
	if (int err = bpf_map__set_max_entries(skel->maps.causes,
					       std::max<std::uint32_t>(1, slots * 2 * causes)))
		throw system_error("cannot size the spike causes: " + errno_text(-err));
	const bool workload = has_workload(o);
	if (workload) {
		skel->rodata->wl_enabled = 1;
		skel->rodata->wl_threshold_ns = o.workload_threshold_ns;
		meta.wl_threshold_ns = o.workload_threshold_ns;
	}
	if (int err = bpf_map__set_max_entries(skel->maps.wl_spikes,
					       workload ? slots * RTNOISE_WL_SPIKES : 1))
		throw system_error("cannot size the workload's spikes: " + errno_text(-err));
	// Without a workload its threads' map is one entry, not 1 MiB.
	if (int err = bpf_map__set_max_entries(skel->maps.wl_threads,
					       workload ? RTNOISE_WL_THREADS : 1))
		throw system_error("cannot size the workload's threads: " + errno_text(-err));

	// tp_btf where the kernel's BTF knows the tracepoint, else raw_tp;
	// a twin the verifier refused gives way to the other.
	bpf_program* prog;
	bpf_object__for_each_program(prog, skel->obj)
	{
		const std::string name = bpf_program__name(prog);
		const std::string tp = tp_of(prog);
		const std::string flavour = flavour_of(prog);
		// The compat object renames with a bounded loop instead.
		const bool loop = kNeedsLoop.count(tp) && !(compat && tp == "task_rename");
		bool on = !refused.count(name) && (k.bpf_loop || !loop) &&
			  (workload || !kWorkloadOnly.count(tp));
		if (flavour == "fentry") {
			on = on && fentry && !k.ipi_tracepoints && !k.fentry_unsafe &&
			     libbpf_find_vmlinux_btf_id(tp.c_str(), BPF_TRACE_FENTRY) > 0;
			l.any_fentry |= on;
		} else if (on) {
			const bool btf =
				libbpf_find_vmlinux_btf_id(tp.c_str(), BPF_TRACE_RAW_TP) > 0 &&
				!refused.count(tp + "_btf");
			on = btf == (flavour == "btf");
		}
		bpf_program__set_autoload(prog, on);
		l.rename |= on && tp == "task_rename";
	}

	g_failed.clear();
	if (int err = rtnoise_bpf__load(skel)) {
		l.err = -err;
		l.failed = g_failed.empty() ? "" : g_failed.front();
		l.skel.reset();
	}
	return l;
}

// required - whether attach must fail without program @name
bool required(const std::string& name)
{
	const auto us = name.rfind('_');
	return us != std::string::npos && kRequired.count(name.substr(0, us));
}

// load - open_and_load() until it loads: each optional program the
// verifier refuses is left out (and said), so that one program does not
// take the others down; a kernel that refuses fentry on the IPI senders
// (notrace, no direct calls) is traced without them.
Load load(const TracerOptions& o, const BpfFeatures& k, rtnoise_meta& meta, bool fentry,
	  std::set<std::string>& refused)
{
	for (;;) {
		Load l = open_and_load(o, k, meta, fentry, refused);
		if (l.skel)
			return l;
		if (!l.failed.empty() && !required(l.failed) && !refused.count(l.failed) &&
		    refused.size() < 16) {
			refused.insert(l.failed);
			continue;
		}
		if (l.failed.empty() && l.any_fentry) {
			fentry = false;
			continue;
		}
		throw system_error("the kernel refused rtnoise's BPF programs" +
				   (l.failed.empty() ? std::string() : " (" + l.failed + ")") +
				   ": " + errno_text(l.err) + " (rerun with --verbose)");
	}
}

// probe_fetch_atomics - whether the verifier takes BPF_ATOMIC with
// BPF_FETCH (5.12+): a socket filter that fetch-adds on its stack.
bool probe_fetch_atomics()
{
	const bpf_insn insns[] = {
		{BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
		{BPF_STX | BPF_MEM | BPF_DW, 10, 0, -8, 0},
		{BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 1},
		{BPF_STX | BPF_ATOMIC | BPF_DW, 10, 1, -8, BPF_ADD | BPF_FETCH},
		{BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
		{BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
	};
	const int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "rtnoise_probe", "GPL", insns,
				     sizeof(insns) / sizeof(insns[0]), nullptr);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static_assert(kLimitNoFetchAtomics == static_cast<std::uint32_t>(RTNOISE_LIMIT_NO_FETCH_ATOMICS));
static_assert(kLimitNoBpfLoop == static_cast<std::uint32_t>(RTNOISE_LIMIT_NO_BPF_LOOP));
static_assert(kLimitJoinRefused == static_cast<std::uint32_t>(RTNOISE_LIMIT_JOIN_REFUSED));
static_assert(kLimitNoIpiSenders == static_cast<std::uint32_t>(RTNOISE_LIMIT_NO_IPI_SENDERS));
static_assert(kLimitNoRename == static_cast<std::uint32_t>(RTNOISE_LIMIT_NO_RENAME));

// limits_of - the kLimit* bits of a load on kernel @k
std::uint32_t limits_of(const BpfFeatures& k, const std::set<std::string>& refused, bool rename,
			bool ipi_senders)
{
	std::uint32_t l = 0;
	if (!k.fetch_atomics)
		l |= kLimitNoFetchAtomics;
	if (!k.bpf_loop)
		l |= kLimitNoBpfLoop;
	else if (refused.count("rtnoise_spike_raw"))
		l |= kLimitJoinRefused;
	if (!ipi_senders)
		l |= kLimitNoIpiSenders;
	if (!rename)
		l |= kLimitNoRename;
	return l;
}

// write_meta - the CPUs, the ring's geometry and when the trace begins.
void write_meta(rtnoise_bpf* skel, rtnoise_meta& meta)
{
	meta.start_ns = monotonic_ns();
	std::uint32_t zero = 0;
	if (bpf_map__update_elem(skel->maps.meta, &zero, sizeof(zero), &meta, sizeof(meta),
				 BPF_ANY))
		throw system_error("cannot write the BPF meta map: " + errno_text(errno));
}

// attach_and_pin - attach each program loaded and pin its link, then
// every map: the tracepoints attached. The caller detaches on a throw.
std::vector<std::string> attach_and_pin(rtnoise_bpf* skel, const TracerOptions& o)
{
	std::vector<std::string> attached;
	bpf_program* prog;
	bpf_object__for_each_program(prog, skel->obj)
	{
		if (!bpf_program__autoload(prog))
			continue;
		std::string tp = tp_of(prog);
		bpf_link* link = bpf_program__attach(prog);
		if (!link) {
			int err = errno;
			if (kRequired.count(tp))
				throw system_error("cannot attach to " + tp + ": " +
						   errno_text(err));
			continue;  // this kernel has no such tracepoint
		}
		std::string pin = (fs::path(o.pin_dir) / "links" / tp).string();
		int err = bpf_link__pin(link, pin.c_str());
		bpf_link__disconnect(link);
		bpf_link__destroy(link);
		if (err)
			throw system_error("cannot pin " + pin + ": " + errno_text(-err));
		attached.push_back(tp);
	}
	// Every map under its name, for report to read; the
	// skeleton's own (.rodata, .bss) too, which costs nothing.
	if (int err = bpf_object__pin_maps(skel->obj, o.pin_dir.c_str()))
		throw system_error("cannot pin the maps under " + o.pin_dir + ": " +
				   errno_text(-err));
	return attached;
}

}  // namespace

BpfFeatures probe_bpf_features()
{
	BpfFeatures k;
	k.tp_btf = libbpf_find_vmlinux_btf_id("sched_switch", BPF_TRACE_RAW_TP) > 0;
	k.ipi_tracepoints = libbpf_find_vmlinux_btf_id("ipi_send_cpu", BPF_TRACE_RAW_TP) > 0 &&
			    libbpf_find_vmlinux_btf_id("ipi_send_cpumask", BPF_TRACE_RAW_TP) > 0;
	k.fentry_ipi =
		libbpf_find_vmlinux_btf_id("native_smp_send_reschedule", BPF_TRACE_FENTRY) > 0;
	libbpf_set_print(print_libbpf);
	k.privileged = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SOCKET_FILTER, nullptr) == 1;
	if (k.privileged) {
		k.fetch_atomics = probe_fetch_atomics();
		k.fentry_unsafe =
			!k.fetch_atomics && read_line("/sys/kernel/realtime").value_or("0") == "1";
		k.bpf_loop = libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_loop,
						     nullptr) == 1;
	}
	return k;
}

std::uint32_t bpf_limits(const BpfFeatures& k)
{
	return limits_of(k, {}, k.bpf_loop || !k.fetch_atomics,
			 k.ipi_tracepoints || (k.fentry_ipi && !k.fentry_unsafe));
}

TracerOptions sized_for(TracerOptions o, const BpfFeatures& k)
{
	if (o.ring_size == 0)
		o.ring_size = k.bpf_loop ? kRingJoined : kRingHistory;
	// The spike-time join needs bpf_loop: without it, entries would
	// only take memory.
	if (!k.bpf_loop)
		o.spike_capacity = 0;
	return o;
}

std::uint64_t tracer_bytes(const TracerOptions& o)
{
	const std::uint64_t cpus = o.cpus.size();
	const std::uint64_t causes = std::min<std::uint32_t>(o.spike_capacity, RTNOISE_CAUSES_MAX);
	// Hash entries: key, value and about 40 bytes of bucket and element.
	auto hash = [](std::uint64_t n, std::uint64_t k, std::uint64_t v) {
		return n * (k + v + 40);
	};
	return cpus * o.ring_size * sizeof(rtnoise_event) +
	       cpus * 2 * causes * sizeof(rtnoise_spike_causes) +
	       cpus * RTNOISE_BPF_SRC_SLOTS * sizeof(rtnoise_src_slot) +
	       hash(RTNOISE_BPF_SOURCES, sizeof(rtnoise_src_key), sizeof(rtnoise_src_val)) +
	       hash(RTNOISE_BPF_ORIGINS, sizeof(rtnoise_origin_key), sizeof(rtnoise_origin_val)) +
	       hash(RTNOISE_BPF_PARKED, sizeof(__u32), sizeof(rtnoise_parked)) +
	       (has_workload(o)
			? cpus * RTNOISE_WL_SPIKES * sizeof(rtnoise_wl_spike) +
				  hash(RTNOISE_WL_THREADS, sizeof(__u32), sizeof(rtnoise_wl_thread))
			: hash(1, sizeof(__u32), sizeof(rtnoise_wl_thread))) +
	       sizeof(rtnoise_wl_thread) +
	       hash(RTNOISE_WL_COMMS, sizeof(rtnoise_wl_comm), sizeof(__u32));
}

bool tracer_attached(const std::string& pin_dir)
{
	return fs::exists(fs::path(pin_dir) / "sources");
}

bool tracer_freeze(const std::string& pin_dir)
{
	if (!tracer_attached(pin_dir))
		return false;
	// The skeleton's .bss, pinned by bpf_object__pin_maps() under its
	// map name with '.' made '_' ("rtnoise__bss"): its only global is
	// armed, so the whole value is written.
	using Bss = std::remove_pointer_t<decltype(rtnoise_bpf::bss)>;
	static_assert(sizeof(Bss) == sizeof(__u32), "armed is .bss's only global");
	std::error_code ec;
	for (const fs::directory_entry& e : fs::directory_iterator(pin_dir, ec)) {
		const std::string name = e.path().filename().string();
		if (name.size() < 4 || name.compare(name.size() - 4, 4, "_bss") != 0)
			continue;
		const int fd = bpf_obj_get(e.path().c_str());
		if (fd < 0)
			throw system_error("cannot open " + e.path().string() + ": " +
					   errno_text(errno));
		const UniqueFd map(fd);
		const __u32 key = 0;
		const Bss off{};
		if (bpf_map_update_elem(map.get(), &key, &off, BPF_ANY) != 0)
			throw system_error("cannot disarm the BPF programs (" + e.path().string() +
					   "): " + errno_text(errno));
		return true;
	}
	throw system_error("cannot disarm the BPF programs: no .bss map pinned under " + pin_dir +
			   (ec ? ": " + ec.message() : std::string()));
}

bool tracer_detach(const std::string& pin_dir)
{
	std::error_code ec;
	if (!fs::exists(pin_dir, ec))
		return false;
	// Unpinning drops the last reference of each link and map.
	fs::remove_all(pin_dir, ec);
	if (ec)
		throw system_error("cannot remove " + pin_dir + ": " + ec.message());
	return true;
}

TracerAttach tracer_attach(const TracerOptions& asked)
{
	if (tracer_attached(asked.pin_dir))
		throw system_error("the BPF tracer is already attached (" + asked.pin_dir +
				   "): run 'rtnoise detach' first");
	if (asked.cpus.empty() || *asked.cpus.rbegin() >= RTNOISE_BPF_MAX_CPUS)
		throw usage_error("the BPF tracer watches CPUs 0-" +
				  std::to_string(RTNOISE_BPF_MAX_CPUS - 1));
	if (asked.ring_size & (asked.ring_size - 1))
		throw usage_error("the event ring size must be a power of two");

	g_verbose = asked.verbose;
	libbpf_set_print(print_libbpf);
	struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
	setrlimit(RLIMIT_MEMLOCK, &rl);

	TracerAttach result;
	// fentry programs attach with ftrace_enabled=0 and never run: then
	// IPIs are traced without their senders, and attach says so.
	const bool ftrace =
		read_line(asked.proc_root / "proc/sys/kernel/ftrace_enabled").value_or("1") != "0";
	rtnoise_meta meta{};
	const BpfFeatures k = probe_bpf_features();
	const TracerOptions o = sized_for(asked, k);
	result.ring_size = o.ring_size;
	result.bytes = tracer_bytes(o);
	std::set<std::string> refused;
	Load l = load(o, k, meta, ftrace, refused);
	auto& skel = l.skel;
	if (!k.ipi_tracepoints && k.fentry_unsafe)
		result.notes.emplace_back(
			"no fentry on the IPI senders: this PREEMPT_RT kernel frees a detached "
			"fentry program from an RCU callback that waits for RCU tasks, which "
			"deadlocks (seen on 5.10-rt)");
	else if (!k.ipi_tracepoints && !ftrace)
		result.notes.emplace_back("kernel.ftrace_enabled is 0: IPIs are traced without "
					  "their senders (sysctl -w kernel.ftrace_enabled=1 "
					  "gives them back)");
	meta.limits = limits_of(k, refused, l.rename, l.any_fentry || k.ipi_tracepoints);
	std::vector<std::string> names(refused.begin(), refused.end());
	std::string joined;
	for (const std::string& r : names)
		joined += (joined.empty() ? "" : " ") + r;
	joined.copy(meta.refused, sizeof(meta.refused) - 1);
	for (const TraceLimit& t : trace_limits(meta.limits, names))
		result.notes.push_back(t.effect);

	write_meta(skel.get(), meta);

	mount_bpffs(o.pin_dir);
	std::error_code ec;
	fs::remove_all(o.pin_dir, ec);	// what an interrupted attach left
	ec.clear();
	fs::create_directories(fs::path(o.pin_dir) / "links", ec);
	if (ec)
		throw system_error("cannot create " + o.pin_dir + ": " + ec.message());

	try {
		if (has_workload(o))
			name_workload(skel.get(), o);
		result.tracepoints = attach_and_pin(skel.get(), o);
	} catch (...) {
		tracer_detach(o.pin_dir);
		throw;
	}
	// Frames first (the touch gives each watched CPU one), then arm:
	// from here on the programs record, and the trace begins.
	touch_cpus(o.cpus);
	try {
		if (has_workload(o))
			follow_workload(skel.get(), o);
		write_meta(skel.get(), meta);
		// .bss is mapped into this process: the store arms the programs.
		__atomic_store_n(&skel->bss->armed, 1, __ATOMIC_RELEASE);
	} catch (...) {
		tracer_detach(o.pin_dir);
		throw;
	}
	return result;
}

}  // namespace rtnoise
