// SPDX-License-Identifier: GPL-2.0
// reader.cpp - the pinned maps read into the model (TraceData).
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "host/host.hpp"
#include "tracer/tracer.hpp"
#include "tracer/wire.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/utf8.hpp"

namespace rtnoise {
namespace {

namespace fs = std::filesystem;

// Mapping - a mmapable BPF array's values, mapped read-only and unmapped
// on every way out (a throw while copying them out left the mapping).
class Mapping {
public:
	Mapping(int fd, std::size_t bytes, const char* what)
	    : mem_(mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0)), bytes_(bytes)
	{
		if (mem_ == MAP_FAILED)
			throw system_error(std::string("cannot map ") + what + ": " +
					   errno_text(errno));
	}
	~Mapping() { munmap(mem_, bytes_); }
	Mapping(const Mapping&) = delete;
	Mapping& operator=(const Mapping&) = delete;

	template <typename T>
	const T* values() const
	{
		return static_cast<const T*>(mem_);
	}

private:
	void* mem_;
	std::size_t bytes_;
};

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

// read_running - the thread each watched CPU runs now, from its frame in
// the state map: it has no event until it switches out.
void read_running(int state_fd, const rtnoise_meta& meta, TraceData& t)
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
			continue;  // idle, or nothing seen yet
		const std::uint64_t gross = now - f.start;
		RunningThread r;
		r.cpu = cpu;
		r.tid = f.id;
		r.comm = comm_of(f.id);
		r.start_ns = f.start;
		r.net_ns = gross > f.nested ? gross - f.nested : 0;
		r.read_ns = now;
		r.sampler = st.sampler_pid && st.sampler_pid == f.id;
		t.running.push_back(std::move(r));
	}
}

// read_causes - the spike causes the kernel-side join stored, by spike.
void read_causes(int causes_fd, const rtnoise_meta& meta,
		 std::vector<std::pair<SpikeKey, SpikeCauses>>& out)
{
	const std::size_t cap = meta.spike_capacity;
	const std::size_t entries = static_cast<std::size_t>(meta.nr_slots) * 2 * cap;
	if (!entries)
		return;
	const Mapping m(causes_fd, entries * sizeof(rtnoise_spike_causes), "the spike causes");
	const volatile rtnoise_spike_causes* all = m.values<rtnoise_spike_causes>();
	for (std::size_t i = 0; i < entries; i++) {
		rtnoise_spike_causes c;
		const std::uint64_t seq = seq_copy(all[i], c);
		if (!seq)
			continue;  // never written, or rewritten by a newer spike
		const std::size_t slot = i / (2 * cap);
		const auto type = static_cast<unsigned>((i / cap) % 2);
		if (slot >= RTNOISE_BPF_MAX_CPUS)
			break;
		out.emplace_back(SpikeKey{meta.slot_cpu[slot], type, seq - 1}, to_spike_causes(c));
	}
}

// read_cpu_sources - the sources in each watched CPU's own table, each
// given to @add(cpu, kind, id, value).
template <typename Add>
void read_cpu_sources(int fd, const rtnoise_meta& meta, Add&& add)
{
	const std::size_t entries = std::size_t{meta.nr_slots} * RTNOISE_BPF_SRC_SLOTS;
	if (!entries)
		return;
	const Mapping m(fd, entries * sizeof(rtnoise_src_slot), "the per-CPU sources");
	const auto* all = m.values<rtnoise_src_slot>();
	for (std::size_t i = 0; i < entries; i++) {
		rtnoise_src_slot e;
		std::memcpy(&e, &all[i], sizeof(e));
		const std::size_t slot = i / RTNOISE_BPF_SRC_SLOTS;
		if (e.state != RTNOISE_SRC_READY || slot >= RTNOISE_BPF_MAX_CPUS)
			continue;  // free, or being named
		add(meta.slot_cpu[slot], e.kind, e.id, e.v);
	}
}

