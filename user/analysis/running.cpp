// SPDX-License-Identifier: GPL-2.0
// running.cpp - threads still on their CPU when the trace was read.
#include <algorithm>

#include "analysis/attribution.hpp"

namespace rtnoise {

void charge_running(TraceData& t)
{
	for (const RunningThread& r : t.running) {
		auto it =
			std::find_if(t.sources.begin(), t.sources.end(), [&](const TraceSource& x) {
				return x.cpu == r.cpu && x.kind == kThread && x.id == r.tid;
			});
		if (it == t.sources.end()) {
			TraceSource x;
			x.cpu = r.cpu;
			x.kind = kThread;
			x.id = r.tid;
			x.comm = r.comm;
			x.sampler = r.sampler;
			it = t.sources.insert(t.sources.end(), std::move(x));
		}
		if (r.sampler || it->sampler)
			continue;  // the sampler's own thread is not noise
		it->count++;
		it->total_ns += r.net_ns;
		it->max_ns = std::max(it->max_ns, r.net_ns);
		it->running = true;
		TraceEvent ev;
		ev.kind = kThread;
		ev.id = r.tid;
		ev.start_ns = r.start_ns;
		ev.end_ns = r.read_ns;
		ev.net_ns = r.net_ns;
		// In its place by start: what interrupted it came after it,
		// and the join walks the events in that order.
		std::vector<TraceEvent>& events = t.cpus[r.cpu].events;
		events.insert(std::upper_bound(events.begin(), events.end(), ev.start_ns,
					       [](std::uint64_t at, const TraceEvent& e) {
						       return at < e.start_ns;
					       }),
			      ev);
	}
	t.running.clear();
}

}  // namespace rtnoise
