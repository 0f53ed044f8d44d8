// SPDX-License-Identifier: GPL-2.0
// monitor_world.hpp - what rtnoise.ko and the BPF side would hold, kept
// as a fixture that grows between reads, and read the two ways the
// monitor can: whole (CollectSources, as collect() reads) and since a
// cursor (DeltaSources, as Increment reads). The spike rings keep what
// the module's keep (rtnoise_ring_oldest()), SPIKES answers as its ioctl
// does (from_seq, lost, next_seq), the joins' entries are one per ring
// position, each CPU's event ring keeps its last ring_size events.
// The unit tests and bench/monitor_bench.cpp drive it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "app/increment.hpp"
#include "app/session.hpp"
#include "host/ksyms.hpp"
#include "model/snapshot.hpp"
#include "model/trace.hpp"

namespace rtnoise::test {

class MonitorWorld {
public:
	std::uint32_t cap = 8;	       // spikes per CPU and type, and joins' entries
	std::uint32_t ring_size = 64;  // events per CPU
	std::uint32_t hist_buckets = 100;
	std::uint32_t limits = 0;  // kLimit*: kLimitNoBpfLoop joins nothing
	bool running = true;
	std::uint64_t start_ns = 1'000'000'000;
	std::uint64_t trace_start_ns = 1'000'000'000;
	std::uint64_t now_ns = 2'000'000'000;
	std::set<unsigned> unjoined_cpus;  // the kernel joins none of their spikes
	std::vector<RunningThread> running_threads;
	// What was asked of the DeltaSources: every CPU whose ring was read,
	// and how many joins' entries.
	CpuSet rings_asked;
	std::size_t causes_asked = 0;
	bool refuse_rings = false;  // a read of a ring throws
	bool keep_events = true;    // false: only each ring's head is kept

	explicit MonitorWorld(std::vector<unsigned> cpus) : cpus_(std::move(cpus))
	{
		for (unsigned cpu : cpus_) {
			CpuResult& c = stats_[cpu];
			c.cpu = cpu;
			c.running = true;
			for (LatType t : kLatTypes)
				c.of(t).hist.assign(hist_buckets, 0);
		}
	}

	// samples - n samples of us µs on cpu's type t.
	void samples(unsigned cpu, LatType t, std::uint64_t n, std::uint64_t us)
	{
		LatencyStats& l = stats_[cpu].of(t);
		if (us < l.hist.size())
			l.hist[us] += n;
		else
			l.overflows += n;
		if (!l.count || us * 1000 < l.min_ns)
			l.min_ns = us * 1000;
		l.count += n;
		l.sum_ns += n * us * 1000;
		l.max_ns = std::max(l.max_ns, us * 1000 + 300);
	}

	// source - a disturbance of kind/id on cpu ran once for ns.
	void source(unsigned cpu, unsigned kind, std::uint64_t id, const std::string& comm,
		    std::uint64_t ns)
	{
		TraceSource& s = sources_[{cpu, kind, id}];
		s.cpu = cpu;
		s.kind = kind;
		s.id = id;
		s.comm = comm;
		s.count++;
		s.total_ns += ns;
		s.max_ns = std::max(s.max_ns, ns);
	}

	void origin(const TraceOrigin& o) { origins_.push_back(o); }

	// event - one event on cpu's ring.
	void event(unsigned cpu, unsigned kind, std::uint64_t id, std::uint64_t start,
		   std::uint64_t end, unsigned depth = 1)
	{
		TraceEvent e;
		e.kind = kind;
		e.id = id;
		e.depth = depth;
		e.start_ns = start;
		e.end_ns = end;
		e.net_ns = end - start;
		Ring<TraceEvent>& r = events_[cpu];
		r.head++;
		if (!keep_events)
			return;
		r.kept.push_back(e);
		if (r.kept.size() > ring_size)
			r.kept.pop_front();
	}