// open_map - a pinned map of pin_dir; throws when it is not there.
int open_map(const std::string& pin_dir, const char* name)
{
	std::string path = (fs::path(pin_dir) / name).string();
	int fd = bpf_obj_get(path.c_str());
	if (fd < 0)
		throw system_error("cannot open " + path + ": " + errno_text(errno));
	return fd;
}

// open_pinned - a pinned map of pin_dir, or no fd when it is not there
// (older pins, or a partial one, lack the optional maps).
UniqueFd open_pinned(const std::string& pin_dir, const char* name)
{
	const int fd = bpf_obj_get((fs::path(pin_dir) / name).c_str());
	return UniqueFd(fd >= 0 ? fd : -1);
}

rtnoise_meta read_meta(const std::string& pin_dir)
{
	UniqueFd meta_fd(open_map(pin_dir, "meta"));
	rtnoise_meta meta{};
	std::uint32_t zero = 0;
	if (bpf_map_lookup_elem(meta_fd.get(), &zero, &meta))
		throw system_error("cannot read the BPF meta map: " + errno_text(errno));
	return meta;
}

// read_joins - the causes map's entries, if the pin has one (older pins,
// or an attach without the sampler, may not).
void read_joins(const std::string& pin_dir, const rtnoise_meta& meta,
		std::vector<std::pair<SpikeKey, SpikeCauses>>& out)
{
	if (const UniqueFd causes_fd = open_pinned(pin_dir, "causes"))
		read_causes(causes_fd.get(), meta, out);
}

// read_refused - the optional programs the verifier refused, as the meta
// map lists them (by name, one space between).
std::vector<std::string> read_refused(const rtnoise_meta& meta)
{
	std::vector<std::string> names;
	const std::string refused(meta.refused, strnlen(meta.refused, sizeof(meta.refused)));
	for (std::size_t at = 0; at < refused.size();) {
		const std::size_t end = std::min(refused.find(' ', at), refused.size());
		if (end > at)
			names.push_back(escape_name(refused.substr(at, end - at)));
		at = end + 1;
	}
	return names;
}

// for_each_entry - @fn(key, value) for each entry of the hash map @fd
// that is still there when it is looked up.
template <typename Key, typename Val, typename Fn>
void for_each_entry(int fd, Fn&& fn)
{
	Key key{}, next{};
	Val val{};
	void* prev = nullptr;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (bpf_map_lookup_elem(fd, &next, &val) == 0)
			fn(next, val);
		key = next;
		prev = &key;
	}
}

using SourceIndex = std::map<std::tuple<unsigned, unsigned, std::uint64_t>, std::size_t>;

// add_source - one source's values into @sources; @seen says where each
// source read before is, and one read again is added to.
void add_source(std::vector<TraceSource>& sources, SourceIndex& seen, unsigned cpu, unsigned kind,
		std::uint64_t id, const rtnoise_src_val& val)
{
	auto [it, fresh] = seen.try_emplace({cpu, kind, id}, sources.size());
	if (!fresh) {
		TraceSource& s = sources[it->second];
		s.count += val.count;
		s.total_ns += val.total_ns;
		s.max_ns = std::max<std::uint64_t>(s.max_ns, val.max_ns);
		s.sampler = s.sampler || (val.flags & RTNOISE_SRC_SAMPLER);
		return;
	}
	TraceSource s;
	s.cpu = cpu;
	s.kind = kind;
	s.id = id;
	s.count = val.count;
	s.total_ns = val.total_ns;
	s.max_ns = val.max_ns;
	s.comm = escape_name({val.name, strnlen(val.name, sizeof(val.name))});
	s.sampler = val.flags & RTNOISE_SRC_SAMPLER;
	sources.push_back(std::move(s));
}

