// SPDX-License-Identifier: GPL-2.0
#include "tracer.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <vector>

#include "error.hpp"
#include "rtnoise.skel.h"
#include "utf8.hpp"

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

std::uint64_t monotonic_ns()
{
	timespec ts{};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL +
	       static_cast<std::uint64_t>(ts.tv_nsec);
}

// comm_of_file - the first line of a small file, or "".
std::string comm_of_file(const fs::path& path)
{
	std::FILE* f = std::fopen(path.c_str(), "re");
	if (!f)
		return "";
	char buf[64] = "";
	if (!std::fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	std::fclose(f);
	std::string c(buf);
	if (!c.empty() && c.back() == '\n')
		c.pop_back();
	return escape_name(c);
}

std::string comm_of(std::uint64_t tid)
{
	return comm_of_file("/proc/" + std::to_string(tid) + "/comm");
}

// add_open_threads - charge the thread each watched CPU is running now,
// from its frame in the state map: it has no event until it switches out.
void add_open_threads(int state_fd, const rtnoise_meta& meta, TraceData& t)
{
	int ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		return;
	const std::size_t stride = (sizeof(rtnoise_cpu_state) + 7) & ~std::size_t{7};
	std::vector<unsigned char> buf(stride * static_cast<std::size_t>(ncpus));
	std::uint32_t zero = 0;
	if (bpf_map_lookup_elem(state_fd, &zero, buf.data()))
		return;
	const std::uint64_t now = monotonic_ns();
	for (std::uint32_t s = 0; s < meta.nr_slots && s < RTNOISE_BPF_MAX_CPUS; s++) {
		unsigned cpu = meta.slot_cpu[s];
		if (cpu >= static_cast<unsigned>(ncpus))
			continue;
		rtnoise_cpu_state st;
		std::memcpy(&st, buf.data() + stride * cpu, sizeof(st));
		const rtnoise_frame& f = st.f[0];
		if (st.depth < 1 || f.kind != RTNOISE_KIND_THREAD || f.id == 0 ||
		    f.start < meta.start_ns || f.start > now)
			continue;	// idle, or nothing seen yet
		const std::uint64_t gross = now - f.start;
		const std::uint64_t net = gross > f.nested ? gross - f.nested : 0;
		auto it = std::find_if(t.sources.begin(), t.sources.end(), [&](const TraceSource& x) {
			return x.cpu == cpu && x.kind == RTNOISE_KIND_THREAD && x.id == f.id;
		});
		if (it == t.sources.end()) {
			TraceSource x;
			x.cpu = cpu;
			x.kind = RTNOISE_KIND_THREAD;
			x.id = f.id;
			x.comm = comm_of(f.id);
			it = t.sources.insert(t.sources.end(), std::move(x));
		}
		if (it->comm.rfind("rtnoise/", 0) == 0)
			continue;	// the sampler's own thread is not noise
		it->count++;
		it->total_ns += net;
		it->max_ns = std::max(it->max_ns, net);
		it->running = true;
		t.cpus[cpu].events.push_back({RTNOISE_KIND_THREAD, 0, f.id, f.start, now, net});
	}
}

// read_causes - the spike causes the kernel-side join stored, by spike.
void read_causes(int causes_fd, const rtnoise_meta& meta, TraceData& t)
{
	const std::size_t cap = meta.spike_capacity;
	const std::size_t entries = static_cast<std::size_t>(meta.nr_slots) * 2 * cap;
	if (!entries)
		return;
	const std::size_t bytes = entries * sizeof(rtnoise_spike_causes);
	void* mem = mmap(nullptr, bytes, PROT_READ, MAP_SHARED, causes_fd, 0);
	if (mem == MAP_FAILED)
		throw system_error("cannot map the spike causes: " + errno_text(errno));
	const auto* all = static_cast<const volatile rtnoise_spike_causes*>(mem);
	for (std::size_t i = 0; i < entries; i++) {
		rtnoise_spike_causes c;
		const std::uint64_t seq = seq_copy(all[i], c);
		if (!seq)
			continue;	// never written, or rewritten by a newer spike
		const std::size_t slot = i / (2 * cap);
		const unsigned type = static_cast<unsigned>((i / cap) % 2);
		if (slot >= RTNOISE_BPF_MAX_CPUS)
			break;
		SpikeCauses sc;
		sc.expected_ns = c.expected_ns;
		sc.observed_ns = c.observed_ns;
		for (std::uint32_t k = 0; k < c.nr && k < RTNOISE_SPIKE_CAUSES; k++)
			sc.parts.push_back({c.c[k].kind, c.c[k].id, c.c[k].ns});
		sc.other_ns = c.other_ns;
		sc.unexplained_ns = c.unexplained_ns;
		sc.steal_ns = c.steal_ns;
		sc.smi_ns = c.smi_ns;
		sc.smis = c.smis;
		sc.events = c.events;
		sc.cut = c.flags & RTNOISE_SPIKE_CUT;
		for (std::uint32_t k = 0; k < c.stack_nr && k < RTNOISE_STACK_DEPTH; k++)
			sc.stack.push_back(c.stack[k]);
		sc.stack_kind = c.stack_kind;
		sc.stack_of = c.stack_of;
		t.explained[{meta.slot_cpu[slot], type, seq - 1}] = std::move(sc);
	}
	munmap(mem, bytes);
}

// open_and_load - the skeleton, configured for @o and loaded. With
// @fentry, the fentry IPI senders too where the kernel lacks ipi_send_*.
std::unique_ptr<rtnoise_bpf, SkelDeleter> open_and_load(const TracerOptions& o,
							 rtnoise_meta& meta, bool fentry)
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
	if (int err = bpf_map__set_max_entries(skel->maps.causes,
					       std::max<std::uint32_t>(1, slots * 2 * causes)))
		throw system_error("cannot size the spike causes: " + errno_text(-err));

	// tp_btf where the kernel's BTF knows the tracepoint, else raw_tp.
	const bool ipi_tps = libbpf_find_vmlinux_btf_id("ipi_send_cpu", BPF_TRACE_RAW_TP) > 0;
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

}  // namespace

