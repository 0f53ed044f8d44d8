// SPDX-License-Identifier: GPL-2.0
// clock.hpp - CLOCK_MONOTONIC in ns: the clock of the module's
// timestamps and of bpf_ktime_get_ns(), so both sides compare.
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

}  // namespace rtnoise
