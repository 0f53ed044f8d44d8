// SPDX-License-Identifier: GPL-2.0
#include "analysis/attribution.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "analysis/percentiles.hpp"
#include "analysis/remedy.hpp"
#include "host/ksyms.hpp"

namespace rtnoise {

Explanation explain_window(const std::vector<TraceEvent>& events, std::uint64_t from,
			   std::uint64_t to)
{
	Explanation out;
	if (to <= from)
		return out;

	std::vector<const TraceEvent*> hit;
	std::vector<std::uint64_t> cuts{from, to};
	for (const TraceEvent& e : events) {
		if (e.end_ns <= from || e.start_ns >= to || !e.cause())
			continue;
		hit.push_back(&e);
		cuts.push_back(std::max(e.start_ns, from));
		cuts.push_back(std::min(e.end_ns, to));
	}
	std::sort(cuts.begin(), cuts.end());
	cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

	std::map<std::pair<unsigned, std::uint64_t>, std::uint64_t> owned;
	for (std::size_t i = 0; i + 1 < cuts.size(); i++) {
		std::uint64_t a = cuts[i], b = cuts[i + 1];
		const TraceEvent* owner = nullptr;
		for (const TraceEvent* e : hit) {
			if (e->start_ns > a || e->end_ns < b)
				continue;
			if (!owner || e->depth > owner->depth ||
			    (e->depth == owner->depth && e->start_ns > owner->start_ns))
				owner = e;
		}
		if (owner)
			owned[{owner->kind, owner->id}] += b - a;
		else
			out.unexplained_ns += b - a;
	}
	for (auto& [key, ns] : owned)
		out.parts.push_back({key.first, key.second, ns});
	std::sort(out.parts.begin(), out.parts.end(),
		  [](const auto& x, const auto& y) { return x.ns > y.ns; });
	return out;
}

namespace {

using KeyedIndex = std::pair<SpikeKey, std::uint32_t>;

// order_by_key - @keys in key order (ties by index). The spikes come by
// time, so each CPU's and type's seqs already rise; the kernel's joins
// come by slot, type and position. A stable counting pass by CPU and
// type orders either in linear time (sorting half a million was a tenth
// of a 64-CPU report); a sort is left for what is still out of order
// (positions that wrapped, spikes from anywhere else).
void order_by_key(std::vector<KeyedIndex>& keys)
{
	if (std::is_sorted(keys.begin(), keys.end()))
		return;
	std::size_t cpus = 0, types = 0;
	for (const auto& k : keys) {
		cpus = std::max(cpus, std::size_t{k.first.cpu} + 1);
		types = std::max(types, std::size_t{k.first.type} + 1);
	}
	const std::size_t buckets = cpus * types;
	if (buckets > keys.size() + 4096) {  // too sparse to count: sort
		std::sort(keys.begin(), keys.end());
		return;
	}
	auto bucket = [&](const KeyedIndex& k) { return k.first.cpu * types + k.first.type; };
	std::vector<std::size_t> at(buckets + 1, 0);
	for (const auto& k : keys)
		at[bucket(k) + 1]++;
	for (std::size_t b = 1; b <= buckets; b++)
		at[b] += at[b - 1];
	std::vector<KeyedIndex> out(keys.size());
	for (const auto& k : keys)
		out[at[bucket(k)]++] = k;
	keys.swap(out);
	if (!std::is_sorted(keys.begin(), keys.end()))
		std::sort(keys.begin(), keys.end());
}

bool is_workload(const TraceSource& src, const std::set<std::string>& comms,
		 const std::set<std::uint64_t>& pids, const std::set<std::uint64_t>& followed)
{
	return src.kind == kThread &&
	       (comms.count(src.comm) || pids.count(src.id) || followed.count(src.id));
}

// SourceTable - what the joins ask of the trace's sources: the name of
// each (cpu, kind, id), and which threads are the workload.
struct SourceTable {
	const TraceData& trace;
	const Ksyms& ksyms;
	const SourceNames& names;			      // of the trace's sources
	std::unordered_set<SourceId, SourceIdHash> workload;  // threads only

