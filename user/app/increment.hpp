// SPDX-License-Identifier: GPL-2.0
// increment.hpp - the monitor's read of one interval: only what changed
// since the last read, made into the snapshot collect() would make of
// everything attached, as far as the monitor renders it.
//
// Each read takes the sampler's counters and histograms whole, the
// spikes recorded since the last read's sequence numbers, the BPF side's
// sources, origins, ring heads and workload threads (bounded tables),
// the kernel's joins of the new spikes alone, and the workload spikes
// since the last heads. The event rings are read only for the CPUs of a
// new spike (or workload spike) without a kernel join, and then whole.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/attribution.hpp"
#include "app/session.hpp"
#include "host/ksyms.hpp"
#include "model/snapshot.hpp"
#include "model/trace.hpp"
#include "util/cpulist.hpp"

namespace rtnoise {

// DeltaSources - where an Increment reads from: the real sampler and
// tracer by default, fixtures in tests and benchmarks. sampler and
// tracer return nullopt when that side is not attached.
struct DeltaSources {
	// The sampler's snapshot with each CPU's and type's spikes from
	// since on (Device::read_snapshot(&since, &next)); next: where the
	// next read starts.
	std::function<std::optional<Snapshot>(const SpikeSeqs& since, SpikeSeqs& next)> sampler;
	// The BPF side without its event rings and joins (tracer_read_since()).
	std::function<std::optional<TraceData>(const TraceSince& since)> tracer;
	// The kernel's joins in these spikes' entries (tracer_read_causes()).
	std::function<std::vector<std::pair<SpikeKey, SpikeCauses>>(const std::vector<SpikeKey>&)>
		causes;
	// The event rings of these CPUs (tracer_read_rings()).
	std::function<std::map<unsigned, CpuTrace>(const CpuSet&)> rings;
	// Shared: the real one loads /proc/kallsyms again only when the
	// modules loaded changed (cached_ksyms()).
	std::function<std::shared_ptr<const Ksyms>()> ksyms;
	std::function<std::uint64_t()> now;  // CLOCK_MONOTONIC, ns
};
DeltaSources real_delta_sources();

// cached_ksyms - <root>/proc/kallsyms under key() (asked once), loaded
// at the first call and again only when a module was loaded or unloaded
// (<root>/proc/modules names another set, or another address): parsing
// it each interval was most of an idle monitor's time.
std::function<std::shared_ptr<const Ksyms>()> cached_ksyms(const std::filesystem::path& root,
							   std::function<KsymsKey()> key);

// Increment - the monitor's state between reads: the cursors of the
// spike rings and the workload's spikes, the kept spikes without a
// kernel join (each CPU's joins_missing counts them, as collect()'s
// count every spike of the rings), the cpuidle names.
class Increment {
public:
	Increment(DeltaSources src, Workload workload);

	// read - one interval: the snapshot collect() makes of the same
	// kernel data, but that its spikes and workload spikes are those new
	// since the last read (all those kept, at the first). Throws
	// nothing_attached() when neither side is.
	Snapshot read();
	// rings_read - the CPUs whose event rings the last read asked for.
	const CpuSet& rings_read() const { return rings_read_; }

private:
	using Counts = std::array<std::uint64_t, kJoinMissingCount>;
	struct Unjoined {
		std::uint64_t seq = 0;
		std::uint64_t expected_ns = 0, observed_ns = 0;
		JoinMissing why = JoinMissing::none;
	};

	void reset();
	void join(Snapshot& s, TraceData trace);
	CpuSet rings_wanted(const Snapshot& s, const TraceData& trace) const;
	void keep_unjoined(Snapshot& s, const SpikeSeqs& next);
	void recheck(const std::vector<std::pair<SpikeKey, SpikeCauses>>& joins,
		     std::uint32_t capacity);
	void count_lost(Snapshot& s, const SpikeSeqs& next);

	DeltaSources src_;
	Workload workload_;
	bool started_ = false;
	std::uint64_t start_ns_ = 0;  // of the sampler's run
	SpikeSeqs cursor_;
	TraceSince since_;
	std::map<std::pair<unsigned, std::uint64_t>, std::string> idle_names_;
	std::map<std::pair<unsigned, LatType>, std::deque<Unjoined>> unjoined_;
	std::map<unsigned, Counts> missing_;  // per CPU, of unjoined_
	CpuSet rings_read_;
	// The sources named with these symbols, by earlier reads.
	std::shared_ptr<const Ksyms> ksyms_;
	SourceNames names_;
};

}  // namespace rtnoise
