// SPDX-License-Identifier: GPL-2.0
#include "util/units.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "util/error.hpp"
#include "util/utf8.hpp"

namespace rtnoise {

std::uint64_t parse_duration_ns(std::string_view text, std::uint64_t default_unit_ns)
{
	static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 8> units{
		{{"ns", 1},
		 {"us", kNsPerUs},
		 {"ms", kNsPerMs},
		 {"s", kNsPerSec},
		 {"m", 60 * kNsPerSec},
		 {"min", 60 * kNsPerSec},
		 {"h", 3600 * kNsPerSec},
		 {"d", 86400 * kNsPerSec}}};

	std::string s(text);
	std::size_t digits = 0;
	while (digits < s.size() && ((s[digits] >= '0' && s[digits] <= '9') || s[digits] == '.'))
		digits++;
	std::string number = s.substr(0, digits);
	std::string_view suffix = std::string_view(s).substr(digits);

	char* end = nullptr;
	double value = number.empty() ? NAN : std::strtod(number.c_str(), &end);
	if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(value))
		throw usage_error("invalid duration '" + escape_name(s) +
				  "': want a number with ns, us, ms, s, m or h");

	std::uint64_t unit = default_unit_ns;
	if (!suffix.empty()) {
		unit = 0;
		for (auto& [name, ns] : units)
			if (suffix == name)
				unit = ns;
		if (!unit)
			throw usage_error("invalid duration '" + escape_name(s) +
					  "': unknown unit '" + escape_name(suffix) + "'");
	}

	// Up to 2^63 ns (292 years): llround() returns a long long, and a
	// duration becomes a std::chrono::nanoseconds, signed 64 bits too.
	double ns = value * static_cast<double>(unit);
	if (ns >= 0x1p63)
		throw usage_error("duration '" + escape_name(s) +
				  "' is too long (292 years at most)");
	return static_cast<std::uint64_t>(std::llround(ns));
}

std::string format_bytes(std::uint64_t bytes)
{
	static constexpr const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
	if (bytes < 1024)
		return std::to_string(bytes) + " B";
	double v = static_cast<double>(bytes) / 1024;
	std::size_t u = 0;
	while (v >= 1024 && u + 1 < std::size(units)) {
		v /= 1024;
		u++;
	}
	char buf[32];
	std::snprintf(buf, sizeof(buf), "%.1f %s", v, units[u]);
	return buf;
}

std::string format_duration(std::uint64_t ns)
{
	char buf[64];
	if (ns < 10 * kNsPerUs && ns % kNsPerUs)
		std::snprintf(buf, sizeof(buf), "%llu ns", static_cast<unsigned long long>(ns));
	else if (ns < kNsPerMs)
		std::snprintf(buf, sizeof(buf), "%llu us",
			      static_cast<unsigned long long>(ns / kNsPerUs));
	else if (ns < kNsPerSec)
		std::snprintf(buf, sizeof(buf), "%.3g ms", static_cast<double>(ns) / kNsPerMs);
	else
		std::snprintf(buf, sizeof(buf), "%.1f s", static_cast<double>(ns) / kNsPerSec);
	return buf;
}

}  // namespace rtnoise