	// in_workload - is (cpu, kind, id) a thread of the workload?
	bool in_workload(unsigned cpu, unsigned kind, std::uint64_t id) const
	{
		return kind == kThread && workload.count({cpu, kind, id});
	}

	// name_of - what the report calls (cpu, kind, id).
	std::string name_of(unsigned cpu, unsigned kind, std::uint64_t id) const
	{
		if (kind == kIdle) {
			auto idle = trace.idle_names.find({cpu, id});
			std::string state = "state" + std::to_string(id);
			return idle == trace.idle_names.end() ? state
							      : idle->second + " (" + state + ")";
		}
		const std::string* name = names.named({cpu, kind, id});
		return name ? *name : source_name(kind, id, "", ksyms);
	}

	// smi_cause - the @smis SMIs in a spike's window, as a cause of @ns.
	Cause smi_cause(std::uint64_t smis, std::uint64_t ns) const
	{
		return {kind_name(kSmi), source_name(kSmi, smis, "", ksyms), ns};
	}
};

}  // namespace

namespace {

constexpr std::size_t kOriginsKept = 4;	 // per source, in the report

// attach_origins - give each source the contexts that caused it, the most
// frequent first. Sources and origins meet on (cpu, kind, name): a thread
// keyed by pid, the rest by what source_name() calls them.
void attach_origins(Snapshot& s, const TraceData& trace, const Ksyms& ksyms)
{
	std::map<std::tuple<unsigned, unsigned, std::uint64_t>, const TraceSource*> srcs;
	for (const TraceSource& x : trace.sources)
		srcs[std::make_tuple(x.cpu, x.kind, x.id)] = &x;
	std::map<std::tuple<unsigned, std::string, std::string>, std::vector<OriginRow>> by;
	for (const TraceOrigin& o : trace.origins) {
		auto found = srcs.find(std::make_tuple(o.cpu, o.kind, o.id));
		if (found == srcs.end())
			continue;  // caused nothing that ran (yet)
		const TraceSource* src = found->second;
		auto key = std::make_tuple(o.cpu, kind_name(o.kind),
					   source_name(o.kind, o.id, src->comm, ksyms));
		by[key].push_back({o.from_cpu, o.from_pid, o.comm.empty() ? "?" : o.comm, o.count,
				   o.via ? ksyms.name_of(o.via) : ""});
	}
	for (SourceRow& r : s.sources) {
		auto it = by.find(std::make_tuple(r.cpu, r.kind, r.name));
		if (it == by.end())
			continue;
		r.origins = std::move(it->second);
		std::sort(r.origins.begin(), r.origins.end(),
			  [](const OriginRow& a, const OriginRow& b) { return a.count > b.count; });
		if (r.origins.size() > kOriginsKept)
			r.origins.resize(kOriginsKept);
	}
}

// trim_to_latency - a spike's causes and remainder are its latency. The
// kernel's join can count more: events the tracer saw overlapping beyond
// their nesting (a switch it missed, a context longer than the one
// around it; the trace's "incomplete" counts them). The excess comes off
// the remainder, then off the smallest causes (sp.causes is sorted,
// largest first); a cause left with nothing is dropped.
void trim_to_latency(Spike& sp)
{
	std::uint64_t total = sp.unexplained_ns;
	for (const Cause& c : sp.causes)
		total += c.duration_ns;
	const std::uint64_t latency = sp.latency_ns();
	if (total <= latency)
		return;
	std::uint64_t excess = total - latency;
	const std::uint64_t off = std::min(excess, sp.unexplained_ns);
	sp.unexplained_ns -= off;
	excess -= off;
	while (excess && !sp.causes.empty()) {
		Cause& smallest = sp.causes.back();
		const std::uint64_t take = std::min(excess, smallest.duration_ns);
		smallest.duration_ns -= take;
		excess -= take;
		if (!smallest.duration_ns)
			sp.causes.pop_back();
	}
}

// largest_first - a spike's few causes by duration, largest first, ties
// in their order: an insertion sort, which allocates nothing (a
// std::stable_sort of each of half a million spikes' causes does).
void largest_first(std::vector<Cause>& causes)
{
	for (auto it = causes.begin(); it != causes.end(); ++it) {
		auto to = std::upper_bound(causes.begin(), it, *it,
					   [](const Cause& a, const Cause& b) {
						   return a.duration_ns > b.duration_ns;
					   });
		std::rotate(to, it, it + 1);
	}
}

// newest_joins - for each entry of the kernel's joins (a CPU, a latency
// type and seq % capacity, as SpikeKey), the newest spike seq read in it:
// what tells a spike whose join was overwritten from one never joined.
std::map<SpikeKey, std::uint64_t> newest_joins(const TraceData& trace)
{
	std::map<SpikeKey, std::uint64_t> newest;
	if (!trace.causes_capacity)
		return newest;
	for (const auto& [key, causes] : trace.explained) {
		const SpikeKey entry{key.cpu, key.type, key.seq % trace.causes_capacity};
		auto [it, fresh] = newest.try_emplace(entry, key.seq);
		if (!fresh && key.seq > it->second)
			it->second = key.seq;
	}
	return newest;
}

// why_not_joined - why @sp has no join of the kernel's in @trace. @own
// is the entry read for its seq, whose window was another's, or null.
JoinMissing why_not_joined(const Spike& sp, const SpikeCauses* own, const TraceData& trace,
			   const std::map<SpikeKey, std::uint64_t>& newest)
{
	if (own)
		return JoinMissing::mismatch;
	if (sp.observed_ns < trace.start_ns)
		return JoinMissing::before_trace;
	if (trace.limits & (kLimitNoBpfLoop | kLimitJoinRefused))
		return JoinMissing::unsupported;
	if (!trace.causes_capacity)
		return JoinMissing::not_run;
	auto it = newest.find(
		SpikeKey{sp.cpu, static_cast<unsigned>(sp.type), sp.seq % trace.causes_capacity});
	return it != newest.end() && it->second > sp.seq ? JoinMissing::overwritten
							 : JoinMissing::not_run;
}

// source_table - @s's sources and ticks from the trace's, each CPU's
// largest (ticks: most frequent) first, with their origins; returns the
// names and the workload for the joins. The rows are put in their order
// once, by index: sorting half a million rows moved their strings.
SourceTable source_table(Snapshot& s, const TraceData& trace, const Ksyms& ksyms,
			 const std::set<std::string>& workload_comms,
			 const std::set<std::uint64_t>& workload_pids, SourceNames& names)
{
	SourceTable table{trace, ksyms, names, {}};
	s.sources.clear();
	s.ticks.clear();
	// The threads the BPF side followed as the workload are the
	// workload's, whatever this report names.
	std::set<std::uint64_t> followed;
	for (const TraceWorkloadThread& w : trace.workload)
		followed.insert(w.tid);
	struct Row {
		const TraceSource* src;
		const SourceNames::Named* named;
	};
	std::vector<Row> rows;
	rows.reserve(trace.sources.size());
	for (const TraceSource& src : trace.sources) {
		const SourceId key{src.cpu, src.kind, src.id};
		const SourceNames::Named& named = names.of(key, src.comm, ksyms);
		if (src.kind == kTick) {
			s.ticks.push_back(
				{src.cpu, named.name, src.count, tick_remedy(named.name)});
			continue;
		}
		if (is_workload(src, workload_comms, workload_pids, followed)) {
			table.workload.insert(key);
			continue;
		}
		if (src.count)	// else seen, never charged: rtnoise.ko's threads
			rows.push_back({&src, &named});
	}
	std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
		if (a.src->cpu != b.src->cpu)
			return a.src->cpu < b.src->cpu;
		if (a.src->total_ns != b.src->total_ns)
			return a.src->total_ns > b.src->total_ns;
		return a.src < b.src;  // as they came
	});
	s.sources.reserve(rows.size());
	for (const Row& r : rows)
		s.sources.push_back({r.src->cpu,
				     kind_name(r.src->kind),
				     r.named->name,
				     r.src->count,
				     r.src->total_ns,
				     r.src->max_ns,
				     r.src->running,
				     {},
				     remedy(kind_name(r.src->kind), r.named->name, r.src->cpu)});
	attach_origins(s, trace, ksyms);
	std::sort(s.ticks.begin(), s.ticks.end(), [](const TickRow& a, const TickRow& b) {
		return a.cpu != b.cpu ? a.cpu < b.cpu : a.count > b.count;
	});
	return table;
}