	// spike - a spike of lat_ns on cpu's type t now, an IRQ (irq) in
	// the middle of its window, joined by the kernel unless the CPU or
	// the kernel cannot; time moves on by 1 ms.
	void spike(unsigned cpu, LatType t, std::uint64_t lat_ns, std::uint64_t irq = 24)
	{
		Ring<Spike>& ring = spikes_[{cpu, t}];
		Spike sp;
		sp.cpu = cpu;
		sp.type = t;
		sp.seq = ring.head++;
		sp.cycle = sp.seq;
		sp.expected_ns = now_ns;
		sp.observed_ns = now_ns + lat_ns;
		ring.kept.push_back(sp);
		if (ring.kept.size() > cap)
			ring.kept.pop_front();
		samples(cpu, t, 1, lat_ns / 1000);
		stats_[cpu].of(t).spikes++;
		const std::uint64_t from = now_ns + lat_ns / 4, to = now_ns + lat_ns * 3 / 4;
		event(cpu, kIrq, irq, from, to);
		source(cpu, kIrq, irq, "virtio0-input", to - from);
		if (!(limits & kLimitNoBpfLoop) && !unjoined_cpus.count(cpu) &&
		    sp.observed_ns >= trace_start_ns) {
			SpikeCauses c;
			c.expected_ns = sp.expected_ns;
			c.observed_ns = sp.observed_ns;
			c.parts.push_back({kIrq, irq, to - from});
			c.unexplained_ns = lat_ns - (to - from);
			c.events = 1;
			const SpikeKey entry{cpu, static_cast<unsigned>(t), sp.seq % cap};
			causes_[entry] = {SpikeKey{cpu, static_cast<unsigned>(t), sp.seq}, c};
		}
		now_ns += 1'000'000;
	}

	void tick(std::uint64_t ns) { now_ns += ns; }

	// join_late - the kernel's join of cpu's last spike of type t, stored
	// only now (the module publishes a spike before its join runs).
	void join_late(unsigned cpu, LatType t)
	{
		const Spike& sp = spikes_.at({cpu, t}).kept.back();
		SpikeCauses c;
		c.expected_ns = sp.expected_ns;
		c.observed_ns = sp.observed_ns;
		c.unexplained_ns = sp.latency_ns();
		const SpikeKey entry{cpu, static_cast<unsigned>(t), sp.seq % cap};
		causes_[entry] = {SpikeKey{cpu, static_cast<unsigned>(t), sp.seq}, c};
	}

	// ---- read whole, as collect() does ----------------------------------
	Snapshot sampler_full() const
	{
		SpikeSeqs none, next;
		return sampler_read(none, next);
	}

	TraceData tracer_full() const
	{
		TraceData t = tracer_common();
		for (const auto& [entry, join] : causes_)
			t.explained.push_back(join);
		for (unsigned cpu : cpus_)
			t.cpus[cpu] = ring_of(cpu, true);
		return t;
	}

	CollectSources full_sources() const
	{
		CollectSources src;
		src.sampler = [this]() -> std::optional<Snapshot> { return sampler_full(); };
		src.tracer = [this]() -> std::optional<TraceData> { return tracer_full(); };
		src.ksyms = [] { return Ksyms::parse(""); };
		src.now = [this] { return now_ns; };
		return src;
	}

	// ---- read since, as Increment does ----------------------------------
	Snapshot sampler_read(const SpikeSeqs& since, SpikeSeqs& next) const
	{
		Snapshot s;
		s.kernel_release = "6.1.0-test";
		s.kernel_version = "#1 SMP PREEMPT_RT";
		s.sampled = true;
		s.state = running ? SamplerState::running : SamplerState::stopped;
		s.period_ns = 1'000'000;
		s.threshold_ns = 20'000;
		s.hist_buckets = hist_buckets;
		s.spike_capacity = cap;
		s.start_ns = start_ns;
		s.end_ns = now_ns;
		for (unsigned cpu : cpus_) {
			CpuResult c = stats_.at(cpu);
			for (LatType t : kLatTypes) {
				auto ring = spikes_.find({cpu, t});
				const std::uint64_t head =
					ring == spikes_.end() ? 0 : ring->second.head;
				const std::uint64_t end = running ? head + 1 : head;
				const std::uint64_t oldest = end > cap ? end - cap : 0;
				auto at = since.find({cpu, t});
				const std::uint64_t from = at == since.end() ? 0 : at->second;
				const std::uint64_t first = std::min(std::max(from, oldest), head);
				c.of(t).spikes_lost = first - std::min(from, first);
				next[{cpu, t}] = head;
				for (std::uint64_t seq = first; seq < head; seq++)
					s.spikes.push_back(
						ring->second.kept[seq + ring->second.kept.size() -
								  head]);
			}
			s.cpus.push_back(std::move(c));
		}
		std::sort(s.spikes.begin(), s.spikes.end(), [](const Spike& a, const Spike& b) {
			return a.expected_ns != b.expected_ns ? a.expected_ns < b.expected_ns
							      : a.type < b.type;
		});
		return s;
	}

