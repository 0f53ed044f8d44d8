// SPDX-License-Identifier: GPL-2.0
// cmd_attach.cpp - rtnoise attach: start sampling the watched CPUs.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "cpulist.hpp"
#include "error.hpp"
#include "host.hpp"
#include "ksyms.hpp"
#include "partition.hpp"
#include "signals.hpp"
#include "tracer.hpp"
#include "units.hpp"

namespace rtnoise {
namespace {

// wait_for - sleep for ns, or until a signal comes; a progress line on a
// terminal. Returns the signal, or 0 after the whole time.
int wait_for(SignalBlock& signals, std::uint64_t ns)
{
	const bool tty = isatty(STDERR_FILENO);
	const auto start = std::chrono::steady_clock::now();
	const auto total = std::chrono::nanoseconds(ns);
	int sig = 0;
	for (;;) {
		auto elapsed = std::chrono::steady_clock::now() - start;
		if (elapsed >= total)
			break;
		if (tty) {
			auto done = std::chrono::duration_cast<std::chrono::seconds>(elapsed);
			auto all = std::chrono::duration_cast<std::chrono::seconds>(total);
			std::fprintf(stderr, "\rrtnoise: sampling... %llds of %llds",
				     static_cast<long long>(done.count()),
				     static_cast<long long>(all.count()));
		}
		auto left = total - elapsed;
		sig = signals.take(std::min<std::chrono::nanoseconds>(
			left, std::chrono::milliseconds(200)));
		if (sig)
			break;
	}
	if (tty)
		std::fprintf(stderr, "\r\033[K");
	return sig;
}

void run_attach(const AttachOptions& o)
{
	SamplerConfig cfg = make_sampler_config(o);
	require_root();
	check_watchable("/", cfg.cpus);
	// SIGINT, SIGTERM and SIGHUP from here on wait for a point where
	// attach can stop; whatever it set up by then is undone.
	SignalBlock signals;
	auto stop_if_signalled = [&] {
		if (int sig = signals.take())
			throw interrupted(sig, "what attach had set up is undone");
	};
	// Held until attach returns (with --duration, until it detached):
	// no other attach, detach or partition runs meanwhile.
	StateLock lock(kStateDir);
	if (!o.no_bpf && tracer_attached())
		throw system_error("already attached (the BPF tracer is pinned): "
				   "run 'rtnoise detach' first");
	if (o.isolate)
		refuse_if_partitioned(kStatePath);

	std::optional<Device> dev;
	std::uint64_t sampler_fn = 0;
	if (!o.no_sampler) {
		ModuleLoad load = ensure_module(o.module.empty()
							? std::nullopt
							: std::optional<std::string>(o.module));
		if (load.loaded_now)
			std::cerr << "rtnoise: loaded " << load.path << "\n";
		dev.emplace(Device::open());
		rtnoise_info info = dev->info();
		if (info.state == RTNOISE_STATE_RUNNING)
			throw system_error("already attached (" +
					   std::to_string(info.nr_watched) +
					   " CPUs, period " +
					   format_duration(info.period_ns) +
					   "): run 'rtnoise detach' first");
		sampler_fn = Ksyms::load("/").address_of("rtnoise_timer_fn", "rtnoise")
				     .value_or(0);
	}

	// Nothing of another run is attached: from here on, every way out
	// but a plain return after the setup detaches what this run made,
	// and only that: each side is added just before it is set up (also
	// a side set up half-way is ours).
	const DetachSteps real = real_detach_steps(false);
	DetachSteps mine;
	mine.tracer = mine.sampler = [] { return false; };
	fs::path my_state;	// the partition to undo
	auto detach_mine = [&] { return detach_all(mine, "/", my_state); };
	Undo undo([&] {
		DetachResult r = detach_mine();
		if (!r.errors.empty())
			throw system_error("could not undo the attach: " + join_errors(r.errors));
	});
	stop_if_signalled();

	if (o.isolate) {
		my_state = kStatePath;	// also a partition made half-way
		isolate(cfg.cpus, false, "attach", kStatePath);
		stop_if_signalled();
	}
	TracerOptions t;
	t.cpus = cfg.cpus;
	t.ring_size = o.events;
	t.sampler_fn = sampler_fn;
	t.spike_capacity = dev ? cfg.spike_capacity : 0;
	t.verbose = o.verbose;
	// Tracer first, so the sampler's first spikes already have causes.
	if (!o.no_bpf) {
		mine.tracer = real.tracer;
		std::vector<std::string> tps = tracer_attach(t);
		if (o.verbose)
			std::cerr << "rtnoise: BPF on " << tps.size() << " tracepoints\n";
		stop_if_signalled();
	}
	if (dev) {
		mine.sampler = real.sampler;
		dev->start(cfg);
		stop_if_signalled();
	}

	std::cerr << "rtnoise: kernel memory:";
	if (dev)
		std::cerr << " " << format_bytes(sampler_bytes(cfg)) << " for the sampler"
			  << (o.no_bpf ? "" : ",");
	if (!o.no_bpf)
		std::cerr << " " << format_bytes(tracer_bytes(t)) << " for BPF";
	std::cerr << "\n";
	std::cerr << "rtnoise: " << (dev ? "sampling" : "tracing") << " CPUs "
		  << format_cpulist(cfg.cpus);
	if (dev)
		std::cerr << " every " << format_duration(cfg.period_ns)
			  << ", spikes >= " << format_duration(cfg.threshold_ns);
	if (!o.no_bpf)
		std::cerr << ", causes traced with BPF";
	std::cerr << "\n";
	if (o.duration.empty()) {
		stop_if_signalled();
		undo.dismiss();
		std::cerr << "rtnoise: 'rtnoise report' reads it, "
			     "'rtnoise detach' stops it\n";
		return;
	}

	// A signal while waiting ends the run early: what was sampled is
	// still reported. Rendered into memory first, printed only once
	// everything is detached (stdout may be a terminal that is gone).
	int sig = wait_for(signals, parse_duration_ns(o.duration, kNsPerSec));
	if (sig)
		std::cerr << "rtnoise: interrupted, reporting what was sampled\n";
	if (dev)
		dev->stop();
	std::string report = render(collect(o.workload),
				    make_render_options(o.format, "thread", 10));
	undo.dismiss();
	DetachResult r = detach_mine();
	std::cout << report << std::flush;
	if (!r.errors.empty())
		throw system_error("detach stopped what it could, but: " + join_errors(r.errors));
	if (!sig)
		sig = signals.take();
	if (sig)
		throw interrupted(sig, "reported what was sampled and detached");
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

	if (c.period_ns < RTNOISE_PERIOD_MIN_NS || c.period_ns > RTNOISE_PERIOD_MAX_NS)
		throw usage_error("--period " + o.period + " is out of range (" +
				  format_duration(RTNOISE_PERIOD_MIN_NS) + " to " +
				  format_duration(RTNOISE_PERIOD_MAX_NS) + ")");
	if (c.threshold_ns < RTNOISE_THRESHOLD_MIN_NS ||
	    c.threshold_ns > RTNOISE_THRESHOLD_MAX_NS)
		throw usage_error("--threshold " + o.threshold +
				  " is out of range (1 us to 10 s)");
	if (!o.duration.empty() && parse_duration_ns(o.duration, kNsPerSec) == 0)
		throw usage_error("--duration must be longer than 0");
	if (sampler_bytes(c) > RTNOISE_MEMORY_MAX_BYTES)
		throw usage_error("the sampler would need " + format_bytes(sampler_bytes(c)) +
				  " of kernel memory for " + std::to_string(c.cpus.size()) +
				  " CPUs, more than rtnoise.ko allows (" +
				  format_bytes(RTNOISE_MEMORY_MAX_BYTES) +
				  "): lower --hist-us or --spikes, or watch fewer CPUs");
	return c;
}

std::shared_ptr<AttachOptions> setup_attach(CLI::App& app)
{
	auto o = std::make_shared<AttachOptions>();
	auto* sub = app.add_subcommand(
		"attach", "Start sampling IRQ and thread latency on CPUs");
	sub->add_option("-c,--cpus", o->cpus, "CPUs to watch, e.g. 2-3,6")
		->required()
		->check(cpulist_validator());
	sub->add_option("-p,--period", o->period,
			"Timer period (bare number: us)")
		->capture_default_str()
		->check(duration_validator());
	sub->add_option("-t,--threshold", o->threshold,
			"Record every sample at or over this as a spike")
		->capture_default_str()
		->check(duration_validator());
	sub->add_option("-d,--duration", o->duration,
			"Sample this long (bare number: s), print the report "
			"and detach")
		->check(duration_validator());
	sub->add_option("--hist-us", o->hist_us,
			"Histogram size in 1 us buckets")
		->capture_default_str()
		->check(CLI::Range(1U, RTNOISE_HIST_MAX_BUCKETS));
	sub->add_option("--spikes", o->spikes,
			"Spike records kept per CPU and type (power of two)")
		->capture_default_str()
		->check(CLI::Range(RTNOISE_SPIKES_MIN, RTNOISE_SPIKES_MAX))
		->check(pow2_validator());
	sub->add_option("--priority", o->priority,
			"SCHED_FIFO priority of the sampler threads")
		->capture_default_str()
		->check(CLI::Range(RTNOISE_PRIO_MIN, RTNOISE_PRIO_MAX));
	sub->add_option("-f,--format", o->format,
			"Report format with --duration")
		->capture_default_str()
		->check(CLI::IsMember({"text", "json", "cyclictest"}));
	sub->add_option("--module", o->module,
			"rtnoise.ko to load if none is loaded");
	sub->add_flag("--no-bpf", o->no_bpf,
		      "Sample latency only; do not trace the causes");
	sub->add_flag("--no-sampler", o->no_sampler,
		      "Trace the causes only, without rtnoise.ko (for hosts "
		      "that cannot load modules)");
	sub->add_option("--events", o->events,
			"Recent events kept per CPU for the spike join "
			"(power of two)")
		->capture_default_str()
		->check(CLI::Range(1024U, 1U << 22))
		->check(pow2_validator());
	sub->add_option("-w,--workload", o->workload,
			"Threads (comm or pid) that are the workload, not noise, "
			"in the report of --duration")
		->delimiter(',');
	sub->add_flag("-v,--verbose", o->verbose, "Show libbpf's messages");
	sub->add_flag("--isolate", o->isolate,
		      "Partition the CPUs first (as 'rtnoise partition --isolate'); "
		      "detach puts everything back");
	sub->get_option("--no-bpf")->excludes("--no-sampler");
	sub->callback([o] { run_attach(*o); });
	return o;
}

}  // namespace rtnoise
