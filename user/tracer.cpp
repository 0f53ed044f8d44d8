// SPDX-License-Identifier: GPL-2.0
#include "tracer.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>

#include "error.hpp"
#include "rtnoise.skel.h"

namespace rtnoise {
namespace {

namespace fs = std::filesystem;

constexpr unsigned long kBpfFsMagic = 0xcafe4a11;

// Tracepoints rtnoise cannot work without; the others may be absent
// (irq_vectors off x86, tick_stop without NO_HZ, MCE vectors, ...).
const std::set<std::string> kRequired{
	"sched_switch", "irq_handler_entry", "irq_handler_exit",
	"softirq_entry", "softirq_exit"};

bool g_verbose;

int print_libbpf(enum libbpf_print_level, const char* fmt, va_list args)
{
	return g_verbose ? std::vfprintf(stderr, fmt, args) : 0;
}

struct SkelDeleter {
	void operator()(rtnoise_bpf* s) const { rtnoise_bpf__destroy(s); }
};

// UniqueFd-like holder for a pinned object's fd.
struct Fd {
	int fd = -1;
	explicit Fd(int f) : fd(f) {}
	Fd(const Fd&) = delete;
	Fd& operator=(const Fd&) = delete;
	~Fd()
	{
		if (fd >= 0)
			close(fd);
	}
};

void mount_bpffs(const fs::path& dir)
{
	fs::path base = dir.parent_path();
	struct statfs st {};
	if (statfs(base.c_str(), &st) == 0 &&
	    static_cast<unsigned long>(st.f_type) == kBpfFsMagic)
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

}  // namespace

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

std::vector<std::string> tracer_attach(const TracerOptions& o)
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

	std::unique_ptr<rtnoise_bpf, SkelDeleter> skel(rtnoise_bpf__open());
	if (!skel)
		throw system_error("cannot open the BPF object: " + errno_text(errno));

	std::uint32_t slots = 0;
	rtnoise_meta meta{};
	for (unsigned cpu : o.cpus) {
		skel->rodata->slot_of[cpu] = ++slots;
		meta.slot_cpu[slots - 1] = cpu;
	}
	skel->rodata->ring_size = o.ring_size;
	skel->rodata->sampler_fn = o.sampler_fn;
	meta.ring_size = o.ring_size;
	meta.nr_slots = slots;
	if (int err = bpf_map__set_max_entries(skel->maps.events, slots * o.ring_size))
		throw system_error("cannot size the event ring: " + errno_text(-err));

	// tp_btf where the kernel's BTF knows the tracepoint, else raw_tp.
	bpf_program* prog;
	bpf_object__for_each_program(prog, skel->obj)
	{
		std::string tp = tp_of(prog);
		bool btf = libbpf_find_vmlinux_btf_id(tp.c_str(), BPF_TRACE_RAW_TP) > 0;
		bool is_btf = flavour_of(prog) == "btf";
		bpf_program__set_autoload(prog, btf == is_btf);
	}

	if (int err = rtnoise_bpf__load(skel.get()))
		throw system_error("the kernel refused rtnoise's BPF programs: " +
				   errno_text(-err) + " (rerun with --verbose)");

	timespec now{};
	clock_gettime(CLOCK_MONOTONIC, &now);
	meta.start_ns = static_cast<std::uint64_t>(now.tv_sec) * 1000000000ULL +
			static_cast<std::uint64_t>(now.tv_nsec);
	std::uint32_t zero = 0;
	if (bpf_map__update_elem(skel->maps.meta, &zero, sizeof(zero), &meta,
				 sizeof(meta), BPF_ANY))
		throw system_error("cannot write the BPF meta map: " + errno_text(errno));

	mount_bpffs(o.pin_dir);
	std::error_code ec;
	fs::remove_all(o.pin_dir, ec);	// what an interrupted attach left
	ec.clear();
	fs::create_directories(fs::path(o.pin_dir) / "links", ec);
	if (ec)
		throw system_error("cannot create " + o.pin_dir + ": " + ec.message());

