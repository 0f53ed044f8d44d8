// SPDX-License-Identifier: GPL-2.0
// increment.cpp - the monitor's read of what changed since the last one.
#include "app/increment.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "analysis/attribution.hpp"
#include "analysis/percentiles.hpp"
#include "host/host.hpp"
#include "isolation/partition.hpp"
#include "sampler/device.hpp"
#include "sampler/module.hpp"
#include "tracer/tracer.hpp"
#include "util/clock.hpp"

namespace rtnoise {

namespace {

// module_layout - each loaded module's name and address, from the text
// of /proc/modules: what moves kernel symbols (not the use counts).
std::string module_layout(const std::string& modules)
{
	std::string out;
	std::size_t at = 0;
	while (at < modules.size()) {
		std::size_t end = modules.find('\n', at);
		if (end == std::string::npos)
			end = modules.size();
		const std::string_view line(modules.data() + at, end - at);
		const std::size_t name = line.find(' ');
		const std::size_t addr = line.rfind(' ');
		out.append(line.substr(0, name));
		if (addr != std::string_view::npos)
			out.append(line.substr(addr));
		out += '\n';
		at = end + 1;
	}
	return out;
}

}  // namespace

std::function<std::shared_ptr<const Ksyms>()> cached_ksyms(const std::filesystem::path& root,
							   std::function<KsymsKey()> key)
{
	struct Cache {
		std::optional<KsymsKey> key;
		std::string layout;
		std::shared_ptr<const Ksyms> ksyms;
	};
	auto cache = std::make_shared<Cache>();
	return [cache, root, key = std::move(key)] {
		// No /proc/modules: a kernel without modules, whose symbols
		// stay where they are.
		std::string layout;
		if (auto modules = read_file(root / "proc/modules"))
			layout = module_layout(*modules);
		if (!cache->ksyms || layout != cache->layout) {
			if (!cache->key)
				cache->key = key();
			cache->ksyms =
				std::make_shared<const Ksyms>(Ksyms::load(root, *cache->key));
			cache->layout = std::move(layout);
		}
		return cache->ksyms;
	};
}

DeltaSources real_delta_sources()
{
	DeltaSources src;
	src.sampler = [](const SpikeSeqs& since, SpikeSeqs& next) -> std::optional<Snapshot> {
		if (!module_loaded())
			return std::nullopt;
		return Device::open().read_snapshot(&since, &next);
	};
	src.tracer = [](const TraceSince& since) -> std::optional<TraceData> {
		if (!tracer_attached())
			return std::nullopt;
		return tracer_read_since(since);
	};
	src.causes = [](const std::vector<SpikeKey>& keys) { return tracer_read_causes(keys); };
	src.rings = [](const CpuSet& cpus) { return tracer_read_rings(cpus); };
	src.ksyms = cached_ksyms("/", [] { return ksyms_key(kStateDir); });
	src.now = [] { return monotonic_ns(); };
	return src;
}

namespace {

// oldest_kept - the oldest spike a ring of cap keeps while its head is
// head (rtnoise_ring_oldest()): one fewer while the sampler may write.
std::uint64_t oldest_kept(std::uint64_t head, std::uint64_t cap, bool writing)
{
	const std::uint64_t end = writing ? head + 1 : head;
	return end > cap ? end - cap : 0;
}

}  // namespace

Increment::Increment(DeltaSources src, Workload workload)
    : src_(std::move(src)), workload_(std::move(workload))
{
}

void Increment::reset()
{
	started_ = false;
	cursor_.clear();
	since_ = {};
	idle_names_.clear();
	unjoined_.clear();
	missing_.clear();
}

CpuSet Increment::rings_wanted(const Snapshot& s, const TraceData& trace) const
{
	// A spike is the kernel's to explain when the entry read for it
	// holds its own window (kernel_joins()); else the history is.
	// By key, the first read of each (a sorted vector: a map of tens
	// of thousands of nodes each interval was 6 % of a 256-CPU read).
	using Join = std::pair<SpikeKey, const SpikeCauses*>;
	std::vector<Join> joins;
	joins.reserve(trace.explained.size());
	for (const auto& [key, causes] : trace.explained)
		joins.emplace_back(key, &causes);
	auto by_key = [](const Join& a, const Join& b) { return a.first < b.first; };
	std::stable_sort(joins.begin(), joins.end(), by_key);
	CpuSet want;
	for (const Spike& sp : s.spikes) {
		const Join key{{sp.cpu, static_cast<unsigned>(sp.type), sp.seq}, nullptr};
		auto it = std::lower_bound(joins.begin(), joins.end(), key, by_key);
		if (it == joins.end() || key.first < it->first ||
		    it->second->expected_ns != sp.expected_ns ||
		    it->second->observed_ns != sp.observed_ns)
			want.insert(sp.cpu);
	}
	for (const TraceWorkloadSpike& w : trace.workload_spikes)
		if (!w.joined)
			want.insert(w.cpu);
	return want;
}

void Increment::join(Snapshot& s, TraceData trace)
{
	// cpuidle names once: they name the states of the CPUs watched.
	if (since_.idle_names) {
		idle_names_ = trace.idle_names;
		since_.idle_names = trace.cpus.empty();
	} else {
		trace.idle_names = idle_names_;
	}
	since_.wl_spikes = trace.workload_heads;
	// The new spikes' entries, and those of kept spikes that had none
	// stored yet: the module publishes a spike before its join runs.
	std::vector<SpikeKey> keys;
	keys.reserve(s.spikes.size());
	for (const Spike& sp : s.spikes)
		keys.push_back({sp.cpu, static_cast<unsigned>(sp.type), sp.seq});
	for (const auto& [key, kept] : unjoined_)
		for (const Unjoined& u : kept)
			if (u.why == JoinMissing::not_run)
				keys.push_back(
					{key.first, static_cast<unsigned>(key.second), u.seq});
	if (!keys.empty() && src_.causes)
		trace.explained = src_.causes(keys);
	recheck(trace.explained, trace.causes_capacity);
	// The rings only where a new spike has no join of the kernel's:
	// on a kernel that cannot join at spike time, every CPU with one.
	rings_read_ = rings_wanted(s, trace);
	if (!rings_read_.empty() && src_.rings)
		for (auto& [cpu, ring] : src_.rings(rings_read_)) {
			CpuTrace& c = trace.cpus[cpu];
			c.events = std::move(ring.events);
			c.torn = ring.torn;
		}
	if (!s.sampled) {
		// BPF only: the CPUs and the time span come from the tracer.
		s.start_ns = trace.start_ns;
		s.end_ns = src_.now();
		for (const auto& [cpu, _] : trace.cpus) {
			CpuResult c;
			c.cpu = cpu;
			s.cpus.push_back(c);
		}
	}
	std::shared_ptr<const Ksyms> ksyms = src_.ksyms();
	if (ksyms != ksyms_) {	// other symbols: other names
		names_.clear();
		ksyms_ = std::move(ksyms);
	}
	attribute(s, std::move(trace), *ksyms_, workload_.comms, workload_.pids, &names_);
}

void Increment::recheck(const std::vector<std::pair<SpikeKey, SpikeCauses>>& joins,
			std::uint32_t capacity)
{
	auto waiting = [](const auto& kept) {
		return std::any_of(kept.second.begin(), kept.second.end(),
				   [](const Unjoined& u) { return u.why == JoinMissing::not_run; });
	};
	if (!capacity || std::none_of(unjoined_.begin(), unjoined_.end(), waiting))
		return;
	std::map<SpikeKey, const std::pair<SpikeKey, SpikeCauses>*> by_entry;
	for (const auto& j : joins)
		by_entry[{j.first.cpu, j.first.type, j.first.seq % capacity}] = &j;
	// A kept spike without a join stored: as kernel_joins() and
	// why_not_joined() would find it now.
	for (auto& [key, kept] : unjoined_) {
		Counts& n = missing_[key.first];
		for (auto it = kept.begin(); it != kept.end();) {
			auto e = by_entry.find(
				{key.first, static_cast<unsigned>(key.second), it->seq % capacity});
			if (it->why != JoinMissing::not_run || e == by_entry.end() ||
			    e->second->first.seq < it->seq) {
				++it;
				continue;
			}
			n[static_cast<std::size_t>(JoinMissing::not_run)]--;
			const SpikeCauses& c = e->second->second;
			if (e->second->first.seq == it->seq && c.expected_ns == it->expected_ns &&
			    c.observed_ns == it->observed_ns) {
				it = kept.erase(it);
				continue;
			}
			it->why = e->second->first.seq > it->seq ? JoinMissing::overwritten
								 : JoinMissing::mismatch;
			n[static_cast<std::size_t>(it->why)]++;
			++it;
		}
	}
}

void Increment::keep_unjoined(Snapshot& s, const SpikeSeqs& next)
{
	for (const Spike& sp : s.spikes) {
		if (sp.join_missing == JoinMissing::none)
			continue;
		unjoined_[{sp.cpu, sp.type}].push_back(
			{sp.seq, sp.expected_ns, sp.observed_ns, sp.join_missing});
		missing_[sp.cpu][static_cast<std::size_t>(sp.join_missing)]++;
	}
	// Those the ring overwrote since are no longer counted.
	const std::uint64_t cap = s.spike_capacity;
	const bool writing = s.state == SamplerState::running;
	for (auto& [key, kept] : unjoined_) {
		auto head = next.find(key);
		if (head == next.end() || !cap)
			continue;
		const std::uint64_t oldest = oldest_kept(head->second, cap, writing);
		auto gone = std::find_if(kept.begin(), kept.end(),
					 [&](const Unjoined& u) { return u.seq >= oldest; });
		for (auto it = kept.begin(); it != gone; ++it)
			missing_[key.first][static_cast<std::size_t>(it->why)]--;
		kept.erase(kept.begin(), gone);
	}
	for (CpuResult& c : s.cpus) {
		auto it = missing_.find(c.cpu);
		c.noise.joins_missing = it == missing_.end() ? Counts{} : it->second;
	}
}

void Increment::count_lost(Snapshot& s, const SpikeSeqs& next)
{
	// Lost is what the ring overwrote before any read took it, as a
	// read from 0 counts it: all before the oldest kept, whether or not
	// an earlier read of the monitor took them.
	const std::uint64_t cap = s.spike_capacity;
	if (!cap)
		return;
	const bool writing = s.state == SamplerState::running;
	for (CpuResult& c : s.cpus)
		for (LatType t : kLatTypes)
			if (auto head = next.find({c.cpu, t}); head != next.end())
				c.of(t).spikes_lost = oldest_kept(head->second, cap, writing);
}

Snapshot Increment::read()
{
	SpikeSeqs next;
	std::optional<Snapshot> sampled = src_.sampler(cursor_, next);
	if (sampled && sampled->sampled && started_ && sampled->start_ns != start_ns_) {
		// Another run of the sampler: its spikes count from 0 again.
		reset();
		next.clear();
		sampled = src_.sampler(cursor_, next);
	}
	Snapshot s = sampled_or_bare(std::move(sampled));
	std::optional<TraceData> trace = src_.tracer(since_);
	if (!s.sampled && !trace)
		throw nothing_attached();
	if (s.sampled) {
		started_ = true;
		start_ns_ = s.start_ns;
		count_lost(s, next);
	}
	rings_read_.clear();
	if (trace) {
		join(s, std::move(*trace));
		keep_unjoined(s, next);
	}
	for (auto& [key, seq] : next)
		cursor_[key] = seq;
	fill_percentiles(s);
	workload_percentiles(s);
	return s;
}

}  // namespace rtnoise