// noise_budget - each CPU's noise: the time of its sources, per second
// and as what it left of the span traced, and the trace's counts of
// what it could not see.
void noise_budget(Snapshot& s, const TraceData& trace)
{
	std::map<unsigned, std::uint64_t> noise_ns;
	for (const SourceRow& r : s.sources)
		noise_ns[r.cpu] += r.total_ns;
	const std::uint64_t span = s.traced_ns();
	for (CpuResult& c : s.cpus) {
		NoiseBudget& n = c.noise;
		n.total_ns = noise_ns[c.cpu];
		if (span) {
			n.per_second_us = s.us_per_s(n.total_ns);
			n.available_pct =
				std::max(0.0, 100.0 * (1.0 - static_cast<double>(n.total_ns) /
								     static_cast<double>(span)));
		}
		auto it = trace.cpus.find(c.cpu);
		if (it != trace.cpus.end()) {
			const CpuTrace& t = it->second;
			n.events_lost = t.lost;
			n.nesting_overflow = t.overflow;
			n.clamped = t.clamped;
			n.clamped_ns = t.clamped_ns;
			n.source_drops = t.source_drops;
			n.origin_drops = t.origin_drops;
			n.nested = t.nested;
			n.preempted = t.preempted;
			n.parked_lost = t.parked_lost;
			n.parked_stale = t.parked_stale;
		}
		n.joins_missing = {};
	}
}

