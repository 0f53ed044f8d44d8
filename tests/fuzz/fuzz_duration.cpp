// SPDX-License-Identifier: GPL-2.0
// fuzz_duration - parse_duration_ns(), format_duration(), format_bytes()
// (util/units).
//
// Properties, for a bare number taken in ns, us and s:
//  - a duration is accepted or refused with a usage Error, nothing else;
//  - it is accepted exactly when it is digits with at most one '.' and a
//    digit, then nothing or one of ns, us, ms, s, m, min, h, d, and is
//    shorter than 2^63 ns (292 years: std::chrono::nanoseconds);
//  - what it gives is the number times the unit, to the nearest ns (the
//    input's decimal is read in long double here, as an independent
//    reference: the two may differ by the double's rounding);
//  - format_duration() and format_bytes() of it are short, non-empty text.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz.hpp"
#include "util/units.hpp"

using namespace rtnoise;

namespace {

struct Unit {
	const char* name;
	std::uint64_t ns;
};
constexpr Unit kUnits[] = {{"ns", 1},
			   {"us", kNsPerUs},
			   {"ms", kNsPerMs},
			   {"s", kNsPerSec},
			   {"m", 60 * kNsPerSec},
			   {"min", 60 * kNsPerSec},
			   {"h", 3600 * kNsPerSec},
			   {"d", 86400 * kNsPerSec}};

// grammar - the unit in ns if text is a number and a known unit (or none:
// default_ns), else 0; number gets the digits.
std::uint64_t grammar(const std::string& text, std::uint64_t default_ns, std::string& number)
{
	std::size_t n = 0, dots = 0, digits = 0;
	for (; n < text.size(); n++) {
		if (text[n] == '.')
			dots++;
		else if (text[n] >= '0' && text[n] <= '9')
			digits++;
		else
			break;
	}
	number = text.substr(0, n);
	if (dots > 1 || digits == 0)
		return 0;
	const std::string unit = text.substr(n);
	if (unit.empty())
		return default_ns;
	for (const Unit& u : kUnits)
		if (unit == u.name)
			return u.ns;
	return 0;
}

void one(const std::string& text, std::uint64_t default_ns)
{
	std::uint64_t ns = 0;
	const bool ok = fuzz::only_errors("parse_duration_ns", {Exit::usage}, text,
					  [&] { ns = parse_duration_ns(text, default_ns); });
	std::string number;
	const std::uint64_t unit = grammar(text, default_ns, number);
	const long double want = unit ? std::strtold(number.c_str(), nullptr) * unit : 0;
	const std::string about =
		fuzz::shown(text) + " (bare numbers in " + std::to_string(default_ns) + " ns)";

	// 2^63 ns, give or take the double's rounding of the product.
	const long double limit = 0x1p63L;
	if (!ok) {
		FUZZ_CHECK(!unit || want >= limit * (1 - 1e-12L), "refused " + about);
		return;
	}
	FUZZ_CHECK(unit, "accepted " + about);
	FUZZ_CHECK(want < limit * (1 + 1e-12L), "accepted " + about + ", longer than 2^63 ns");
	const long double got = static_cast<long double>(ns);
	const long double slack = 1 + want * 1e-12L;
	FUZZ_CHECK(std::fabs(got - want) <= slack,
		   about + " gave " + std::to_string(ns) + " ns, not about " +
			   std::to_string(static_cast<double>(want)));

	const std::string d = format_duration(ns), b = format_bytes(ns);
	FUZZ_CHECK(!d.empty() && d.size() < 32,
		   "format_duration(" + std::to_string(ns) + ") = " + d);
	FUZZ_CHECK(!b.empty() && b.size() < 32, "format_bytes(" + std::to_string(ns) + ") = " + b);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string in(reinterpret_cast<const char*>(data), size);
	for (std::uint64_t unit : {std::uint64_t{1}, kNsPerUs, kNsPerSec})
		one(in, unit);
	return 0;
}
