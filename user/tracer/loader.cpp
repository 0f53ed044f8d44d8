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
#include <filesystem>
#include <memory>
#include <set>
#include <vector>

#include "host/procfs.hpp"
#include "rtnoise.skel.h"
#include "tracer/tracer.hpp"
#include "tracer/wire.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"

namespace rtnoise {
namespace {

namespace fs = std::filesystem;

constexpr unsigned long kBpfFsMagic = 0xcafe4a11;

// Tracepoints rtnoise cannot work without; the others may be absent
// (irq_vectors off x86, tick_stop without NO_HZ, MCE vectors, ...).
const std::set<std::string> kRequired{"sched_switch", "irq_handler_entry", "irq_handler_exit",
				      "softirq_entry", "softirq_exit"};

bool g_verbose;

int print_libbpf(enum libbpf_print_level, const char* fmt, va_list args)
{
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

// open_and_load - the skeleton, configured for @o and loaded. With
// @fentry, the fentry IPI senders too where the kernel lacks ipi_send_*.
std::unique_ptr<rtnoise_bpf, SkelDeleter> open_and_load(const TracerOptions& o, rtnoise_meta& meta,
							bool fentry, bool& needs_fentry)
{
	std::unique_ptr<rtnoise_bpf, SkelDeleter> skel(rtnoise_bpf__open());
	if (!skel)
		throw system_error("cannot open the BPF object: " + errno_text(errno));

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

	// tp_btf where the kernel's BTF knows the tracepoint, else raw_tp.
	const bool ipi_tps = libbpf_find_vmlinux_btf_id("ipi_send_cpu", BPF_TRACE_RAW_TP) > 0;
	needs_fentry = !ipi_tps;
	bool any_fentry = false;
	bpf_program* prog;
	bpf_object__for_each_program(prog, skel->obj)
	{
		std::string tp = tp_of(prog);
		std::string flavour = flavour_of(prog);
		if (flavour == "fentry") {
			bool on = fentry && !ipi_tps &&
				  libbpf_find_vmlinux_btf_id(tp.c_str(), BPF_TRACE_FENTRY) > 0;
			bpf_program__set_autoload(prog, on);
			any_fentry |= on;
			continue;
		}
		bool btf = libbpf_find_vmlinux_btf_id(tp.c_str(), BPF_TRACE_RAW_TP) > 0;
		bpf_program__set_autoload(prog, btf == (flavour == "btf"));
	}

	if (int err = rtnoise_bpf__load(skel.get())) {
		// A kernel may refuse fentry on these (notrace, no direct
		// calls): then trace without the IPI senders.
		if (any_fentry)
			return nullptr;
		throw system_error("the kernel refused rtnoise's BPF programs: " +
				   errno_text(-err) + " (rerun with --verbose)");
	}
	return skel;
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

}  // namespace

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
	       hash(RTNOISE_BPF_PARKED, sizeof(__u32), sizeof(rtnoise_parked));
}

bool tracer_attached(const std::string& pin_dir)
{
	return fs::exists(fs::path(pin_dir) / "sources");
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

TracerAttach tracer_attach(const TracerOptions& o)
{
	if (tracer_attached(o.pin_dir))
		throw system_error("the BPF tracer is already attached (" + o.pin_dir +
				   "): run 'rtnoise detach' first");
	if (o.cpus.empty() || *o.cpus.rbegin() >= RTNOISE_BPF_MAX_CPUS)
		throw usage_error("the BPF tracer watches CPUs 0-" +
				  std::to_string(RTNOISE_BPF_MAX_CPUS - 1));
	if (o.ring_size == 0 || (o.ring_size & (o.ring_size - 1)))
		throw usage_error("the event ring size must be a power of two");

	g_verbose = o.verbose;
	libbpf_set_print(print_libbpf);
	struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
	setrlimit(RLIMIT_MEMLOCK, &rl);

	TracerAttach result;
	// fentry programs attach with ftrace_enabled=0 and never run: then
	// IPIs are traced without their senders, and attach says so.
	const bool ftrace =
		read_line(o.proc_root / "proc/sys/kernel/ftrace_enabled").value_or("1") != "0";
	rtnoise_meta meta{};
	bool needs_fentry = false;
	auto skel = open_and_load(o, meta, ftrace, needs_fentry);
	if (!skel)
		skel = open_and_load(o, meta, false, needs_fentry);
	if (needs_fentry && !ftrace)
		result.notes.emplace_back("kernel.ftrace_enabled is 0: IPIs are traced without "
					  "their senders (sysctl -w kernel.ftrace_enabled=1 "
					  "gives them back)");

	write_meta(skel.get(), meta);

	mount_bpffs(o.pin_dir);
	std::error_code ec;
	fs::remove_all(o.pin_dir, ec);	// what an interrupted attach left
	ec.clear();
	fs::create_directories(fs::path(o.pin_dir) / "links", ec);
	if (ec)
		throw system_error("cannot create " + o.pin_dir + ": " + ec.message());

	std::vector<std::string>& attached = result.tracepoints;
	try {
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
	} catch (...) {
		tracer_detach(o.pin_dir);
		throw;
	}
	// Frames first (the touch gives each watched CPU one), then arm:
	// from here on the programs record, and the trace begins.
	touch_cpus(o.cpus);
	try {
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
