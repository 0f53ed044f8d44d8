// SPDX-License-Identifier: GPL-2.0
// series.hpp - the series of the Prometheus exposition (model/metrics.hpp):
// sources folded under labels whose number is bounded, and each latency's
// maximum over the last interval, from two reads' histograms.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/metrics.hpp"
#include "model/snapshot.hpp"

namespace rtnoise {

// The sources kept per CPU (monitor --metrics-sources): the default and
// the bounds.
inline constexpr std::size_t kSeriesSourcesDefault = 10;
inline constexpr std::size_t kSeriesSourcesMin = 1;
inline constexpr std::size_t kSeriesSourcesMax = 1000;

// series_name - a source's name as a label: a thread's comm without the
// ":pid" source_name() appends and without the numbers a kernel or a
// runtime counts its threads with: a number after a punctuation mark or
// a space other than '/' is dropped with it ("kworker/3:1" and
// "kworker/3:2" are "kworker/3", "kworker/u16:2" is "kworker/u16",
// "pool-2-thread-7" is "pool-thread"); one after a '/' or a letter is
// kept ("ksoftirqd/3", "irq/24-virtio0"). Other kinds' names are kept.
std::string series_name(std::string_view kind, std::string_view name);

// fold_sources - the sources under series_name() labels, summed per CPU,
// kind and label; per CPU the per_cpu largest by total (then count) and
// the rest summed into kind "other", name "other". cpus are the watched
// CPUs: each has its SeriesFolded, as has any CPU of a source.
//
// With the previous read's series (@then, of the same run), "other" is a
// counter of its own: what it was, plus what each label folded now grew
// since then's labels (its whole count if it is new).
// Summed afresh, it would go down whenever a label it held was promoted
// (and the others folded had run fewer times), which Prometheus takes
// for a restart of the counter, and its rate() for a burst. It is
// written from the first read a label of the CPU is folded on, then at
// every read.
void fold_sources(const std::vector<SourceRow>& sources, const std::vector<unsigned>& cpus,
		  std::size_t per_cpu, Metrics& m, const Metrics* then = nullptr);

// interval_max_ns - the largest latency among the samples now holds that
// before did not (before: the same CPU and type at the previous read, or
// nullptr): the new maximum if it grew, else the lower bound of the
// highest 1 µs bucket that grew (the histogram's size for overflows), 0
// if none grew. Counts that went down are a new run: all of now counts.
std::uint64_t interval_max_ns(const LatencyStats* before, const LatencyStats& now);

// metrics_of - now's sources folded to per_cpu a CPU, and its interval
// maxima since before (the previous read, or nullptr), whose series
// were before_series (fold_sources()); a before of another run (another
// start) counts as none.
Metrics metrics_of(const Snapshot& now, const Snapshot* before, std::size_t per_cpu,
		   const Metrics* before_series = nullptr);

}  // namespace rtnoise