// read_sources - each CPU's own table first, if the pin has one, then
// the shared hash @sources_fd; a source in both (its entry was claimed
// under it) is one source.
void read_sources(const std::string& pin_dir, int sources_fd, const rtnoise_meta& meta,
		  std::vector<TraceSource>& sources)
{
	SourceIndex seen;
	auto add = [&](unsigned cpu, unsigned kind, std::uint64_t id, const rtnoise_src_val& val) {
		add_source(sources, seen, cpu, kind, id, val);
	};
	if (const UniqueFd fd = open_pinned(pin_dir, "cpu_sources"))
		read_cpu_sources(fd.get(), meta, add);
	for_each_entry<rtnoise_src_key, rtnoise_src_val>(
		sources_fd, [&](const rtnoise_src_key& k, const rtnoise_src_val& val) {
			add(k.cpu, k.kind, k.id, val);
		});
}

// read_origins - the contexts that caused each source, if the pin has
// the origins map.
void read_origins(const std::string& pin_dir, std::vector<TraceOrigin>& origins)
{
	const UniqueFd fd = open_pinned(pin_dir, "origins");
	if (!fd)
		return;
	for_each_entry<rtnoise_origin_key, rtnoise_origin_val>(
		fd.get(), [&](const rtnoise_origin_key& k, const rtnoise_origin_val& v) {
			origins.push_back({k.cpu, k.kind, k.id, k.from_cpu, k.from_pid,
					   escape_name({v.comm, strnlen(v.comm, sizeof(v.comm))}),
					   v.count, v.via});
		});
}

// read_head - a CPU's ring head: how far its ring was written, what of
// it was overwritten (lost), and its counts of what was not kept whole.
void read_head(const rtnoise_ring_head& h, const rtnoise_meta& meta, CpuTrace& c)
{
	c.written = h.head;
	c.lost = h.head > meta.ring_size ? h.head - meta.ring_size : 0;
	c.overflow = h.overflow;
	c.clamped = h.clamped;
	c.clamped_ns = h.clamped_ns;
	c.source_drops = h.source_drops;
	c.origin_drops = h.origin_drops;
	c.spikes_explained = h.spikes;
	c.spikes_cut = h.spikes_cut;
	c.nested = h.nested;
	c.preempted = h.preempted;
	c.parked_lost = h.parked_lost;
	c.parked_stale = h.parked_stale;
}

// read_ring - the events still in a CPU's ring (@ring, ring_size of
// them) up to its head @h, from the first not lost (read_head()): one
// overwritten or being written while copied is torn.
void read_ring(const volatile rtnoise_event* ring, const rtnoise_ring_head& h,
	       const rtnoise_meta& meta, CpuTrace& c)
{
	const std::uint64_t first = c.lost;
	// One more: the thread still running, which attribute() adds
	// (charge_running), without copying the ring.
	c.events.reserve(h.head - first + 1);
	for (std::uint64_t seq = first; seq < h.head; seq++) {
		TraceEvent ev;
		if (read_event(ring[seq & (meta.ring_size - 1)], seq, ev))
			c.events.push_back(ev);
		else
			c.torn++;  // overwritten, or being written
	}
}

// read_rings - each watched CPU's ring head, and the events of those in
// @only (all: nullptr; none: an empty set, and @events_fd is not used);
// false if there is no ring (no slot, or no room).
bool read_rings(int events_fd, int heads_fd, const rtnoise_meta& meta, TraceData& t,
		const CpuSet* only = nullptr)
{
	const std::size_t entries = static_cast<std::size_t>(meta.nr_slots) * meta.ring_size;
	if (!entries)
		return false;
	std::optional<Mapping> events;
	if (!only || !only->empty())
		events.emplace(events_fd, entries * sizeof(rtnoise_event), "the event ring");
	for (std::uint32_t s = 0; s < meta.nr_slots && s < RTNOISE_BPF_MAX_CPUS; s++) {
		rtnoise_ring_head h{};
		if (bpf_map_lookup_elem(heads_fd, &s, &h))
			continue;
		const unsigned cpu = meta.slot_cpu[s];
		CpuTrace& c = t.cpus[cpu];
		read_head(h, meta, c);
		if (events && (!only || only->count(cpu)))
			read_ring(events->values<rtnoise_event>() + std::size_t{s} * meta.ring_size,
				  h, meta, c);
	}
	return true;
}

