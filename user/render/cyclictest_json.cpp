// SPDX-License-Identifier: GPL-2.0
// cyclictest_json.cpp - the report as `cyclictest --json=FILE` writes it
// (rt-tests 2.x: rt_write_json() and cyclictest's write_stats()), so that
// what reads cyclictest's JSON reads rtnoise's. Thread N is the N-th
// watched CPU; min, max and avg are in us, as cyclictest's.
#include <fmt/format.h>

#include <iterator>

#include "render/render.hpp"

namespace rtnoise {
namespace {

// quoted - a JSON string, as cyclictest would have to write it.
std::string quoted(const std::string& s)
{
	std::string out = "\"";
	for (unsigned char c : s) {
		if (c == '"' || c == '\\')
			out += '\\', out += static_cast<char>(c);
		else if (c < 0x20)
			out += fmt::format("\\u{:04x}", c);
		else
			out += static_cast<char>(c);
	}
	return out + "\"";
}

// thread_json - thread @i: a histogram and its figures; @cpu < 0 (a
// workload thread that ran on no watched CPU) is written as -1.
void thread_json(std::string& out, std::size_t i, const LatencyStats& l, int cpu,
		 const CyclictestInfo& info, bool last)
{
	auto o = std::back_inserter(out);
	fmt::format_to(o, "    \"{}\": {{\n      \"histogram\": {{", i);
	bool comma = false;
	for (std::size_t us = 0; us < l.hist.size(); us++) {
		if (!l.hist[us])
			continue;
		fmt::format_to(o, "{}        \"{}\": {}", comma ? ",\n" : "\n", us, l.hist[us]);
		comma = true;
	}
	if (comma)
		out += "\n";
	const double avg =
		l.count ? static_cast<double>(l.sum_ns) / 1000.0 / static_cast<double>(l.count)
			: 0.0;
	const auto node = cpu >= 0 ? info.node_of_cpu.find(static_cast<unsigned>(cpu))
				   : info.node_of_cpu.end();
	fmt::format_to(o,
		       "      }},\n      \"cycles\": {},\n      \"min\": {},\n"
		       "      \"max\": {},\n      \"avg\": {:.2f},\n      \"cpu\": {},\n"
		       "      \"node\": {}\n    }}{}\n",
		       l.count, l.min_ns / 1000, l.max_ns / 1000, avg, cpu,
		       node == info.node_of_cpu.end() ? 0 : node->second, last ? "" : ",");
}

}  // namespace

std::string render_cyclictest_json(const Snapshot& s, LatType type, const CyclictestInfo& info)
{
	std::string out;
	auto o = std::back_inserter(out);
	fmt::format_to(o,
		       "{{\n  \"file_version\": 1,\n  \"cmdline:\": {},\n"
		       "  \"rt_test_version:\": {},\n  \"start_time\": {},\n"
		       "  \"end_time\": {},\n  \"return_code\": {},\n",
		       quoted(info.cmdline), quoted(info.version), quoted(info.start_time),
		       quoted(info.end_time), info.return_code);
	fmt::format_to(o,
		       "  \"sysinfo\": {{\n    \"sysname\": {},\n    \"nodename\": {},\n"
		       "    \"release\": {},\n    \"version\": {},\n    \"machine\": {},\n"
		       "    \"realtime\": {}\n  }},\n",
		       quoted(info.sysname), quoted(info.nodename), quoted(info.release),
		       quoted(info.kernel_version), quoted(info.machine), info.realtime ? 1 : 0);
	fmt::format_to(o, "  \"num_threads\": {},\n  \"resolution_in_ns\": {},\n  \"thread\": {{\n",
		       s.cpus.size() + s.workload.size(), info.resolution_ns);
	const std::size_t n = s.cpus.size() + s.workload.size();
	for (std::size_t i = 0; i < s.cpus.size(); i++)
		thread_json(out, i, s.cpus[i].of(type), static_cast<int>(s.cpus[i].cpu), info,
			    i + 1 == n);
	// The workload's threads, after the samplers', as more threads.
	for (std::size_t j = 0; j < s.workload.size(); j++) {
		const std::size_t i = s.cpus.size() + j;
		thread_json(out, i, s.workload[j].wakeup, s.workload[j].cpu, info, i + 1 == n);
	}
	out += "  }\n}\n";
	return out;
}

}  // namespace rtnoise