std::uint64_t tracer_bytes(const TracerOptions& o)
{
	const std::uint64_t cpus = o.cpus.size();
	const std::uint64_t causes = std::min<std::uint32_t>(o.spike_capacity, RTNOISE_CAUSES_MAX);
	// Hash entries: key, value and about 40 bytes of bucket and element.
	auto hash = [](std::uint64_t n, std::uint64_t k, std::uint64_t v) { return n * (k + v + 40); };
	return cpus * o.ring_size * sizeof(rtnoise_event) +
	       cpus * 2 * causes * sizeof(rtnoise_spike_causes) +
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

	rtnoise_meta meta{};
	auto skel = open_and_load(o, meta, true);
	if (!skel)
		skel = open_and_load(o, meta, false);


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
				   skel->maps.heads, skel->maps.meta,
				   skel->maps.state, skel->maps.origins,
				   skel->maps.causes}) {
			std::string pin = (fs::path(o.pin_dir) / bpf_map__name(m)).string();
			if (int err = bpf_map__pin(m, pin.c_str()))
				throw system_error("cannot pin " + pin + ": " + errno_text(-err));
		}
	} catch (...) {
		tracer_detach(o.pin_dir);
		throw;
	}
	// Frames first (the touch gives each watched CPU one), then arm:
	// from here on the programs record, and the trace begins.
	touch_cpus(o.cpus);
	try {
		clock_gettime(CLOCK_MONOTONIC, &now);
		meta.start_ns = static_cast<std::uint64_t>(now.tv_sec) * 1000000000ULL +
				static_cast<std::uint64_t>(now.tv_nsec);
		if (bpf_map__update_elem(skel->maps.meta, &zero, sizeof(zero), &meta,
					 sizeof(meta), BPF_ANY))
			throw system_error("cannot write the BPF meta map: " +
					   errno_text(errno));
		auto bss = *skel->bss;
		bss.armed = 1;
		if (bpf_map__update_elem(skel->maps.bss, &zero, sizeof(zero), &bss,
					 sizeof(bss), BPF_ANY))
			throw system_error("cannot arm the BPF programs: " + errno_text(errno));
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
			s.comm = escape_name({val.name, strnlen(val.name, sizeof(val.name))});
			t.sources.push_back(std::move(s));
		}
		key = next;
		prev = &key;
	}

	if (int fd = bpf_obj_get((fs::path(pin_dir) / "origins").c_str()); fd >= 0) {
		Fd origins_fd(fd);
		rtnoise_origin_key ok{}, onext{};
		rtnoise_origin_val ov{};
		void* oprev = nullptr;
		while (bpf_map_get_next_key(origins_fd.fd, oprev, &onext) == 0) {
			if (bpf_map_lookup_elem(origins_fd.fd, &onext, &ov) == 0)
				t.origins.push_back({onext.cpu, onext.kind, onext.id,
						     onext.from_cpu, onext.from_pid,
						     escape_name({ov.comm, strnlen(ov.comm, sizeof(ov.comm))}),
						     ov.count, ov.via});
			ok = onext;
			oprev = &ok;
		}
	}

	const std::size_t entries = static_cast<std::size_t>(meta.nr_slots) * meta.ring_size;
	const std::size_t bytes = entries * sizeof(rtnoise_event);
	if (!entries)
		return t;
	void* mem = mmap(nullptr, bytes, PROT_READ, MAP_SHARED, events_fd.fd, 0);
	if (mem == MAP_FAILED)
		throw system_error("cannot map the event ring: " + errno_text(errno));
	const auto* ring = static_cast<const volatile rtnoise_event*>(mem);

	for (std::uint32_t s = 0; s < meta.nr_slots && s < RTNOISE_BPF_MAX_CPUS; s++) {
		rtnoise_ring_head h{};
		if (bpf_map_lookup_elem(heads_fd.fd, &s, &h))
			continue;
		CpuTrace& c = t.cpus[meta.slot_cpu[s]];
		c.written = h.head;
		c.overflow = h.overflow;
		c.clamped = h.clamped;
		c.clamped_ns = h.clamped_ns;
		c.source_drops = h.source_drops;
		c.origin_drops = h.origin_drops;
		c.spikes_explained = h.spikes;
		c.spikes_cut = h.spikes_cut;
		std::uint64_t first = h.head > meta.ring_size ? h.head - meta.ring_size : 0;
		c.lost = first;
		for (std::uint64_t seq = first; seq < h.head; seq++) {
			TraceEvent ev;
			if (read_event(ring[s * meta.ring_size + (seq & (meta.ring_size - 1))],
				       seq, ev))
				c.events.push_back(ev);
			else
				c.torn++;	// overwritten, or being written
		}
	}
	munmap(mem, bytes);

	if (int fd = bpf_obj_get((fs::path(pin_dir) / "causes").c_str()); fd >= 0) {
		Fd causes_fd(fd);
		read_causes(causes_fd.fd, meta, t);
	}

	// Older pins (or a partial one) may have no state map: then the
	// running threads are charged when they switch out, as before.
	if (int fd = bpf_obj_get((fs::path(pin_dir) / "state").c_str()); fd >= 0) {
		Fd state_fd(fd);
		add_open_threads(state_fd.fd, meta, t);
	}
	for (auto& [cpu, c] : t.cpus) {
		// The cpuidle state names, for the idle causes.
		const fs::path idle = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/cpuidle";
		for (std::uint64_t state = 0; state < 16; state++) {
			std::string name = comm_of_file(idle / ("state" + std::to_string(state)) / "name");
			if (name.empty())
				break;
			t.idle_names[{cpu, state}] = name;
		}
	}
	for (auto& [cpu, c] : t.cpus)
		std::sort(c.events.begin(), c.events.end(),
			  [](const TraceEvent& a, const TraceEvent& b) {
				  return a.start_ns < b.start_ns;
			  });
	return t;
}

}  // namespace rtnoise