// to_workload_thread - a wl_threads entry, as the model's.
TraceWorkloadThread to_workload_thread(std::uint32_t tid, const rtnoise_wl_thread& w)
{
	TraceWorkloadThread t;
	t.tid = tid;
	t.tgid = w.tgid;
	t.comm = escape_name({w.comm, strnlen(w.comm, sizeof(w.comm))});
	t.cpu = w.cpu < RTNOISE_BPF_MAX_CPUS ? static_cast<int>(w.cpu) : -1;
	t.exited = w.flags & RTNOISE_WL_EXITED;
	t.wakeups = w.wakeups;
	t.timer_wakeups = w.timer_wakeups;
	t.min_ns = w.min_ns;
	t.max_ns = w.max_ns;
	t.sum_ns = w.sum_ns;
	t.overflows = w.overflows;
	t.spikes = w.spikes;
	// The histogram up to its last non-empty bucket.
	std::size_t n = RTNOISE_WL_BUCKETS;
	while (n && !w.hist[n - 1])
		n--;
	t.hist.assign(w.hist, w.hist + n);
	t.preemptions = w.preemptions;
	t.preempted_ns = w.preempted_ns;
	t.interrupts = w.interrupts;
	t.interrupted_ns = w.interrupted_ns;
	t.max_taken_ns = w.max_taken_ns;
	t.run_ns = w.run_ns;
	t.faults_user = w.faults_user;
	t.faults_kernel = w.faults_kernel;
	t.syscalls = w.syscalls;
	t.syscall_ns = w.syscall_ns;
	t.migrations = w.migrations;
	t.voluntary = w.voluntary;
	t.involuntary = w.involuntary;
	return t;
}

// read_workload_spikes - each watched CPU's ring of workload spikes, up
// to its head in @heads_fd: those before were overwritten (lost). With
// @since, each CPU's from the position there on (if it is still kept).
void read_workload_spikes(int fd, int heads_fd, const rtnoise_meta& meta, TraceData& t,
			  const std::map<unsigned, std::uint64_t>* since)
{
	const std::size_t entries = std::size_t{meta.nr_slots} * RTNOISE_WL_SPIKES;
	if (!entries)
		return;
	const Mapping m(fd, entries * sizeof(rtnoise_wl_spike), "the workload's spikes");
	const volatile rtnoise_wl_spike* all = m.values<rtnoise_wl_spike>();
	for (std::uint32_t s = 0; s < meta.nr_slots && s < RTNOISE_BPF_MAX_CPUS; s++) {
		rtnoise_ring_head h{};
		if (bpf_map_lookup_elem(heads_fd, &s, &h))
			continue;
		const std::uint64_t first =
			h.wl_spikes > RTNOISE_WL_SPIKES ? h.wl_spikes - RTNOISE_WL_SPIKES : 0;
		t.workload_spikes_lost += first;
		t.workload_heads[meta.slot_cpu[s]] = h.wl_spikes;
		std::uint64_t from = first;
		if (since)
			if (auto it = since->find(meta.slot_cpu[s]); it != since->end())
				from = std::max(from, it->second);
		for (std::uint64_t pos = from; pos < h.wl_spikes; pos++) {
			rtnoise_wl_spike e;
			const auto idx =
				std::size_t{s} * RTNOISE_WL_SPIKES + pos % RTNOISE_WL_SPIKES;
			if (seq_copy(all[idx], e) != pos + 1) {
				t.workload_spikes_lost++;  // overwritten while read
				continue;
			}
			TraceWorkloadSpike sp;
			sp.cpu = meta.slot_cpu[s];
			sp.seq = pos;
			sp.tid = e.tid;
			sp.comm = escape_name({e.comm, strnlen(e.comm, sizeof(e.comm))});
			sp.kind = e.type == RTNOISE_WL_TAKEN ? kWlTaken : kWlWakeup;
			sp.timer = e.timer;
			sp.from_ns = e.from_ns;
			sp.to_ns = e.to_ns;
			sp.waking_ns = e.waking_ns;
			sp.joined = e.joined;
			if (e.joined)
				sp.causes = to_spike_causes(e.c);
			t.workload_spikes.push_back(std::move(sp));
		}
	}
}

