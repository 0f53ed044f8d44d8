// SPDX-License-Identifier: GPL-2.0
// detail.hpp - small helpers the formats share (render/ only).
#pragma once

#include "model/snapshot.hpp"
#include "util/cpulist.hpp"

namespace rtnoise::render_detail {

inline CpuSet watched_cpus(const Snapshot& s)
{
	CpuSet cpus;
	for (const CpuResult& c : s.cpus)
		cpus.insert(c.cpu);
	return cpus;
}

}  // namespace rtnoise::render_detail
