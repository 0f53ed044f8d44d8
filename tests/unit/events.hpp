// SPDX-License-Identifier: GPL-2.0
// events.hpp - trace events for the join's tests, one line each.
#pragma once

#include <cstdint>

#include "tracer/wire.hpp"

namespace rtnoise::test {

// ev - a context of kind/id at depth over [start, end); its own time is
// net, or the whole span when net is 0.
inline TraceEvent ev(unsigned kind, std::uint64_t id, unsigned depth, std::uint64_t start,
		     std::uint64_t end, std::uint64_t net = 0, unsigned flags = 0)
{
	TraceEvent e;
	e.kind = kind;
	e.id = id;
	e.depth = depth;
	e.start_ns = start;
	e.end_ns = end;
	e.net_ns = net ? net : end - start;
	e.flags = flags;
	return e;
}

}  // namespace rtnoise::test
