// SPDX-License-Identifier: GPL-2.0
// units.hpp - durations on the command line and in reports.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rtnoise {

// parse_duration_ns - "1ms", "50us", "250000ns", "1.5s", "2m", "1h";
// a bare number is taken in default_unit_ns. Throws a usage Error.
std::uint64_t parse_duration_ns(std::string_view text, std::uint64_t default_unit_ns);

// format_duration - a short human form: "850 ns", "50 us", "1.5 ms", "12.0 s".
std::string format_duration(std::uint64_t ns);
// format_bytes - "512 B", "4.0 KiB", "2.4 MiB", "1.0 GiB".
std::string format_bytes(std::uint64_t bytes);

// ns_to_us - whole microseconds, truncated as cyclictest prints them.
constexpr std::uint64_t ns_to_us(std::uint64_t ns)
{
	return ns / 1000;
}

inline constexpr std::uint64_t kNsPerUs = 1000;
inline constexpr std::uint64_t kNsPerMs = 1000 * kNsPerUs;
inline constexpr std::uint64_t kNsPerSec = 1000 * kNsPerMs;

}  // namespace rtnoise
