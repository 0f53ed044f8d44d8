// SPDX-License-Identifier: GPL-2.0
// text.cpp - the report for people.
#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <vector>

#include "render/detail.hpp"
#include "render/render.hpp"
#include "util/error.hpp"
#include "util/units.hpp"
#include "util/utf8.hpp"

namespace rtnoise {
namespace {

using namespace render_detail;

// render_origins - "noise-ping:812 on CPU 0 x45012, ..." (the first @n)
std::string render_origins(const std::vector<OriginRow>& origins, std::size_t n)
{
	std::string out;
	for (std::size_t i = 0; i < origins.size() && i < n; i++) {
		const OriginRow& o = origins[i];
		if (i)
			out += ", ";
		out += (o.pid ? o.comm + ":" + std::to_string(o.pid) : "IRQ/idle") + " on CPU " +
		       std::to_string(o.cpu);
		if (!o.via.empty())
			out += " running " + o.via;
		out += " x" + std::to_string(o.count);
	}
	if (origins.size() > n)
		out += ", ...";
	return out;
}

// percentile_text - "12", ">=1000" when among the overflows, "-" without
// samples.
std::string percentile_text(const Percentiles& p, const std::optional<std::uint64_t>& v)
{
	if (!p.samples)
		return "-";
	if (!v)
		return fmt::format(">={}", p.overflow_us);
	return std::to_string(*v);
}

constexpr std::size_t kSourceRows = 15;

void text_latency(std::string& out, const Snapshot& s)
{
	out += "      ------------ IRQ latency (us) -------------"
	       "  ---------- Thread latency (us) -------------------\n";
	out += "CPU      count    min    avg    max   over spikes"
	       "      count    min    avg    max   over spikes missed\n";
	for (const CpuResult& c : s.cpus) {
		fmt::format_to(std::back_inserter(out), "{:3}", c.cpu);
		for (LatType t : kLatTypes) {
			const LatencyStats& l = c.of(t);
			fmt::format_to(std::back_inserter(out), " {:10} {:6} {:6} {:6} {:6} {:6}",
				       l.count, ns_to_us(l.min_ns), ns_to_us(l.avg_ns()),
				       ns_to_us(l.max_ns), l.overflows, l.spikes);
		}
		fmt::format_to(std::back_inserter(out), " {:6}\n", c.of(LatType::thread).missed);
	}
	out += "\n      ------ IRQ latency percentiles (us) ------"
	       "  ---- Thread latency percentiles (us) -----\n";
	out += "CPU       p50    p99  p99.9 p99.99    max"
	       "       p50    p99  p99.9 p99.99    max\n";
	for (const CpuResult& c : s.cpus) {
		fmt::format_to(std::back_inserter(out), "{:3}", c.cpu);
		for (LatType t : kLatTypes) {
			const Percentiles& p = c.of(t).pct;
			out += "   ";
			for (const auto* v : p.values())
				fmt::format_to(std::back_inserter(out), " {:>6}",
					       percentile_text(p, *v));
			fmt::format_to(std::back_inserter(out), " {:>6}",
				       percentile_text(p, p.max_us));
		}
		out += "\n";
	}
	if (std::any_of(s.cpus.begin(), s.cpus.end(), [](const CpuResult& c) {
		    return std::any_of(c.lat.begin(), c.lat.end(),
				       [](const LatencyStats& l) { return l.pct.samples == 0; });
	    }))
		out += "(- no samples)\n";
}

void text_noise(std::string& out, const Snapshot& s)
{
	for (const CpuResult& c : s.cpus) {
		fmt::format_to(std::back_inserter(out),
			       "\nCPU {} noise: {:.1f} us/s, {:.3f}% of the CPU left "
			       "to the workload",
			       c.cpu, c.noise.per_second_us, c.noise.available_pct);
		if (c.noise.events_lost)
			fmt::format_to(std::back_inserter(out), " ({} older events overwritten)",
				       c.noise.events_lost);
		out += "\n";
		if (c.noise.incomplete())
			fmt::format_to(std::back_inserter(out),
				       "  incomplete: {} contexts nested too deep, {} "
				       "nested longer than themselves ({:.1f} us), {} not "
				       "summed (sources map full), {} origins not kept, {} "
				       "programs skipped as nested (no_fetch_atomics), {} "
				       "sleeping threads' contexts not kept (parked map full)\n",
				       c.noise.nesting_overflow, c.noise.clamped,
				       static_cast<double>(c.noise.clamped_ns) / 1e3,
				       c.noise.source_drops, c.noise.origin_drops, c.noise.nested,
				       c.noise.parked_lost);
		if (c.noise.preempted)
			fmt::format_to(std::back_inserter(out),
				       "  {} BPF programs preempted halfway, and redone\n",
				       c.noise.preempted);
		std::size_t rows = 0, more = 0;
		for (const SourceRow& r : s.sources) {
			if (r.cpu != c.cpu)
				continue;
			if (rows == kSourceRows) {
				more++;
				continue;
			}
			if (!rows)
				out += "  kind         source                          "
				       "  count   total us    max us   us/s\n";
			rows++;
			fmt::format_to(std::back_inserter(out),
				       "  {:<12} {:<32} {:7} {:10.1f} {:9.1f} {:6.1f}\n", r.kind,
				       r.running ? r.name + " (running)" : r.name, r.count,
				       static_cast<double>(r.total_ns) / 1e3,
				       static_cast<double>(r.max_ns) / 1e3, s.us_per_s(r.total_ns));
			if (!r.origins.empty())
				out += "      from " + render_origins(r.origins, 2) + "\n";
		}
		if (more)
			fmt::format_to(std::back_inserter(out),
				       "  ... and {} smaller sources (--format json "
				       "lists all)\n",
				       more);
		if (!rows)
			out += "  no disturbance traced\n";
		for (const TickRow& t : s.ticks)
			if (t.cpu == c.cpu)
				fmt::format_to(std::back_inserter(out),
					       "  tick kept running: {} x{} - {}\n", t.reason,
					       t.count, t.remedy);
	}

	// Each remedy once, with the sources it would remove, largest first.
	std::vector<std::pair<std::string, std::vector<std::string>>> fixes;
	for (const SourceRow& r : s.sources) {
		const std::string& fix = r.remedy;
		if (fix.empty())
			continue;
		auto it = std::find_if(fixes.begin(), fixes.end(),
				       [&](const auto& f) { return f.first == fix; });
		if (it == fixes.end()) {
			fixes.push_back({fix, {}});
			it = fixes.end() - 1;
		}
		std::string who = r.kind + " " + r.name;
		if (it->second.size() < 4 &&
		    std::find(it->second.begin(), it->second.end(), who) == it->second.end())
			it->second.push_back(who);
	}
	if (fixes.empty())
		return;
	out += "\nWhat would remove them:\n";
	for (std::size_t i = 0; i < fixes.size() && i < kSourceRows; i++) {
		std::string who;
		for (const std::string& w : fixes[i].second)
			who += (who.empty() ? "" : ", ") + w;
		fmt::format_to(std::back_inserter(out), "  - {}\n      ({})\n", fixes[i].first,
			       who);
	}
}

// text_causes - what ran in a spike's window, the rest unexplained
// (@lost: part of it older than the events), and the largest's stack.
void text_causes(std::string& out, const std::vector<Cause>& causes, std::uint64_t unexplained_ns,
		 bool lost, const std::vector<std::string>& stack)
{
	for (const Cause& c : causes)
		fmt::format_to(std::back_inserter(out), "      {:<12} {:<32} {:9.1f} us\n", c.kind,
			       c.name, static_cast<double>(c.duration_ns) / 1e3);
	fmt::format_to(std::back_inserter(out), "      {:<12} {:<32} {:9.1f} us\n", "unexplained",
		       lost ? "(events overwritten)" : "(hardware, firmware, hypervisor)",
		       static_cast<double>(unexplained_ns) / 1e3);
	if (stack.empty())
		return;
	fmt::format_to(std::back_inserter(out), "      stack of {} where it held the CPU:\n",
		       causes.empty() ? std::string("the largest cause") : causes.front().name);
	const std::size_t kFrames = 8;
	for (std::size_t i = 0; i < stack.size() && i < kFrames; i++)
		fmt::format_to(std::back_inserter(out), "        {}\n", stack[i]);
	if (stack.size() > kFrames)
		fmt::format_to(std::back_inserter(out), "        ... {} more (--format json)\n",
			       stack.size() - kFrames);
}

void text_spikes(std::string& out, const Snapshot& s, std::size_t top_spikes)
{
	std::uint64_t lost = 0;
	for (const CpuResult& c : s.cpus)
		for (LatType t : kLatTypes)
			lost += c.of(t).spikes_lost;
	const std::vector<const Spike*> top = largest_spikes(s, top_spikes);

	fmt::format_to(std::back_inserter(out), "\nSpikes >= {}: {} recorded",
		       format_duration(s.threshold_ns), s.spikes.size());
	if (lost)
		fmt::format_to(std::back_inserter(out), ", {} older ones overwritten", lost);
	if (top.empty()) {
		out += "\n";
		return;
	}
	if (s.attributed)
		out += render_detail::spikes_explained(s);
	fmt::format_to(std::back_inserter(out), "; the {} largest:\n", top.size());
	for (const Spike* sp : top) {
		fmt::format_to(std::back_inserter(out),
			       "  CPU {:<3} {:<6} {:9.1f} us  at +{:.6f} s  (cycle {})\n", sp->cpu,
			       lat_type_name(sp->type),
			       static_cast<double>(sp->latency_ns()) / 1000.0,
			       static_cast<double>(sp->expected_ns - s.start_ns) / 1e9, sp->cycle);
		if (s.attributed)
			text_causes(out, sp->causes, sp->unexplained_ns, sp->history_lost,
				    sp->stack);
	}
}

// workload_thread_name - "comm:tid", "(exited)" after one that exited.
std::string workload_thread_name(const WorkloadThread& t)
{
	return t.comm + ":" + std::to_string(t.tid) + (t.exited ? " (exited)" : "");
}

// text_workload_threads - per thread of the workload: its wakeup
// latency, the time taken from it, and what it did itself.
void text_workload_threads(std::string& out, const Snapshot& s)
{
	out += "  thread                     CPU    wakeups    timer    min    avg    max"
	       "    p50    p99  p99.9 spikes\n";
	for (const WorkloadThread& t : s.workload) {
		const LatencyStats& l = t.wakeup;
		fmt::format_to(std::back_inserter(out), "  {:<26} {:>3} {:10} {:8} {:6} {:6} {:6}",
			       workload_thread_name(t), workload_cpu(t.cpu), l.count,
			       t.timer_wakeups, ns_to_us(l.min_ns), ns_to_us(l.avg_ns()),
			       ns_to_us(l.max_ns));
		const auto values = l.pct.values();
		for (std::size_t i = 0; i < 3; i++)
			fmt::format_to(std::back_inserter(out), " {:>6}",
				       percentile_text(l.pct, *values[i]));
		fmt::format_to(std::back_inserter(out), " {:6}\n", l.spikes);
	}
	out += "  time taken (us)            CPU  preempted         us  interrupted"
	       "         us  longest\n";
	for (const WorkloadThread& t : s.workload)
		fmt::format_to(std::back_inserter(out),
			       "  {:<26} {:>3} {:10} {:10.1f} {:12} {:10.1f} {:8.1f}\n",
			       workload_thread_name(t), workload_cpu(t.cpu), t.taken.preemptions,
			       static_cast<double>(t.taken.preempted_ns) / 1e3, t.taken.interrupts,
			       static_cast<double>(t.taken.interrupted_ns) / 1e3,
			       static_cast<double>(t.taken.max_ns) / 1e3);
	out += "  itself                     CPU  faults u/k  syscalls         us"
	       "  migrations  voluntary/involuntary\n";
	for (const WorkloadThread& t : s.workload) {
		const WorkloadSelf& f = t.self;
		fmt::format_to(std::back_inserter(out),
			       "  {:<26} {:>3} {:>11} {:9} {:10.1f} {:11}  {}/{}\n",
			       workload_thread_name(t), workload_cpu(t.cpu),
			       fmt::format("{}/{}", f.faults_user, f.faults_kernel), f.syscalls,
			       static_cast<double>(f.syscall_ns) / 1e3, f.migrations, f.voluntary,
			       f.involuntary);
	}
}

void text_workload_spikes(std::string& out, const Snapshot& s, std::size_t top_spikes)
{
	const std::vector<const WorkloadSpike*> top = largest_workload_spikes(s, top_spikes);
	fmt::format_to(std::back_inserter(out), "\nWorkload spikes >= {}: {} recorded",
		       format_duration(s.workload_threshold_ns), s.workload_spikes.size());
	if (s.workload_spikes_lost)
		fmt::format_to(std::back_inserter(out), ", {} older ones overwritten",
			       s.workload_spikes_lost);
	if (top.empty()) {
		out += "\n";
		return;
	}
	fmt::format_to(std::back_inserter(out), "; the {} largest:\n", top.size());
	for (const WorkloadSpike* sp : top) {
		fmt::format_to(
			std::back_inserter(out), "  CPU {:<3} {}:{} {}{} {:.1f} us  at +{:.6f} s\n",
			sp->cpu, sp->comm, sp->tid, workload_spike_type_name(sp->type),
			sp->timer ? " (timer)" : "", static_cast<double>(sp->latency_ns()) / 1000.0,
			static_cast<double>(sp->from_ns - std::min(sp->from_ns, s.start_ns)) / 1e9);
		text_causes(out, sp->causes, sp->unexplained_ns, sp->cut, sp->stack);
	}
}

// text_workload - the workload's own latency, if the run followed one.
void text_workload(std::string& out, const Snapshot& s, std::size_t top_spikes)
{
	if (!has_workload(s))
		return;
	fmt::format_to(std::back_inserter(out), "\nWorkload: {} thread(s)", s.workload.size());
	if (s.workload_lost)
		fmt::format_to(std::back_inserter(out), ", {} more not followed (map full)",
			       s.workload_lost);
	out += "; wakeup latency (us)\n";
	if (!s.workload.empty())
		text_workload_threads(out, s);
	text_workload_spikes(out, s, top_spikes);
}

}  // namespace

std::string render_text(const Snapshot& s, std::size_t top_spikes, const BudgetResult* budget)
{
	std::string out;
	fmt::format_to(std::back_inserter(out), "rtnoise report - kernel {} {}\n", s.kernel_release,
		       s.kernel_version);
	if (s.sampled)
		fmt::format_to(std::back_inserter(out),
			       "sampler {} on CPUs {} for {}: period {}, threshold {}, "
			       "SCHED_FIFO {}\n",
			       sampler_state_name(s.state), format_cpulist(watched_cpus(s)),
			       format_duration(s.duration_ns()), format_duration(s.period_ns),
			       format_duration(s.threshold_ns), s.prio);
	if (s.attributed)
		fmt::format_to(
			std::back_inserter(out), "causes traced with BPF on CPUs {} for {}\n",
			format_cpulist(watched_cpus(s)),
			format_duration(s.end_ns > s.trace_start_ns ? s.end_ns - s.trace_start_ns
								    : 0));
	for (const TraceLimit& l : s.limits)
		fmt::format_to(std::back_inserter(out), "BPF limit ({}): {}\n", l.name, l.effect);
	out += "\n";

	if (s.sampled)
		text_latency(out, s);
	if (s.attributed)
		text_noise(out, s);
	if (s.sampled)
		text_spikes(out, s, top_spikes);
	text_workload(out, s, top_spikes);

	for (const CpuResult& c : s.cpus) {
		if (c.start_error)
			fmt::format_to(std::back_inserter(out),
				       "note: CPU {} is not sampled: its sampler could "
				       "not restart after a CPU hotplug: {}\n",
				       c.cpu, errno_text(c.start_error));
		else if (c.hotplug_offline)
			fmt::format_to(std::back_inserter(out),
				       "note: CPU {} went offline {} time(s); it was "
				       "not sampled while offline\n",
				       c.cpu, c.hotplug_offline);
		else if (s.sampled && s.state == SamplerState::running && !c.running)
			fmt::format_to(std::back_inserter(out),
				       "note: CPU {} is not being sampled now\n", c.cpu);
	}
	if (!s.symbols_hidden.empty())
		out += "note: kernel functions named hidden#... are hidden: " +
		       escape_name(s.symbols_hidden) + "\n";
	if (budget) {
		out += '\n';
		out += render_budget_text(*budget);
	}
	return out;
}

}  // namespace rtnoise
