// SPDX-License-Identifier: GPL-2.0
// prometheus.cpp - the report as the Prometheus text exposition format
// (version 0.0.4), as node_exporter's textfile collector and a scrape of
// `rtnoise monitor` read it. Base units (seconds), counters end in
// _total, every family has its # HELP and # TYPE.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

#include "model/workload_group.hpp"
#include "render/render.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace rtnoise {
namespace {

// The latency histogram's upper bounds, in µs (1-2-5 steps): the
// model's 1 µs buckets are summed into those at or under its size.
constexpr std::array<std::uint64_t, 13> kLadderUs{1,   2,   5,	  10,	20,   50,   100,
						  200, 500, 1000, 2000, 5000, 10000};

double seconds(std::uint64_t ns)
{
	return static_cast<double>(ns) / 1e9;
}

// Family - one metric family: its # HELP and # TYPE once, then samples.
class Exposition {
public:
	void family(std::string_view name, std::string_view type, std::string_view help)
	{
		fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help,
			       name, type);
	}
	// sample - name{labels} value; labels already escaped, or empty.
	template <typename V>
	void sample(std::string_view name, std::string_view labels, V value)
	{
		if (labels.empty())
			fmt::format_to(std::back_inserter(out_), "{} {}\n", name, value);
		else
			fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels,
				       value);
	}
	std::string take() { return std::move(out_); }

private:
	std::string out_;
};

std::string cpu_label(unsigned cpu)
{
	return fmt::format("cpu=\"{}\"", cpu);
}

std::string cpu_type_labels(unsigned cpu, LatType t)
{
	return fmt::format(R"(cpu="{}",type="{}")", cpu, lat_type_name(t));
}

std::string source_labels(const SeriesSource& r)
{
	return fmt::format(R"(cpu="{}",kind="{}",name="{}")", r.cpu, prometheus_label_value(r.kind),
			   prometheus_label_value(r.name));
}

void latency(Exposition& e, const Snapshot& s, const Metrics& m)
{
	e.family("rtnoise_latency_seconds", "histogram",
		 "Latency of the sampler's timer on a watched CPU: irq (expiry to callback) "
		 "and thread (expiry to the sampler thread running).");
	for (const CpuResult& c : s.cpus)
		for (LatType t : kLatTypes) {
			const LatencyStats& l = c.of(t);
			const std::string labels = cpu_type_labels(c.cpu, t);
			// Bucket i holds samples in [i, i+1) µs: those under
			// a bound are at or under it.
			std::uint64_t below = 0;
			std::size_t next = 0;
			for (std::uint64_t bound : kLadderUs) {
				if (bound > l.hist.size())
					break;
				for (; next < bound; next++)
					below += l.hist[next];
				e.sample("rtnoise_latency_seconds_bucket",
					 fmt::format("{},le=\"{}\"", labels,
						     static_cast<double>(bound) / 1e6),
					 below);
			}
			// A reader racing the sampler may see a bucket counted
			// before the total: the buckets must stay cumulative.
			e.sample("rtnoise_latency_seconds_bucket",
				 fmt::format("{},le=\"+Inf\"", labels), std::max(l.count, below));
			e.sample("rtnoise_latency_seconds_sum", labels, seconds(l.sum_ns));
			e.sample("rtnoise_latency_seconds_count", labels, std::max(l.count, below));
		}

	auto per_type = [&](std::string_view name, std::string_view type, std::string_view help,
			    auto value) {
		e.family(name, type, help);
		for (const CpuResult& c : s.cpus)
			for (LatType t : kLatTypes)
				e.sample(name, cpu_type_labels(c.cpu, t), value(c.of(t)));
	};
	per_type("rtnoise_latency_max_seconds", "gauge", "Largest latency since the attach.",
		 [](const LatencyStats& l) { return seconds(l.max_ns); });
	e.family("rtnoise_latency_interval_max_seconds", "gauge",
		 "Largest latency of the samples taken in the last interval (since the "
		 "previous read), to the microsecond below; 0 when none was taken.");
	for (const IntervalMax& i : m.interval)
		e.sample("rtnoise_latency_interval_max_seconds", cpu_type_labels(i.cpu, i.type),
			 seconds(i.max_ns));
	per_type("rtnoise_latency_min_seconds", "gauge", "Smallest latency since the attach.",
		 [](const LatencyStats& l) { return seconds(l.min_ns); });
	per_type("rtnoise_latency_overflows_total", "counter",
		 "Samples beyond the histogram (counted in its +Inf bucket only).",
		 [](const LatencyStats& l) { return l.overflows; });
	per_type("rtnoise_spikes_total", "counter", "Samples at or over the spike threshold.",
		 [](const LatencyStats& l) { return l.spikes; });
	per_type("rtnoise_spikes_lost_total", "counter",
		 "Spikes overwritten in the spike ring before they were read.",
		 [](const LatencyStats& l) { return l.spikes_lost; });
	per_type("rtnoise_missed_periods_total", "counter",
		 "Timer periods skipped because the sampler thread overran.",
		 [](const LatencyStats& l) { return l.missed; });
}

