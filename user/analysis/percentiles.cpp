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
	// One walk of the histogram: the percentiles rise with their ranks.
	// The rank of the sample at a percentile, 1-based: ceil(q * samples).
	using u128 = unsigned __int128;
	const auto values = p.values();
	std::size_t i = 0;
	u128 below = 0;
	for (std::size_t us = 0; us < l.hist.size() && i < values.size(); us++) {
		below += l.hist[us];
		while (i < values.size() &&
		       below >= (u128{Percentiles::kPpm[i]} * p.samples + 999999) / 1000000)
			*values[i++] = us;
	}
	return p;
}

void fill_percentiles(Snapshot& s)
{
	for (CpuResult& c : s.cpus)
		for (LatencyStats& l : c.lat)
			l.pct = percentiles(l);
}

void workload_percentiles(Snapshot& s)
{
	for (WorkloadThread& t : s.workload)
		t.wakeup.pct = percentiles(t.wakeup);
}

}  // namespace rtnoise
