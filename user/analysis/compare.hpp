// SPDX-License-Identifier: GPL-2.0
// compare.hpp - two reports of the same CPUs side by side.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "model/comparison.hpp"
#include "model/snapshot.hpp"

namespace rtnoise {

// CauseTallies - the spikes as compare() uses them: per CPU and latency
// type, the largest cause of each spike counted ("unexplained" for those
// without causes), in the order first met. It holds a row per cause met,
// not the spikes: read_report_json() hands it each spike as it is read.
class CauseTallies {
public:
	void add(const Spike& sp);
	// leading - the n causes of the most spikes of type on cpu.
	std::vector<CauseTally> leading(unsigned cpu, LatType type, std::size_t n) const;

private:
	using Key = std::tuple<unsigned, LatType, std::string, std::string>;
	std::map<std::pair<unsigned, LatType>, std::vector<CauseTally>> by_;
	std::map<Key, std::size_t> at_;	 // where in by_'s row
};

// tally_causes - the spikes of s, each tallied.
CauseTallies tally_causes(const Snapshot& s);

// compare - before and after, figure by figure (model/comparison.hpp),
// the spikes' causes from each one's tallies (the Snapshots' spikes are
// not read). Throws a usage Error when they did not watch the same CPUs.
Comparison compare(const Snapshot& before, const CauseTallies& before_causes, const Snapshot& after,
		   const CauseTallies& after_causes);
// compare - the same, tallying each one's spikes.
Comparison compare(const Snapshot& before, const Snapshot& after);

}  // namespace rtnoise