void sampler_state(Exposition& e, const Snapshot& s)
{
	e.family("rtnoise_sampling", "gauge",
		 "1 while the sampler's thread runs on the CPU, 0 while it does not "
		 "(the CPU offline, or the sampler stopped).");
	for (const CpuResult& c : s.cpus)
		e.sample("rtnoise_sampling", cpu_label(c.cpu), c.running ? 1 : 0);
	e.family("rtnoise_cpu_offline_total", "counter",
		 "Times the CPU went offline while it was watched.");
	for (const CpuResult& c : s.cpus)
		e.sample("rtnoise_cpu_offline_total", cpu_label(c.cpu), c.hotplug_offline);
	e.family("rtnoise_sampler_restart_errno", "gauge",
		 "errno of the sampler's failed restart after the CPU came back online, or 0.");
	for (const CpuResult& c : s.cpus)
		e.sample("rtnoise_sampler_restart_errno", cpu_label(c.cpu), c.start_error);
}

void noise(Exposition& e, const Snapshot& s, const Metrics& m)
{
	e.family("rtnoise_noise_seconds_total", "counter",
		 "Time a source of disturbance took from the watched CPU (threads by comm, "
		 "the smaller sources of the CPU as name \"other\").");
	for (const SeriesSource& r : m.sources)
		e.sample("rtnoise_noise_seconds_total", source_labels(r), seconds(r.total_ns));
	e.family("rtnoise_noise_events_total", "counter",
		 "Times a source of disturbance ran on the watched CPU.");
	for (const SeriesSource& r : m.sources)
		e.sample("rtnoise_noise_events_total", source_labels(r), r.count);
	e.family("rtnoise_noise_max_seconds", "gauge",
		 "Longest single disturbance of the source on the watched CPU.");
	for (const SeriesSource& r : m.sources)
		e.sample("rtnoise_noise_max_seconds", source_labels(r), seconds(r.max_ns));
	e.family("rtnoise_sources_folded", "gauge",
		 "Sources of the CPU summed into name \"other\" beyond the largest ones kept "
		 "(monitor --metrics-sources).");
	for (const SeriesFolded& f : m.folded)
		e.sample("rtnoise_sources_folded", cpu_label(f.cpu), f.labels);

	e.family("rtnoise_cpu_noise_seconds_total", "counter",
		 "Time all traced sources took from the watched CPU.");
	for (const CpuResult& c : s.cpus)
		e.sample("rtnoise_cpu_noise_seconds_total", cpu_label(c.cpu),
			 seconds(c.noise.total_ns));
	e.family("rtnoise_events_lost_total", "counter",
		 "Events overwritten in the CPU's event ring before they were read.");
	for (const CpuResult& c : s.cpus)
		e.sample("rtnoise_events_lost_total", cpu_label(c.cpu), c.noise.events_lost);
	e.family("rtnoise_trace_incomplete_total", "counter",
		 "What the tracer could not count, by reason: contexts nested too deep, "
		 "contexts whose nested time exceeded them, a full sources or origins map, "
		 "programs not run because they nested in another (kernels before 5.12), "
		 "sleeping threads' contexts not kept (parked map full).");
	for (const CpuResult& c : s.cpus) {
		const std::pair<const char*, std::uint64_t> reasons[] = {
			{"nesting_overflow", c.noise.nesting_overflow},
			{"clamped", c.noise.clamped},
			{"source_drops", c.noise.source_drops},
			{"origin_drops", c.noise.origin_drops},
			{"nested", c.noise.nested},
			{"parked_lost", c.noise.parked_lost}};
		for (const auto& [reason, n] : reasons)
			e.sample("rtnoise_trace_incomplete_total",
				 fmt::format("{},reason=\"{}\"", cpu_label(c.cpu), reason), n);
	}

	e.family("rtnoise_spikes_unjoined", "gauge",
		 "Kept spikes without the causes joined when they were recorded, by why: "
		 "recorded before BPF was attached, overwritten before read, never joined, "
		 "of another sampler run, the kernel cannot join at spike time.");
	for (const CpuResult& c : s.cpus)
		for (std::size_t r = 1; r < kJoinMissingCount; r++)
			e.sample("rtnoise_spikes_unjoined",
				 fmt::format("{},reason=\"{}\"", cpu_label(c.cpu),
					     join_missing_name(static_cast<JoinMissing>(r))),
				 c.noise.joins_missing[r]);

	e.family("rtnoise_bpf_preempted_total", "counter",
		 "BPF programs preempted while they changed the CPU's contexts (kernels 7.0+ "
		 "run tracepoint programs preemptible), and redone.");
	for (const CpuResult& c : s.cpus)
		e.sample("rtnoise_bpf_preempted_total", cpu_label(c.cpu), c.noise.preempted);

	e.family("rtnoise_bpf_limit", "gauge",
		 "What the BPF side cannot do on the traced kernel, by name (1 for each).");
	for (const TraceLimit& l : s.limits)
		e.sample("rtnoise_bpf_limit",
			 fmt::format("limit=\"{}\"", prometheus_label_value(l.name)), 1);

	e.family("rtnoise_tick_stop_blocked_total", "counter",
		 "Times the tick could not stop on the CPU, by the dependency that kept it.");
	for (const TickRow& t : s.ticks)
		e.sample("rtnoise_tick_stop_blocked_total",
			 fmt::format("{},reason=\"{}\"", cpu_label(t.cpu),
				     prometheus_label_value(t.reason)),
			 t.count);
}