	TraceData tracer_since(const TraceSince&) const
	{
		TraceData t = tracer_common();
		for (unsigned cpu : cpus_)
			t.cpus[cpu] = ring_of(cpu, false);
		return t;
	}

	std::vector<std::pair<SpikeKey, SpikeCauses>> causes_of(const std::vector<SpikeKey>& keys)
	{
		std::set<SpikeKey> entries;
		for (const SpikeKey& k : keys)
			entries.insert({k.cpu, k.type, k.seq % cap});
		causes_asked += entries.size();
		std::vector<std::pair<SpikeKey, SpikeCauses>> out;
		for (const SpikeKey& e : entries)
			if (auto it = causes_.find(e); it != causes_.end())
				out.push_back(it->second);
		return out;
	}

	std::map<unsigned, CpuTrace> rings_of(const CpuSet& cpus)
	{
		if (refuse_rings)
			throw std::runtime_error("the event rings were read");
		rings_asked.insert(cpus.begin(), cpus.end());
		std::map<unsigned, CpuTrace> out;
		for (unsigned cpu : cpus)
			out[cpu] = ring_of(cpu, true);
		return out;
	}

	DeltaSources delta_sources()
	{
		DeltaSources src;
		src.sampler = [this](const SpikeSeqs& since,
				     SpikeSeqs& next) -> std::optional<Snapshot> {
			return sampler_read(since, next);
		};
		src.tracer = [this](const TraceSince& since) -> std::optional<TraceData> {
			return tracer_since(since);
		};
		src.causes = [this](const std::vector<SpikeKey>& keys) { return causes_of(keys); };
		src.rings = [this](const CpuSet& cpus) { return rings_of(cpus); };
		src.ksyms = [] { return std::make_shared<const Ksyms>(Ksyms::parse("")); };
		src.now = [this] { return now_ns; };
		return src;
	}

private:
	TraceData tracer_common() const
	{
		TraceData t;
		t.start_ns = trace_start_ns;
		t.ring_size = ring_size;
		t.causes_capacity = cap;
		t.limits = limits;
		for (const auto& [key, s] : sources_)
			t.sources.push_back(s);
		t.origins = origins_;
		t.running = running_threads;
		for (RunningThread& r : t.running)
			r.read_ns = now_ns;
		for (unsigned cpu : cpus_)
			t.idle_names[{cpu, 0}] = "POLL";
		return t;
	}

	CpuTrace ring_of(unsigned cpu, bool with_events) const
	{
		CpuTrace c;
		auto it = events_.find(cpu);
		if (it == events_.end())
			return c;
		const Ring<TraceEvent>& r = it->second;
		c.written = r.head;
		c.lost = r.head > ring_size ? r.head - ring_size : 0;
		if (with_events) {
			const std::size_t n = std::min<std::size_t>(r.head - c.lost, r.kept.size());
			c.events.assign(r.kept.end() - static_cast<std::ptrdiff_t>(n),
					r.kept.end());
			std::sort(c.events.begin(), c.events.end(),
				  [](const TraceEvent& a, const TraceEvent& b) {
					  return a.start_ns < b.start_ns;
				  });
		}
		return c;
	}

	// Ring - the last records written, head of them ever.
	template <typename T>
	struct Ring {
		std::uint64_t head = 0;
		std::deque<T> kept;
	};

	std::vector<unsigned> cpus_;
	std::map<unsigned, CpuResult> stats_;
	std::map<std::pair<unsigned, LatType>, Ring<Spike>> spikes_;
	std::map<SpikeKey, std::pair<SpikeKey, SpikeCauses>> causes_;  // by entry
	std::map<unsigned, Ring<TraceEvent>> events_;
	std::map<std::tuple<unsigned, unsigned, std::uint64_t>, TraceSource> sources_;
	std::vector<TraceOrigin> origins_;
};

}  // namespace rtnoise::test