// join_by_key - the kernel's join read for each of @spikes (by its CPU,
// type and seq), or null: one walk of both by key (half a million map
// lookups were a large part of a 64-CPU report). Keys beside their
// positions: the sorts compare what they move.
std::vector<SpikeCauses*> join_by_key(const std::vector<Spike>& spikes, TraceData& trace)
{
	std::vector<KeyedIndex> spike_keys, join_keys;
	spike_keys.reserve(spikes.size());
	join_keys.reserve(trace.explained.size());
	for (std::size_t i = 0; i < spikes.size(); i++) {
		const Spike& sp = spikes[i];
		spike_keys.emplace_back(SpikeKey{sp.cpu, static_cast<unsigned>(sp.type), sp.seq},
					static_cast<std::uint32_t>(i));
	}
	for (std::size_t i = 0; i < trace.explained.size(); i++)
		join_keys.emplace_back(trace.explained[i].first, static_cast<std::uint32_t>(i));
	order_by_key(spike_keys);
	order_by_key(join_keys);
	std::vector<SpikeCauses*> joined(spikes.size(), nullptr);
	for (std::size_t i = 0, j = 0; i < spike_keys.size() && j < join_keys.size();) {
		if (spike_keys[i].first < join_keys[j].first)
			i++;
		else if (join_keys[j].first < spike_keys[i].first)
			j++;
		else
			joined[spike_keys[i++].second] =
				&trace.explained[join_keys[j++].second].second;
	}
	return joined;
}

// clear_causes - @sp with nothing explained yet.
void clear_causes(Spike& sp)
{
	sp.causes.clear();
	sp.stack.clear();
	sp.unexplained_ns = 0;
	sp.history_lost = false;
	sp.cut = false;
	sp.explained = Explained::none;
	sp.join_missing = JoinMissing::none;
}