// The workload's latency histogram's upper bounds, in µs.
constexpr std::array<std::uint64_t, 8> kWorkloadLadderUs{5, 10, 20, 50, 100, 200, 500, 1000};

std::string workload_labels(const WorkloadGroup& g)
{
	return fmt::format(R"(comm="{}",cpu="{}")", prometheus_label_value(g.comm),
			   g.cpu >= 0 ? std::to_string(g.cpu) : "none");
}

void workload_latency(Exposition& e, const std::vector<WorkloadGroup>& groups)
{
	e.family("rtnoise_workload_latency_seconds", "histogram",
		 "Wakeup latency of the workload's threads of a comm on a CPU: from the "
		 "wakeup (or its hrtimer's expiry) to the thread running.");
	for (const WorkloadGroup& g : groups) {
		const LatencyStats& l = g.wakeup;
		const std::string labels = workload_labels(g);
		std::uint64_t below = 0;
		std::size_t next = 0;
		for (std::uint64_t bound : kWorkloadLadderUs) {
			if (bound > l.hist.size())
				break;
			for (; next < bound; next++)
				below += l.hist[next];
			e.sample("rtnoise_workload_latency_seconds_bucket",
				 fmt::format("{},le=\"{}\"", labels,
					     static_cast<double>(bound) / 1e6),
				 below);
		}
		e.sample("rtnoise_workload_latency_seconds_bucket",
			 fmt::format("{},le=\"+Inf\"", labels), std::max(l.count, below));
		e.sample("rtnoise_workload_latency_seconds_sum", labels, seconds(l.sum_ns));
		e.sample("rtnoise_workload_latency_seconds_count", labels,
			 std::max(l.count, below));
	}
}