	std::vector<std::string> attached;
	try {
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
				continue;	// this kernel has no such tracepoint
			}
			std::string pin = (fs::path(o.pin_dir) / "links" / tp).string();
			int err = bpf_link__pin(link, pin.c_str());
			bpf_link__disconnect(link);
			bpf_link__destroy(link);
			if (err)
				throw system_error("cannot pin " + pin + ": " + errno_text(-err));
			attached.push_back(tp);
		}
		for (bpf_map* m : {skel->maps.sources, skel->maps.events,
				   skel->maps.heads, skel->maps.meta}) {
			std::string pin = (fs::path(o.pin_dir) / bpf_map__name(m)).string();
			if (int err = bpf_map__pin(m, pin.c_str()))
				throw system_error("cannot pin " + pin + ": " + errno_text(-err));
		}
	} catch (...) {
		tracer_detach(o.pin_dir);
		throw;
	}
	return attached;
}

TraceData tracer_read(const std::string& pin_dir)
{
	auto open_map = [&](const char* name) {
		std::string path = (fs::path(pin_dir) / name).string();
		int fd = bpf_obj_get(path.c_str());
		if (fd < 0)
			throw system_error("cannot open " + path + ": " + errno_text(errno));
		return fd;
	};
	Fd meta_fd(open_map("meta")), sources_fd(open_map("sources")),
		events_fd(open_map("events")), heads_fd(open_map("heads"));

	TraceData t;
	rtnoise_meta meta{};
	std::uint32_t zero = 0;
	if (bpf_map_lookup_elem(meta_fd.fd, &zero, &meta))
		throw system_error("cannot read the BPF meta map: " + errno_text(errno));
	t.start_ns = meta.start_ns;
	t.ring_size = meta.ring_size;

	rtnoise_src_key key{}, next{};
	rtnoise_src_val val{};
	void* prev = nullptr;
	while (bpf_map_get_next_key(sources_fd.fd, prev, &next) == 0) {
		if (bpf_map_lookup_elem(sources_fd.fd, &next, &val) == 0) {
			TraceSource s;
			s.cpu = next.cpu;
			s.kind = next.kind;
			s.id = next.id;
			s.count = val.count;
			s.total_ns = val.total_ns;
			s.max_ns = val.max_ns;
			s.comm.assign(val.name, strnlen(val.name, sizeof(val.name)));
			t.sources.push_back(std::move(s));
		}
		key = next;
		prev = &key;
	}

	const std::size_t entries = static_cast<std::size_t>(meta.nr_slots) * meta.ring_size;
	const std::size_t bytes = entries * sizeof(rtnoise_event);
	if (!entries)
		return t;
	void* mem = mmap(nullptr, bytes, PROT_READ, MAP_SHARED, events_fd.fd, 0);
	if (mem == MAP_FAILED)
		throw system_error("cannot map the event ring: " + errno_text(errno));
	const auto* ring = static_cast<const rtnoise_event*>(mem);

	for (std::uint32_t s = 0; s < meta.nr_slots && s < RTNOISE_BPF_MAX_CPUS; s++) {
		rtnoise_ring_head h{};
		if (bpf_map_lookup_elem(heads_fd.fd, &s, &h))
			continue;
		CpuTrace& c = t.cpus[meta.slot_cpu[s]];
		c.written = h.head;
		c.overflow = h.overflow;
		std::uint64_t first = h.head > meta.ring_size ? h.head - meta.ring_size : 0;
		c.lost = first;
		for (std::uint64_t seq = first; seq < h.head; seq++) {
			const rtnoise_event& e =
				ring[s * meta.ring_size + (seq & (meta.ring_size - 1))];
			if (e.seq != seq + 1)
				continue;	// overwritten or being written
			c.events.push_back({e.kind, e.depth, e.id, e.start_ns, e.end_ns,
					    e.net_ns});
		}
		std::sort(c.events.begin(), c.events.end(),
			  [](const TraceEvent& a, const TraceEvent& b) {
				  return a.start_ns < b.start_ns;
			  });
	}
	munmap(mem, bytes);
	return t;
}

}  // namespace rtnoise
