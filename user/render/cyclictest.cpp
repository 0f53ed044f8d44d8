// SPDX-License-Identifier: GPL-2.0
// cyclictest.cpp - the histogram as `cyclictest -h N -q` prints it.
#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <vector>

#include "render/detail.hpp"
#include "render/render.hpp"
#include "util/units.hpp"

namespace rtnoise {

using namespace render_detail;

namespace {

// Column - one thread of cyclictest's output: a watched CPU's sampler,
// or a thread of the workload, after them.
struct Column {
	const LatencyStats* l;
	const CpuResult* cpu;  // nullptr: a workload thread
};

// overflows - the column's samples beyond the histogram's @rows rows.
std::uint64_t overflows(const LatencyStats& l, std::size_t rows)
{
	std::uint64_t n = l.overflows;
	for (std::size_t us = rows; us < l.hist.size(); us++)
		n += l.hist[us];
	return n;
}

void histogram(std::string& out, const std::vector<Column>& cols, std::size_t rows)
{
	out += "# Histogram\n";
	for (std::size_t us = 0; us < rows; us++) {
		fmt::format_to(std::back_inserter(out), "{:06} ", us);
		for (std::size_t i = 0; i < cols.size(); i++) {
			const auto& h = cols[i].l->hist;
			fmt::format_to(std::back_inserter(out), "{:06}", us < h.size() ? h[us] : 0);
			if (i + 1 < cols.size())
				out += '\t';
		}
		out += '\n';
	}
}

void summary(std::string& out, const std::vector<Column>& cols, std::size_t rows)
{
	out += "# Total:";
	for (const Column& c : cols) {
		std::uint64_t total = 0;
		for (std::size_t us = 0; us < rows && us < c.l->hist.size(); us++)
			total += c.l->hist[us];
		fmt::format_to(std::back_inserter(out), " {:09}", total);
	}
	out += "\n# Min Latencies:";
	for (const Column& c : cols)
		fmt::format_to(std::back_inserter(out), " {:05}", ns_to_us(c.l->min_ns));
	out += "\n# Avg Latencies:";
	for (const Column& c : cols)
		fmt::format_to(std::back_inserter(out), " {:05}", ns_to_us(c.l->avg_ns()));
	out += "\n# Max Latencies:";
	for (const Column& c : cols)
		fmt::format_to(std::back_inserter(out), " {:05}", ns_to_us(c.l->max_ns));
	out += "\n# Histogram Overflows:";
	for (const Column& c : cols)
		fmt::format_to(std::back_inserter(out), " {:05}", overflows(*c.l, rows));
	out += "\n# Histogram Overflow at cycle number:\n";
}

}  // namespace

std::string render_cyclictest(const Snapshot& s, LatType type)
{
	std::string out;
	std::vector<Column> cols;
	for (const CpuResult& c : s.cpus)
		cols.push_back({&c.of(type), &c});
	std::size_t rows = s.hist_buckets;
	for (const WorkloadThread& t : s.workload) {
		cols.push_back({&t.wakeup, nullptr});
		if (!s.sampled)
			rows = std::max(rows, t.wakeup.hist.size());
	}
	histogram(out, cols, rows);
	summary(out, cols, rows);

	// cyclictest keeps as many outlier cycle numbers as it has buckets;
	// a workload thread's wakeups have no cycle numbers.
	for (std::size_t i = 0; i < cols.size(); i++) {
		fmt::format_to(std::back_inserter(out), "# Thread {}:", i);
		std::uint64_t listed = 0;
		for (const Spike& sp : s.spikes) {
			if (!cols[i].cpu || sp.cpu != cols[i].cpu->cpu || sp.type != type ||
			    ns_to_us(sp.latency_ns()) < rows)
				continue;
			if (listed == rows)
				break;
			fmt::format_to(std::back_inserter(out), " {:05}", sp.cycle);
			listed++;
		}
		const std::uint64_t over = overflows(*cols[i].l, rows);
		if (listed < over)
			fmt::format_to(std::back_inserter(out), " # {:05} others", over - listed);
		out += '\n';
	}
	out += '\n';
	return out;
}

}  // namespace rtnoise