// workload - the workload's threads, summed per comm and CPU (never by
// tid: a tid is one run's, and would make a series per thread).
void workload(Exposition& e, const Snapshot& s)
{
	const std::vector<WorkloadGroup> groups = workload_groups(s.workload);
	workload_latency(e, groups);
	auto per_group = [&](std::string_view name, std::string_view type, std::string_view help,
			     auto value) {
		e.family(name, type, help);
		for (const WorkloadGroup& g : groups)
			e.sample(name, workload_labels(g), value(g));
	};
	per_group("rtnoise_workload_taken_seconds_total", "counter",
		  "Time taken from the workload while runnable: preempted off its CPU or "
		  "interrupted on it.",
		  [](const WorkloadGroup& g) { return seconds(g.taken.total_ns()); });
	per_group("rtnoise_workload_spikes_total", "counter",
		  "The workload's wakeups and interruptions at or over the workload threshold.",
		  [](const WorkloadGroup& g) { return g.wakeup.spikes; });
	e.family("rtnoise_workload_faults_total", "counter",
		 "Page faults of the workload, by the mode they were taken in.");
	for (const WorkloadGroup& g : groups) {
		e.sample("rtnoise_workload_faults_total", workload_labels(g) + R"(,mode="user")",
			 g.self.faults_user);
		e.sample("rtnoise_workload_faults_total", workload_labels(g) + R"(,mode="kernel")",
			 g.self.faults_kernel);
	}
	per_group("rtnoise_workload_syscalls_total", "counter", "System calls of the workload.",
		  [](const WorkloadGroup& g) { return g.self.syscalls; });
	per_group("rtnoise_workload_syscall_seconds_total", "counter",
		  "Time the workload spent on its CPU inside system calls.",
		  [](const WorkloadGroup& g) { return seconds(g.self.syscall_ns); });
	per_group("rtnoise_workload_migrations_total", "counter",
		  "Migrations of the workload's threads between CPUs.",
		  [](const WorkloadGroup& g) { return g.self.migrations; });
	e.family("rtnoise_workload_switches_total", "counter",
		 "Context switches of the workload: voluntary (it slept) or involuntary "
		 "(switched out runnable).");
	for (const WorkloadGroup& g : groups) {
		e.sample("rtnoise_workload_switches_total",
			 workload_labels(g) + R"(,kind="voluntary")", g.self.voluntary);
		e.sample("rtnoise_workload_switches_total",
			 workload_labels(g) + R"(,kind="involuntary")", g.self.involuntary);
	}
}

}  // namespace

std::string prometheus_label_value(std::string_view bytes)
{
	// Names are escaped where they are read; anything else is made
	// valid UTF-8, without control characters, here (a newline is
	// escaped as the exposition format says).
	const bool control = std::any_of(bytes.begin(), bytes.end(), [](char ch) {
		const auto b = static_cast<unsigned char>(ch);
		return (b < 0x20 && b != '\n') || b == 0x7f;
	});
	const std::string text =
		valid_utf8(bytes) && !control ? std::string(bytes) : escape_name(bytes);
	std::string out;
	out.reserve(text.size());
	for (char ch : text) {
		switch (ch) {
		case '\\':
			out += "\\\\";
			break;
		case '"':
			out += "\\\"";
			break;
		case '\n':
			out += "\\n";
			break;
		default:
			out += ch;
		}
	}
	return out;
}

std::string render_prometheus(const Snapshot& s, const Metrics& m, std::int64_t realtime_offset_ns)
{
	Exposition e;
	e.family("rtnoise_info", "gauge",
		 "Always 1: the kernel, whether rtnoise.ko samples and whether BPF attributes.");
	e.sample("rtnoise_info",
		 fmt::format(R"(kernel="{}",sampled="{}",attributed="{}")",
			     prometheus_label_value(s.kernel_release), s.sampled ? 1 : 0,
			     s.attributed ? 1 : 0),
		 1);
	e.family("rtnoise_sampler_running", "gauge",
		 "1 while rtnoise.ko's sampler runs, 0 while it is idle or stopped.");
	e.sample("rtnoise_sampler_running", "", s.state == SamplerState::running ? 1 : 0);
	e.family("rtnoise_start_time_seconds", "gauge",
		 "When the attach started sampling (or tracing), in seconds since the epoch.");
	const std::int64_t start = static_cast<std::int64_t>(s.start_ns) + realtime_offset_ns;
	e.sample("rtnoise_start_time_seconds", "",
		 static_cast<double>(start > 0 ? start : 0) / 1e9);
	e.family("rtnoise_duration_seconds", "gauge", "How long the attach has watched.");
	e.sample("rtnoise_duration_seconds", "", seconds(s.duration_ns()));
	if (s.sampled) {
		e.family("rtnoise_period_seconds", "gauge", "The sampler's timer period.");
		e.sample("rtnoise_period_seconds", "", seconds(s.period_ns));
		e.family("rtnoise_threshold_seconds", "gauge",
			 "Samples at or over this latency are recorded as spikes.");
		e.sample("rtnoise_threshold_seconds", "", seconds(s.threshold_ns));
		latency(e, s, m);
		sampler_state(e, s);
	}
	if (s.attributed)
		noise(e, s, m);
	if (!s.workload.empty())
		workload(e, s);
	return e.take();
}

}  // namespace rtnoise
