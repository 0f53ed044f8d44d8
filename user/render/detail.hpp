// SPDX-License-Identifier: GPL-2.0
// detail.hpp - small helpers the formats share (render/ only).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>

#include "model/snapshot.hpp"
#include "util/cpulist.hpp"

namespace rtnoise::render_detail {

template <typename... Args>
void appendf(std::string& out, const char* fmt, Args... args)
{
	char buf[512];
	int n = std::snprintf(buf, sizeof(buf), fmt, args...);
	if (n > 0)
		out.append(buf, std::min<std::size_t>(n, sizeof(buf) - 1));
}

inline unsigned long long ull(std::uint64_t v)
{
	return v;
}

inline CpuSet watched_cpus(const Snapshot& s)
{
	CpuSet cpus;
	for (const CpuResult& c : s.cpus)
		cpus.insert(c.cpu);
	return cpus;
}

}  // namespace rtnoise::render_detail
