// SPDX-License-Identifier: GPL-2.0
// counting_alloc.hpp - the benchmarks' memory counters: counting_alloc.cpp
// replaces the global operator new and delete of the executable it is
// linked into, so that g_live is what the process has allocated through
// them and g_peak the most it had since a benchmark last stored to it.
#pragma once

#include <atomic>
#include <cstdint>

namespace rtnoise::bench {

extern std::atomic<std::int64_t> g_live;  // bytes allocated now
extern std::atomic<std::int64_t> g_peak;  // the most since it was stored

inline constexpr double kMiB = 1024.0 * 1024.0;

// maxrss_mib - the process's peak RSS.
double maxrss_mib();

}  // namespace rtnoise::bench
