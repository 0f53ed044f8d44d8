// SPDX-License-Identifier: GPL-2.0
// fuzz_cpulist - parse_cpulist(), format_cpulist(), to_bitmap() and the
// set operations (util/cpulist).
//
// The input is one list, or two separated by '|' (a byte no list holds).
// Properties:
//  - a list is accepted or refused with a usage Error, nothing else;
//  - allow_empty only adds the blank list: parse(x, false) accepts x
//    exactly when x is not blank and parse(x, true) accepts it, with the
//    same CPUs;
//  - every CPU is at most kMaxCpu;
//  - format_cpulist() gives a list that parses back to the same CPUs, in
//    digits, '-' and ',' only, and is a fixed point;
//  - blanks around the list change nothing;
//  - "A,B" is the union of A and B;
//  - to_bitmap() has exactly the CPUs' bits, in as many words as needed;
//  - &, -, is_subset() and intersects() agree with the definitions.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz.hpp"
#include "util/cpulist.hpp"

using namespace rtnoise;

namespace {

bool blank(std::string_view s)
{
	return s.find_first_not_of(" \t\n") == std::string_view::npos;
}

// parse - parse_cpulist(text, allow_empty), or false if it refused.
bool parse(const std::string& text, bool allow_empty, CpuSet& out)
{
	return fuzz::only_errors("parse_cpulist", {Exit::usage}, text,
				 [&] { out = parse_cpulist(text, allow_empty); });
}

// accepted - the properties of one list; false if refused.
bool accepted(const std::string& text, CpuSet& cpus)
{
	CpuSet strict;
	const bool ok = parse(text, true, cpus);
	const bool ok_strict = parse(text, false, strict);
	FUZZ_CHECK(ok_strict == (ok && !blank(text)),
		   "allow_empty must only add the blank list: " + fuzz::shown(text));
	if (!ok)
		return false;
	if (ok_strict)
		FUZZ_CHECK(strict == cpus, "allow_empty changed the CPUs of " + fuzz::shown(text));
	else
		FUZZ_CHECK(cpus.empty(), "a blank list has no CPU");

	FUZZ_CHECK(cpus.empty() || *cpus.rbegin() <= kMaxCpu,
		   fuzz::shown(text) + " gave CPU " + std::to_string(*cpus.rbegin()));

	const std::string f = format_cpulist(cpus);
	FUZZ_CHECK(f.find_first_not_of("0123456789-,") == std::string::npos,
		   "format_cpulist wrote " + fuzz::shown(f));
	CpuSet back;
	FUZZ_CHECK(parse(f, true, back),
		   "format_cpulist wrote a list it refuses: " + fuzz::shown(f));
	FUZZ_CHECK(back == cpus,
		   fuzz::shown(text) + " -> " + fuzz::shown(f) + " -> " + fuzz::shown(back));
	FUZZ_CHECK(format_cpulist(back) == f, "format_cpulist is not a fixed point on " + f);

	CpuSet padded;
	FUZZ_CHECK(parse(" \t" + text + "\n", true, padded) && padded == cpus,
		   "blanks around " + fuzz::shown(text) + " changed it");

	const auto words = to_bitmap(cpus);
	const std::size_t want = cpus.empty() ? 1 : *cpus.rbegin() / 64 + 1;
	FUZZ_CHECK(words.size() == want,
		   "to_bitmap has " + std::to_string(words.size()) + " words for " + f);
	std::size_t bits = 0;
	for (std::size_t w = 0; w < words.size(); w++)
		for (unsigned b = 0; b < 64; b++)
			if (words[w] >> b & 1) {
				bits++;
				FUZZ_CHECK(cpus.count(static_cast<unsigned>(w * 64 + b)),
					   "to_bitmap set bit " + std::to_string(w * 64 + b) +
						   " for " + f);
			}
	FUZZ_CHECK(bits == cpus.size(), "to_bitmap lost CPUs of " + f);
	return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string in(reinterpret_cast<const char*>(data), size);
	const auto bar = in.find('|');
	const std::string a_text = in.substr(0, bar);
	CpuSet a;
	const bool a_ok = accepted(a_text, a);
	if (bar == std::string::npos)
		return 0;

	const std::string b_text = in.substr(bar + 1);
	CpuSet b;
	const bool b_ok = accepted(b_text, b);
	if (!a_ok || !b_ok)
		return 0;

	if (!blank(a_text) && !blank(b_text)) {
		CpuSet both, u = a;
		u.insert(b.begin(), b.end());
		FUZZ_CHECK(parse(a_text + "," + b_text, false, both) && both == u,
			   "A,B is not A and B: " + fuzz::shown(a_text) + ", " +
				   fuzz::shown(b_text));
	}

	CpuSet inter, diff;
	for (unsigned c : a)
		(b.count(c) ? inter : diff).insert(c);
	FUZZ_CHECK((a & b) == inter, fuzz::shown(a) + " & " + fuzz::shown(b));
	FUZZ_CHECK((a - b) == diff, fuzz::shown(a) + " - " + fuzz::shown(b));
	FUZZ_CHECK(is_subset(a, b) == diff.empty(), "is_subset " + fuzz::shown(a) + fuzz::shown(b));
	FUZZ_CHECK(intersects(a, b) == !inter.empty(),
		   "intersects " + fuzz::shown(a) + fuzz::shown(b));
	return 0;
}
