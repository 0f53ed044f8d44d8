// SPDX-License-Identifier: GPL-2.0
// metrics.hpp - what the Prometheus exposition holds beside the snapshot
// as it is: the sources under labels that do not grow with the processes
// a host starts (at most N per CPU, the rest as one "other"), and each
// latency type's maximum over the last interval. analysis/series.cpp
// makes it, render/prometheus.cpp prints it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/snapshot.hpp"

namespace rtnoise {

// SeriesSource - the sources of one CPU that share a label, summed: their
// counts and times added, the largest of their maxima.
struct SeriesSource {
	unsigned cpu = 0;
	std::string kind;
	std::string name;  // a thread's comm without its pid or worker number
	std::uint64_t count = 0;
	std::uint64_t total_ns = 0;
	std::uint64_t max_ns = 0;
};

// SeriesFolded - how many labels of a CPU were summed into its "other".
struct SeriesFolded {
	unsigned cpu = 0;
	std::size_t labels = 0;
};

// IntervalMax - the largest latency of the samples taken since the
// previous read (since the attach at the first read), to the µs below;
// 0 when no sample was taken.
struct IntervalMax {
	unsigned cpu = 0;
	LatType type = LatType::irq;
	std::uint64_t max_ns = 0;
};

struct Metrics {
	std::vector<SeriesSource> sources;  // by CPU, largest total first, "other" last
	// Every label's sums before the fold, by CPU, kind and name: what
	// the next read's "other" counts on from (fold_sources()).
	std::vector<SeriesSource> labels;
	std::vector<SeriesFolded> folded;   // every CPU watched or with a source
	std::vector<IntervalMax> interval;  // per CPU of the snapshot and type
};

}  // namespace rtnoise