// read_workload - the workload's threads and spikes (those since
// @since, if given), if a workload was named at attach.
void read_workload(const std::string& pin_dir, int heads_fd, const rtnoise_meta& meta, TraceData& t,
		   const std::map<unsigned, std::uint64_t>* since = nullptr)
{
	if (!meta.wl_threshold_ns)
		return;
	t.workload_threshold_ns = meta.wl_threshold_ns;
	t.workload_lost = meta.wl_lost;
	if (const UniqueFd fd = open_pinned(pin_dir, "wl_threads"))
		for_each_entry<std::uint32_t, rtnoise_wl_thread>(
			fd.get(), [&](std::uint32_t tid, const rtnoise_wl_thread& w) {
				t.workload.push_back(to_workload_thread(tid, w));
			});
	std::sort(t.workload.begin(), t.workload.end(),
		  [](const auto& a, const auto& b) { return a.tid < b.tid; });
	if (const UniqueFd fd = open_pinned(pin_dir, "wl_spikes"))
		read_workload_spikes(fd.get(), heads_fd, meta, t, since);
}

// read_idle_names - the names of each traced CPU's cpuidle states, for
// the idle causes.
void read_idle_names(TraceData& t)
{
	for (const auto& [cpu, c] : t.cpus) {
		const fs::path idle =
			"/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/cpuidle";
		for (std::uint64_t state = 0; state < 16; state++) {
			std::string name =
				comm_of_file(idle / ("state" + std::to_string(state)) / "name");
			if (name.empty())
				break;
			t.idle_names[{cpu, state}] = name;
		}
	}
}

// trace_of_meta - what the meta map says of the whole trace.
TraceData trace_of_meta(const rtnoise_meta& meta)
{
	TraceData t;
	t.start_ns = meta.start_ns;
	t.ring_size = meta.ring_size;
	t.causes_capacity = meta.spike_capacity;
	t.limits = meta.limits;
	t.refused = read_refused(meta);
	return t;
}

}  // namespace

std::vector<std::pair<SpikeKey, SpikeCauses>> tracer_read_joins(const std::string& pin_dir)
{
	std::vector<std::pair<SpikeKey, SpikeCauses>> out;
	read_joins(pin_dir, read_meta(pin_dir), out);
	return out;
}

TraceData tracer_read(const std::string& pin_dir)
{
	const rtnoise_meta meta = read_meta(pin_dir);
	TraceData t = trace_of_meta(meta);
	// The joins before anything slow: see tracer_read_joins().
	read_joins(pin_dir, meta, t.explained);
	UniqueFd sources_fd(open_map(pin_dir, "sources")), events_fd(open_map(pin_dir, "events")),
		heads_fd(open_map(pin_dir, "heads"));
	read_sources(pin_dir, sources_fd.get(), meta, t.sources);
	read_origins(pin_dir, t.origins);
	read_workload(pin_dir, heads_fd.get(), meta, t);
	if (!read_rings(events_fd.get(), heads_fd.get(), meta, t))
		return t;
	// Older pins (or a partial one) may have no state map: then the
	// running threads are charged when they switch out.
	if (const UniqueFd state_fd = open_pinned(pin_dir, "state"))
		read_running(state_fd.get(), meta, t);
	read_idle_names(t);
	for (auto& [cpu, c] : t.cpus)
		std::sort(c.events.begin(), c.events.end(),
			  [](const TraceEvent& a, const TraceEvent& b) {
				  return a.start_ns < b.start_ns;
			  });
	return t;
}

}  // namespace rtnoise

