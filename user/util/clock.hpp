// SPDX-License-Identifier: GPL-2.0
// clock.hpp - CLOCK_MONOTONIC in ns: the clock of the module's
// timestamps and of bpf_ktime_get_ns(), so both sides compare; and how
// far the wall clock is from it, to date those timestamps.
#pragma once

#include <ctime>

#include <cstdint>

namespace rtnoise {

inline std::uint64_t monotonic_ns()
{
	timespec ts{};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL +
	       static_cast<std::uint64_t>(ts.tv_nsec);
}

// realtime_offset_ns - CLOCK_REALTIME minus CLOCK_MONOTONIC, now: a
// monotonic time plus this is nanoseconds since the epoch.
inline std::int64_t realtime_offset_ns()
{
	timespec rt{};
	timespec mono{};
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return (static_cast<std::int64_t>(rt.tv_sec) - mono.tv_sec) * 1000000000LL +
	       (rt.tv_nsec - mono.tv_nsec);
}

}  // namespace rtnoise
