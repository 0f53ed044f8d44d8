// SPDX-License-Identifier: GPL-2.0
// percentiles.hpp - p50, p99, p99.9, p99.99 and max of each latency type,
// from the sampler's histograms (model/snapshot.hpp, Percentiles).
#pragma once

#include "model/snapshot.hpp"

namespace rtnoise {

// percentiles - of one latency type's histogram (1 us buckets) and its
// overflows, by nearest rank.
Percentiles percentiles(const LatencyStats& l);

// fill_percentiles - set pct of every CPU's latency types.
void fill_percentiles(Snapshot& s);

// workload_percentiles - set wakeup.pct of every workload thread.
void workload_percentiles(Snapshot& s);

}  // namespace rtnoise
