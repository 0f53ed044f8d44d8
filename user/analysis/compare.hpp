// SPDX-License-Identifier: GPL-2.0
// compare.hpp - two reports of the same CPUs side by side.
#pragma once

#include "model/comparison.hpp"
#include "model/snapshot.hpp"

namespace rtnoise {

// compare - before and after, figure by figure (model/comparison.hpp).
// Throws a usage Error when they did not watch the same CPUs.
Comparison compare(const Snapshot& before, const Snapshot& after);

// leading_causes - the sources that were the largest cause of the most
// spikes of type on cpu ("unexplained" for those without causes), at most n.
std::vector<CauseTally> leading_causes(const Snapshot& s, unsigned cpu, LatType type,
				       std::size_t n);

}  // namespace rtnoise
