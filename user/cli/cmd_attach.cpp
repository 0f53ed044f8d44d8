// SPDX-License-Identifier: GPL-2.0
// cmd_attach.cpp - rtnoise attach: start sampling the watched CPUs.
#include "app/attach.hpp"
#include "cli/commands.hpp"
#include "util/cpulist.hpp"
#include "util/error.hpp"
#include "util/units.hpp"

namespace rtnoise {
namespace {

void run_attach(const AttachOptions& o)
{
	AttachRequest r;
	r.sampler = make_sampler_config(o);
	// A malformed budget is refused before anything is attached.
	if (!o.budget.empty())
		r.report.budget = load_budget(o.budget);
	require_root();
	r.no_sampler = o.no_sampler;
	r.no_bpf = o.no_bpf;
	r.isolate = o.isolate;
	if (!o.module.empty())
		r.module = o.module;
	r.events = o.events;
	r.verbose = o.verbose;
	if (!o.duration.empty())
		r.duration_ns = parse_duration_ns(o.duration, kNsPerSec);
	r.report.workload = parse_workload(o.workload);
	r.report.render = make_render_options(o.format, "thread", 10);
	r.report.output = o.output;
	r.on_spike = make_spike_action(o.on_spike);
	attach(r);
}

}  // namespace

SamplerConfig make_sampler_config(const AttachOptions& o)
{
	SamplerConfig c;
	c.cpus = parse_cpulist(o.cpus);
	c.period_ns = parse_duration_ns(o.period, kNsPerUs);
	c.threshold_ns = parse_duration_ns(o.threshold, kNsPerUs);
	c.hist_buckets = o.hist_us;
	c.spike_capacity = o.spikes;
	c.prio = o.priority;

	if (c.period_ns < kSamplerLimits.period_min_ns ||
	    c.period_ns > kSamplerLimits.period_max_ns)
		throw usage_error("--period " + o.period + " is out of range (" +
				  format_duration(kSamplerLimits.period_min_ns) + " to " +
				  format_duration(kSamplerLimits.period_max_ns) + ")");
	if (c.threshold_ns < kSamplerLimits.threshold_min_ns ||
	    c.threshold_ns > kSamplerLimits.threshold_max_ns)
		throw usage_error("--threshold " + o.threshold + " is out of range (" +
				  format_duration(kSamplerLimits.threshold_min_ns) + " to " +
				  format_duration(kSamplerLimits.threshold_max_ns) + ")");
	if (!o.duration.empty() && parse_duration_ns(o.duration, kNsPerSec) == 0)
		throw usage_error("--duration must be longer than 0");
	if (sampler_bytes(c) > kSamplerLimits.memory_max_bytes)
		throw usage_error("the sampler would need " + format_bytes(sampler_bytes(c)) +
				  " of kernel memory for " + std::to_string(c.cpus.size()) +
				  " CPUs, more than rtnoise.ko allows (" +
				  format_bytes(kSamplerLimits.memory_max_bytes) +
				  "): lower --hist-us or --spikes, or watch fewer CPUs");
	return c;
}

std::shared_ptr<AttachOptions> setup_attach(CLI::App& app)
{
	auto o = std::make_shared<AttachOptions>();
	auto* sub = app.add_subcommand("attach", "Start sampling IRQ and thread latency on CPUs");
	add_sampler_options(sub, o->cpus, o->period, o->threshold);
	sub->add_option("-d,--duration", o->duration,
			"Sample this long (bare number: s), print the report "
			"and detach")
		->check(duration_validator());
	sub->add_option("--hist-us", o->hist_us, "Histogram size in 1 us buckets")
		->capture_default_str()
		->check(CLI::Range(1U, kSamplerLimits.hist_max_buckets));
	sub->add_option("--spikes", o->spikes, "Spike records kept per CPU and type (power of two)")
		->capture_default_str()
		->check(CLI::Range(kSamplerLimits.spikes_min, kSamplerLimits.spikes_max))
		->check(pow2_validator());
	sub->add_option("--priority", o->priority, "SCHED_FIFO priority of the sampler threads")
		->capture_default_str()
		->check(CLI::Range(kSamplerLimits.prio_min, kSamplerLimits.prio_max));
	sub->add_option("-f,--format", o->format, "Report format with --duration")
		->capture_default_str()
		->check(CLI::IsMember({"text", "json", "cyclictest", "html", "cyclictest-json"}));
	sub->add_option("-o,--output", o->output,
			"Write the report of --duration to this file (atomically) "
			"instead of stdout")
		->needs("--duration");
	sub->add_option("--module", o->module, "rtnoise.ko to load if none is loaded");
	sub->add_flag("--no-bpf", o->no_bpf, "Sample latency only; do not trace the causes");
	sub->add_flag("--no-sampler", o->no_sampler,
		      "Trace the causes only, without rtnoise.ko (for hosts "
		      "that cannot load modules)");
	sub->add_option("--events", o->events,
			"Recent events kept per CPU as the spikes' context (power of "
			"two) [8192; 32768 before 5.17, whose reports join spikes "
			"from them]")
		->check(CLI::Range(1024U, 1U << 22))
		->check(pow2_validator());
	sub->add_option("--budget", o->budget,
			"YAML file of limits the report of --duration must hold "
			"(exit 1 if not)")
		->needs("--duration");
	add_workload_option(sub, o->workload,
			    "Threads (comm or pid) that are the workload, not noise, "
			    "in the report of --duration");
	sub->add_flag("-v,--verbose", o->verbose, "Show libbpf's messages");
	sub->add_flag("--isolate", o->isolate,
		      "Partition the CPUs first (as 'rtnoise partition --isolate'); "
		      "detach puts everything back");
	add_spike_action_options(sub, o->on_spike);
	for (const char* name : {"--on-spike", "--stop-on-spike"})
		sub->get_option(name)->needs("--duration")->excludes("--no-sampler");
	sub->get_option("--no-bpf")->excludes("--no-sampler");
	sub->callback([o] { run_attach(*o); });
	return o;
}

}  // namespace rtnoise
