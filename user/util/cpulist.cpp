// SPDX-License-Identifier: GPL-2.0
#include "util/cpulist.hpp"

#include <algorithm>
#include <iterator>

#include <charconv>

#include "util/error.hpp"

namespace rtnoise {
namespace {

std::string_view trim(std::string_view s)
{
	while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
		s.remove_prefix(1);
	while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
		s.remove_suffix(1);
	return s;
}

unsigned parse_number(std::string_view s, std::string_view part)
{
	unsigned value = 0;
	auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
	if (s.empty() || ec != std::errc() || end != s.data() + s.size())
		throw usage_error("invalid CPU list element '" + std::string(part) + "': '" +
				  std::string(s) + "' is not a CPU number");
	if (value > kMaxCpu)
		throw usage_error("CPU " + std::string(s) + " in '" + std::string(part) +
				  "' is beyond any possible CPU (max " + std::to_string(kMaxCpu) +
				  ")");
	return value;
}

void parse_part(std::string_view part, CpuSet& out)
{
	std::string_view range = part, group;
	if (auto colon = part.find(':'); colon != part.npos) {
		range = part.substr(0, colon);
		group = part.substr(colon + 1);
	}

	unsigned first, last;
	if (auto dash = range.find('-'); dash != range.npos) {
		first = parse_number(range.substr(0, dash), part);
		last = parse_number(range.substr(dash + 1), part);
		if (last < first)
			throw usage_error("invalid CPU range '" + std::string(part) +
					  "': the end is before the start");
	} else {
		if (!group.empty())
			throw usage_error("invalid CPU list element '" + std::string(part) +
					  "': a stride needs a range");
		first = last = parse_number(range, part);
	}

	unsigned used = 1, size = 1;
	if (!group.empty()) {
		if (auto slash = group.find('/'); slash != group.npos) {
			used = parse_number(group.substr(0, slash), part);
			size = parse_number(group.substr(slash + 1), part);
		} else {
			used = 1;
			size = parse_number(group, part);
		}
		if (size == 0 || used == 0 || used > size)
			throw usage_error("invalid CPU group in '" + std::string(part) +
					  "': want :stride or :used/size");
	}

	for (unsigned cpu = first; cpu <= last; cpu++)
		if ((cpu - first) % size < used)
			out.insert(cpu);
}

}  // namespace

CpuSet parse_cpulist(std::string_view text, bool allow_empty)
{
	CpuSet cpus;
	text = trim(text);
	if (text.empty()) {
		if (allow_empty)
			return cpus;
		throw usage_error("empty CPU list");
	}

	while (true) {
		auto comma = text.find(',');
		auto part = trim(text.substr(0, comma));
		if (part.empty())
			throw usage_error("invalid CPU list '" + std::string(text) +
					  "': empty element between commas");
		parse_part(part, cpus);
		if (comma == text.npos)
			break;
		text.remove_prefix(comma + 1);
	}
	return cpus;
}

std::string format_cpulist(const CpuSet& cpus)
{
	std::string out;
	for (auto it = cpus.begin(); it != cpus.end();) {
		unsigned first = *it, last = *it;
		while (++it != cpus.end() && *it == last + 1)
			last = *it;
		if (!out.empty())
			out += ',';
		out += std::to_string(first);
		if (last != first)
			out += '-' + std::to_string(last);
	}
	return out;
}

std::vector<std::uint64_t> to_bitmap(const CpuSet& cpus)
{
	std::vector<std::uint64_t> words(cpus.empty() ? 1 : *cpus.rbegin() / 64 + 1);
	for (unsigned cpu : cpus)
		words[cpu / 64] |= std::uint64_t{1} << (cpu % 64);
	return words;
}

CpuSet operator&(const CpuSet& a, const CpuSet& b)
{
	CpuSet r;
	std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(r, r.begin()));
	return r;
}

CpuSet operator-(const CpuSet& a, const CpuSet& b)
{
	CpuSet r;
	std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(r, r.begin()));
	return r;
}

bool is_subset(const CpuSet& a, const CpuSet& b)
{
	return std::includes(b.begin(), b.end(), a.begin(), a.end());
}

bool intersects(const CpuSet& a, const CpuSet& b)
{
	return !(a & b).empty();
}

}  // namespace rtnoise