// take_join - @sp's causes from @c, the kernel's join of it when it was
// recorded.
void take_join(Spike& sp, const SpikeCauses& c, const SourceTable& table)
{
	sp.explained = Explained::at_spike;
	sp.cut = c.cut;
	sp.unexplained_ns = c.unexplained_ns;
	sp.causes.reserve(c.parts.size() + (c.other_ns != 0) + (c.steal_ns != 0) + (c.smis != 0));
	for (const auto& p : c.parts) {
		// The workload is not a cause: its time is unexplained,
		// as the history join leaves it unpainted.
		if (table.in_workload(sp.cpu, p.kind, p.id)) {
			sp.unexplained_ns += p.ns;
			continue;
		}
		sp.causes.push_back({kind_name(p.kind), table.name_of(sp.cpu, p.kind, p.id), p.ns});
	}
	if (c.other_ns)
		sp.causes.push_back({"other", "smaller causes", c.other_ns});
	if (c.steal_ns)
		sp.causes.push_back(
			{kind_name(kSteal), source_name(kSteal, 0, "", table.ksyms), c.steal_ns});
	if (c.smis)
		sp.causes.push_back(table.smi_cause(c.smis, c.smi_ns));
	largest_first(sp.causes);
	trim_to_latency(sp);
	sp.stack = symbolize_stack(c.stack, table.ksyms);
}

// kernel_joins - each spike's causes from the kernel's join of it, made
// when it was recorded. Returns the spikes it did not join, per CPU, for
// history_join(), each counted in its CPU's budget by why not.
std::map<unsigned, std::vector<Spike*>> kernel_joins(Snapshot& s, TraceData& trace,
						     const SourceTable& table)
{
	const std::vector<SpikeCauses*> joined = join_by_key(s.spikes, trace);
	std::map<unsigned, std::vector<Spike*>> from_history;
	std::map<unsigned, NoiseBudget*> budget_of;
	for (CpuResult& c : s.cpus)
		budget_of[c.cpu] = &c.noise;
	std::map<SpikeKey, std::uint64_t> newest;
	bool newest_read = false;
	for (std::size_t i = 0; i < s.spikes.size(); i++) {
		Spike& sp = s.spikes[i];
		clear_causes(sp);
		SpikeCauses* ex = joined[i];
		if (ex && ex->expected_ns == sp.expected_ns && ex->observed_ns == sp.observed_ns) {
			take_join(sp, *ex, table);
			// Made into the spike's causes: what the entry held is
			// freed as the causes grow, not held beside them all to
			// the end (a tenth of a 256-CPU report's peak).
			std::vector<SpikeCauses::Part>().swap(ex->parts);
			std::vector<std::uint64_t>().swap(ex->stack);
			continue;
		}
		if (!newest_read) {
			newest = newest_joins(trace);
			newest_read = true;
		}
		sp.join_missing = why_not_joined(sp, ex, trace, newest);
		if (auto b = budget_of.find(sp.cpu); b != budget_of.end())
			b->second->joins_missing[static_cast<std::size_t>(sp.join_missing)]++;
		from_history[sp.cpu].push_back(&sp);
	}
	return from_history;
}

// paint_history - @sp's causes from @events (its CPU's, by start) at
// the indices in @open, those that may cover its window, but the
// workload's. @relevant is room kept from one spike to the next.
void paint_history(Spike& sp, const std::vector<TraceEvent>& events,
		   const std::vector<std::size_t>& open, const SourceTable& table,
		   std::vector<TraceEvent>& relevant)
{
	// Events of the workload are not causes: drop them from the
	// paint. The latest first, as they were before.
	relevant.clear();
	for (std::size_t k = open.size(); k-- > 0;) {
		const TraceEvent& e = events[open[k]];
		if (e.start_ns < sp.observed_ns && !table.in_workload(sp.cpu, e.kind, e.id))
			relevant.push_back(e);
	}
	Explanation x = explain_window(relevant, sp.expected_ns, sp.observed_ns);
	for (const auto& part : x.parts)
		sp.causes.push_back(
			{kind_name(part.kind), table.name_of(sp.cpu, part.kind, part.id), part.ns});
	sp.unexplained_ns = x.unexplained_ns;
}

