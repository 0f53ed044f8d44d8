// SPDX-License-Identifier: GPL-2.0
// cpulist.hpp - the kernel's CPU list syntax ("0-3,8,10-15:2"), both ways.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace rtnoise {

using CpuSet = std::set<unsigned>;

// Highest CPU number accepted in a list: the kernel's NR_CPUS ceiling.
inline constexpr unsigned kMaxCpu = 8191;

// parse_cpulist - parse a list as cpulist_parse() does: "a", "a-b",
// "a-b:stride" and "a-b:used/group", comma separated. Throws a usage
// Error naming the bad part. An empty or blank list is an error unless
// allow_empty (sysfs files such as "isolated" hold an empty line).
CpuSet parse_cpulist(std::string_view text, bool allow_empty = false);

// format_cpulist - the shortest list for a set: {0,1,2,5} -> "0-2,5".
std::string format_cpulist(const CpuSet& cpus);

// Set operations on CPU sets.
CpuSet operator&(const CpuSet& a, const CpuSet& b);  // in both
CpuSet operator-(const CpuSet& a, const CpuSet& b);  // in a, not in b
bool is_subset(const CpuSet& a, const CpuSet& b);    // a within b
bool intersects(const CpuSet& a, const CpuSet& b);

// to_bitmap - a CPU set as the kernel's bitmap of 64-bit words.
std::vector<std::uint64_t> to_bitmap(const CpuSet& cpus);

}  // namespace rtnoise