namespace rtnoise {

TraceData tracer_read_since(const TraceSince& since, const std::string& pin_dir)
{
	const rtnoise_meta meta = read_meta(pin_dir);
	TraceData t = trace_of_meta(meta);
	UniqueFd sources_fd(open_map(pin_dir, "sources")), heads_fd(open_map(pin_dir, "heads"));
	read_sources(pin_dir, sources_fd.get(), meta, t.sources);
	read_origins(pin_dir, t.origins);
	read_workload(pin_dir, heads_fd.get(), meta, t, &since.wl_spikes);
	const CpuSet no_rings;
	if (!read_rings(-1, heads_fd.get(), meta, t, &no_rings))
		return t;
	if (const UniqueFd state_fd = open_pinned(pin_dir, "state"))
		read_running(state_fd.get(), meta, t);
	if (since.idle_names)
		read_idle_names(t);
	return t;
}

std::vector<std::pair<SpikeKey, SpikeCauses>> tracer_read_causes(const std::vector<SpikeKey>& keys,
								 const std::string& pin_dir)
{
	std::vector<std::pair<SpikeKey, SpikeCauses>> out;
	if (keys.empty())
		return out;
	const rtnoise_meta meta = read_meta(pin_dir);
	const std::size_t cap = meta.spike_capacity;
	const std::size_t entries = std::size_t{meta.nr_slots} * 2 * cap;
	const UniqueFd fd = open_pinned(pin_dir, "causes");
	if (!entries || !fd)
		return out;
	std::map<unsigned, std::size_t> slot_of;
	for (std::uint32_t s = 0; s < meta.nr_slots && s < RTNOISE_BPF_MAX_CPUS; s++)
		slot_of.try_emplace(meta.slot_cpu[s], s);
	// Each entry once, in the order of the map.
	std::vector<std::size_t> at;
	for (const SpikeKey& k : keys)
		if (auto slot = slot_of.find(k.cpu); slot != slot_of.end() && k.type < 2)
			at.push_back((slot->second * 2 + k.type) * cap + k.seq % cap);
	std::sort(at.begin(), at.end());
	at.erase(std::unique(at.begin(), at.end()), at.end());
	const Mapping m(fd.get(), entries * sizeof(rtnoise_spike_causes), "the spike causes");
	const volatile rtnoise_spike_causes* all = m.values<rtnoise_spike_causes>();
	for (std::size_t i : at) {
		rtnoise_spike_causes c;
		const std::uint64_t seq = seq_copy(all[i], c);
		if (!seq)
			continue;  // never written, or being rewritten
		out.emplace_back(SpikeKey{meta.slot_cpu[i / (2 * cap)],
					  static_cast<unsigned>((i / cap) % 2), seq - 1},
				 to_spike_causes(c));
	}
	return out;
}

std::map<unsigned, CpuTrace> tracer_read_rings(const CpuSet& cpus, const std::string& pin_dir)
{
	if (cpus.empty())
		return {};
	const rtnoise_meta meta = read_meta(pin_dir);
	UniqueFd events_fd(open_map(pin_dir, "events")), heads_fd(open_map(pin_dir, "heads"));
	TraceData t;
	read_rings(events_fd.get(), heads_fd.get(), meta, t, &cpus);
	std::map<unsigned, CpuTrace> out;
	for (auto& [cpu, c] : t.cpus) {
		if (!cpus.count(cpu))
			continue;
		std::sort(c.events.begin(), c.events.end(),
			  [](const TraceEvent& a, const TraceEvent& b) {
				  return a.start_ns < b.start_ns;
			  });
		out.emplace(cpu, std::move(c));
	}
	return out;
}

}  // namespace rtnoise
