// SPDX-License-Identifier: GPL-2.0
#include "analysis/percentiles.hpp"

namespace rtnoise {

Percentiles percentiles(const LatencyStats& l)
{
	Percentiles p;
	p.overflow_us = l.hist.size();
	p.samples = l.overflows;
	for (std::uint64_t n : l.hist)
		p.samples += n;
	if (!p.samples)
		return p;
	p.max_us = l.max_ns / 1000;
	const auto values = p.values();
	for (std::size_t i = 0; i < values.size(); i++) {
		// The rank of the sample at the percentile, 1-based: ceil(q * samples).
		using u128 = unsigned __int128;
		const u128 rank = (u128{Percentiles::kPpm[i]} * p.samples + 999999) / 1000000;
		u128 below = 0;
		for (std::size_t us = 0; us < l.hist.size(); us++) {
			below += l.hist[us];
			if (below >= rank) {
				*values[i] = us;
				break;
			}
		}
	}
	return p;
}

void fill_percentiles(Snapshot& s)
{
	for (CpuResult& c : s.cpus)
		for (LatencyStats& l : c.lat)
			l.pct = percentiles(l);
}

}  // namespace rtnoise