// history_join - the spikes the kernel did not join (@from_history, per
// CPU) from the events still in the ring, if they reach back: per CPU,
// the spikes by the start of their window and one pass over the events
// by start, keeping open those that end after it. What is kept is the
// windows' events and what spans them, not the ring.
void history_join(std::map<unsigned, std::vector<Spike*>>& from_history, const TraceData& trace,
		  const SourceTable& table)
{
	static const std::vector<TraceEvent> none;
	std::vector<std::size_t> open;
	std::vector<TraceEvent> relevant;
	for (auto& [cpu, spikes] : from_history) {
		auto it = trace.cpus.find(cpu);
		const auto& events = it == trace.cpus.end() ? none : it->second.events;
		std::stable_sort(spikes.begin(), spikes.end(), [](const Spike* a, const Spike* b) {
			return a->expected_ns < b->expected_ns;
		});
		open.clear();
		std::size_t next = 0;
		for (Spike* p : spikes) {
			Spike& sp = *p;
			for (; next < events.size() && events[next].start_ns < sp.observed_ns;
			     next++)
				if (events[next].end_ns > sp.expected_ns)
					open.push_back(next);
			std::erase_if(open, [&](std::size_t i) {
				return events[i].end_ns <= sp.expected_ns;
			});
			paint_history(sp, events, open, table, relevant);
			sp.history_lost =
				it != trace.cpus.end() && it->second.lost &&
				(events.empty() || sp.expected_ns < events.front().start_ns);
			sp.explained = sp.history_lost || it == trace.cpus.end()
					       ? Explained::none
					       : Explained::history;
			if (sp.smis) {
				sp.causes.push_back(table.smi_cause(sp.smis, sp.unexplained_ns));
				sp.unexplained_ns = 0;
			}
		}
	}
}

// workload_stats - a followed thread's wakeup latency as LatencyStats.
LatencyStats workload_stats(const TraceWorkloadThread& w)
{
	LatencyStats l;
	l.count = w.wakeups;
	l.min_ns = w.min_ns;
	l.max_ns = w.max_ns;
	l.sum_ns = w.sum_ns;
	l.overflows = w.overflows;
	l.spikes = w.spikes;
	l.hist = w.hist;
	l.pct = percentiles(l);
	return l;
}

// workload_threads - the threads the BPF side followed as the workload,
// those that never ran on a watched CPU left out.
void workload_threads(Snapshot& s, const TraceData& trace)
{
	s.workload.clear();
	for (const TraceWorkloadThread& t : trace.workload) {
		if (t.cpu < 0 && !t.wakeups && !t.run_ns)
			continue;
		WorkloadThread w;
		w.tid = t.tid;
		w.tgid = t.tgid;
		w.comm = t.comm;
		w.cpu = t.cpu;
		w.exited = t.exited;
		w.wakeup = workload_stats(t);
		w.timer_wakeups = t.timer_wakeups;
		w.taken = {t.preemptions, t.preempted_ns, t.interrupts, t.interrupted_ns,
			   t.max_taken_ns};
		w.self = {t.run_ns,	t.faults_user, t.faults_kernel, t.syscalls,
			  t.syscall_ns, t.migrations,  t.voluntary,	t.involuntary};
		s.workload.push_back(std::move(w));
	}
}

// workload_spike - one workload spike, its causes named: from the
// kernel's join, or (a kernel without it) from the CPU's history.
WorkloadSpike workload_spike(const TraceWorkloadSpike& t, const TraceData& trace,
			     const SourceTable& table)
{
	WorkloadSpike sp;
	sp.cpu = t.cpu;
	sp.tid = t.tid;
	sp.comm = t.comm;
	sp.type = t.kind == kWlTaken ? WorkloadSpikeType::taken : WorkloadSpikeType::wakeup;
	sp.timer = t.timer;
	sp.from_ns = t.from_ns;
	sp.to_ns = t.to_ns;
	SpikeCauses c = t.causes;
	if (t.joined) {
		sp.explained = Explained::at_spike;
	} else if (auto cpu = trace.cpus.find(t.cpu); cpu != trace.cpus.end()) {
		const Explanation e = explain_window(cpu->second.events, t.from_ns, t.to_ns);
		c.parts.clear();
		for (const auto& p : e.parts)
			c.parts.push_back({p.kind, p.id, p.ns});
		c.unexplained_ns = e.unexplained_ns;
		sp.explained = Explained::history;
	}
	sp.cut = c.cut;
	sp.unexplained_ns = c.unexplained_ns;
	for (const auto& p : c.parts)
		sp.causes.push_back({kind_name(p.kind), table.name_of(sp.cpu, p.kind, p.id), p.ns});
	if (c.other_ns)
		sp.causes.push_back({"other", "smaller causes", c.other_ns});
	largest_first(sp.causes);
	sp.stack = symbolize_stack(c.stack, table.ksyms);
	return sp;
}

// workload - what the BPF side measured of the workload's own threads.
void workload(Snapshot& s, const TraceData& trace, const SourceTable& table)
{
	workload_threads(s, trace);
	s.workload_threshold_ns = trace.workload_threshold_ns;
	s.workload_lost = trace.workload_lost;
	s.workload_spikes_lost = trace.workload_spikes_lost;
	s.workload_spikes.clear();
	s.workload_spikes.reserve(trace.workload_spikes.size());
	for (const TraceWorkloadSpike& t : trace.workload_spikes)
		s.workload_spikes.push_back(workload_spike(t, trace, table));
	std::sort(s.workload_spikes.begin(), s.workload_spikes.end(),
		  [](const WorkloadSpike& a, const WorkloadSpike& b) {
			  return std::tie(a.to_ns, a.cpu) < std::tie(b.to_ns, b.cpu);
		  });
}

}  // namespace

const SourceNames::Named& SourceNames::of(const SourceId& key, const std::string& comm,
					  const Ksyms& ksyms)
{
	auto [it, fresh] = names_.try_emplace(key);
	Named& n = it->second;
	if (fresh || n.comm != comm) {
		n.comm = comm;
		n.name = source_name(key.kind, key.id, comm, ksyms);
	}
	if (n.round != round_) {
		n.round = round_;
		used_++;
	}
	return n;
}

const std::string* SourceNames::named(const SourceId& key) const
{
	auto it = names_.find(key);
	return it != names_.end() && it->second.round == round_ ? &it->second.name : nullptr;
}

void SourceNames::end()
{
	if (names_.size() <= 2 * used_ + 1024)
		return;
	std::erase_if(names_, [&](const auto& n) { return n.second.round != round_; });
}

void attribute(Snapshot& s, TraceData trace, const Ksyms& ksyms,
	       const std::set<std::string>& workload_comms,
	       const std::set<std::uint64_t>& workload_pids, SourceNames* names)
{
	charge_running(trace);
	s.attributed = true;
	s.trace_start_ns = trace.start_ns;
	s.limits = trace_limits(trace.limits, trace.refused);
	SourceNames once;
	SourceNames& named = names ? *names : once;
	named.begin();
	const SourceTable table =
		source_table(s, trace, ksyms, workload_comms, workload_pids, named);
	noise_budget(s, trace);
	auto from_history = kernel_joins(s, trace, table);
	history_join(from_history, trace, table);
	workload(s, trace, table);
	note_hidden(s, ksyms.hidden_why());
	named.end();
}

void note_hidden(Snapshot& s, const std::string& why)
{
	auto any = [](const auto& rows, auto name) {
		return std::any_of(rows.begin(), rows.end(),
				   [&](const auto& r) { return is_hidden_name(name(r)); });
	};
	bool hidden = any(s.sources, [](const SourceRow& r) { return r.name; });
	for (const SourceRow& r : s.sources)
		hidden = hidden || any(r.origins, [](const OriginRow& o) { return o.via; });
	for (const Spike& sp : s.spikes)
		hidden = hidden || any(sp.causes, [](const Cause& c) { return c.name; }) ||
			 any(sp.stack, [](const std::string& f) { return f; });
	s.symbols_hidden = hidden ? why : "";
}

}  // namespace rtnoise
