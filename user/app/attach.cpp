// SPDX-License-Identifier: GPL-2.0
// attach.cpp - set up the sampler and the tracer in order, and with
// --duration report and undo it all, whatever happens on the way.
#include "app/attach.hpp"

#include <algorithm>
#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>

#include "app/session.hpp"
#include "app/signals.hpp"
#include "host/host.hpp"
#include "host/ksyms.hpp"
#include "isolation/partition.hpp"
#include "sampler/device.hpp"
#include "sampler/module.hpp"
#include "tracer/tracer.hpp"
#include "util/cpulist.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/units.hpp"

namespace rtnoise {
namespace {

// terminal_width - the columns of the terminal on fd, or 0.
std::size_t terminal_width(int fd)
{
	winsize ws{};
	return ::ioctl(fd, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
}

// wait_for - sleep for ns, or until a signal comes. On a terminal, a
// progress line on stderr, refreshed every second, with each CPU's worst
// latency so far from dev (its counters only: a few ioctls). watch, if
// any, polls the spike rings at each wake-up and may end the wait
// (--stop-on-spike). Returns the signal, or 0.
int wait_for(SignalBlock& signals, std::uint64_t ns, Device* dev, const CpuSet& cpus,
	     SpikeWatch* watch)
{
	const bool tty = isatty(STDERR_FILENO);
	const auto start = std::chrono::steady_clock::now();
	const auto total = std::chrono::nanoseconds(ns);
	auto next = start;
	std::vector<CpuResult> stats;
	int sig = 0;
	for (;;) {
		const auto now = std::chrono::steady_clock::now();
		const auto elapsed = now - start;
		if (elapsed >= total || (watch && watch->poll()))
			break;
		if (tty && now >= next) {
			next += std::chrono::seconds(1);
			if (dev) {
				try {
					stats = dev->read_stats(cpus);
				} catch (const Error&) {
					stats.clear();	// the report says why
				}
			}
			std::string line = render_progress(
				static_cast<std::uint64_t>(
					std::chrono::duration_cast<std::chrono::nanoseconds>(
						elapsed)
						.count()),
				ns, stats, terminal_width(STDERR_FILENO));
			std::fprintf(stderr, "\r%s\033[K", line.c_str());
		}
		auto left = total - elapsed;
		sig = signals.take(
			std::min<std::chrono::nanoseconds>(left, std::chrono::milliseconds(200)));
		if (sig)
			break;
	}
	if (tty)
		std::fprintf(stderr, "\r\033[K");
	return sig;
}

// check_writable - fail before sampling, not after, when the report's
// file cannot be written (its directory is missing or read-only).
void check_writable(const std::string& output)
{
	if (output.empty())
		return;
	fs::path dir = fs::path(output).parent_path();
	if (dir.empty())
		dir = ".";
	if (::access(dir.c_str(), W_OK) != 0)
		throw system_error("cannot write " + output + ": " + dir.string() + ": " +
				   errno_text(errno));
}

// open_sampler - rtnoise.ko loaded (if it was not) and opened, refused
// when another run samples; sampler_fn: where its timer callback is, for
// the tracer to tell it from other hrtimers.
Device open_sampler(const AttachRequest& o, std::uint64_t& sampler_fn)
{
	ModuleLoad load = ensure_module(o.module);
	if (load.loaded_now)
		std::cerr << "rtnoise: loaded " << load.path << "\n";
	Device dev = Device::open();
	SamplerInfo info = dev.info();
	if (info.state == SamplerState::running)
		throw system_error("already attached (" + std::to_string(info.nr_watched) +
				   " CPUs, period " + format_duration(info.period_ns) +
				   "): run 'rtnoise detach' first");
	sampler_fn = Ksyms::load("/").address_of("rtnoise_timer_fn", "rtnoise").value_or(0);
	return dev;
}

// say_attached - what runs now, and the kernel memory it took.
void say_attached(const AttachRequest& o, bool sampling, std::uint64_t tracer_bytes)
{
	const SamplerConfig& cfg = o.sampler;
	std::cerr << "rtnoise: kernel memory:";
	if (sampling)
		std::cerr << " " << format_bytes(sampler_bytes(cfg)) << " for the sampler"
			  << (o.no_bpf ? "" : ",");
	if (!o.no_bpf)
		std::cerr << " " << format_bytes(tracer_bytes) << " for BPF";
	std::cerr << "\n";
	std::cerr << "rtnoise: " << (sampling ? "sampling" : "tracing") << " CPUs "
		  << format_cpulist(cfg.cpus);
	if (sampling)
		std::cerr << " every " << format_duration(cfg.period_ns)
			  << ", spikes >= " << format_duration(cfg.threshold_ns);
	if (!o.no_bpf)
		std::cerr << ", causes traced with BPF";
	std::cerr << "\n";
}

// report_and_detach - with a duration: wait, collect and judge what was
// sampled, detach (detach_mine), then render the report as it is
// written (never whole in memory). A signal while waiting ends the run
// early: what was sampled is still reported. Written only once
// everything is detached (stdout may be a terminal that is gone).
void report_and_detach(const AttachRequest& o, SignalBlock& signals, Device* dev,
		       const std::function<DetachResult()>& detach_mine, Undo& undo)
{
	std::optional<SpikeWatch> watch;
	if (dev && o.on_spike.any())
		watch.emplace(o.on_spike, *dev, o.sampler.cpus, false,
			      [&] { return collect(o.report.workload); });
	int sig = wait_for(signals, o.duration_ns, dev, o.sampler.cpus, watch ? &*watch : nullptr);
	if (sig)
		std::cerr << "rtnoise: interrupted, reporting what was sampled\n";
	else if (watch && watch->stopped())
		std::cerr << "rtnoise: stopped at a spike, reporting\n";
	if (dev)
		dev->stop();
	if (watch)
		watch->finish();
	const StreamedReport rep(collect(o.report.workload), o.report);
	undo.dismiss();
	DetachResult r = detach_mine();
	const std::string& output = o.report.output;
	std::string write_error;
	try {
		rep.write(output);
		if (!output.empty())
			std::cerr << "rtnoise: report written to " << output << "\n";
	} catch (const Error& e) {
		write_error = e.what();
	}
	if (!r.errors.empty())
		throw system_error("detach stopped what it could, but: " + join_errors(r.errors) +
				   (write_error.empty() ? "" : "; and " + write_error));
	if (!write_error.empty())
		throw system_error(write_error);
	if (!sig)
		sig = signals.take();
	if (sig)
		throw interrupted(sig, "reported what was sampled and detached");
	if (!rep.passed())
		throw findings();
}

}  // namespace

void attach(const AttachRequest& o)
{
	const SamplerConfig& cfg = o.sampler;
	check_watchable("/", cfg.cpus);
	if (o.duration_ns)
		check_writable(o.report.output);
	// SIGINT, SIGTERM, SIGHUP and SIGQUIT from here on wait for a point where
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
	if (!o.no_sampler)
		dev.emplace(open_sampler(o, sampler_fn));

	// Nothing of another run is attached: from here on, every way out
	// but a plain return after the setup detaches what this run made,
	// and only that: each side is added just before it is set up (also
	// a side set up half-way is ours).
	const DetachSteps real = real_detach_steps(false);
	DetachSteps mine;
	mine.tracer = mine.sampler = [] { return false; };
	fs::path my_state;  // the partition to undo
	auto detach_mine = [&] { return detach_all(mine, "/", my_state); };
	Undo undo([&] {
		DetachResult r = detach_mine();
		if (!r.errors.empty())
			throw system_error("could not undo the attach: " + join_errors(r.errors));
	});
	stop_if_signalled();

	if (o.isolate) {
		my_state = kStatePath;	// also a partition made half-way
		isolate(cfg.cpus, false, "attach", kStatePath, !o.no_bpf);
		stop_if_signalled();
	}
	TracerOptions t;
	t.cpus = cfg.cpus;
	t.ring_size = o.events;
	t.sampler_fn = sampler_fn;
	t.spike_capacity = dev ? cfg.spike_capacity : 0;
	t.verbose = o.verbose;
	t.workload_comms = o.report.workload.comms;
	t.workload_tids = o.report.workload.pids;
	t.workload_threshold_ns = std::max<std::uint64_t>(1, cfg.threshold_ns);
	std::uint64_t bpf_bytes = 0;
	// Tracer first, so the sampler's first spikes already have causes.
	if (!o.no_bpf) {
		mine.tracer = real.tracer;
		TracerAttach a = tracer_attach(t);
		bpf_bytes = a.bytes;
		if (o.verbose)
			std::cerr << "rtnoise: BPF on " << a.tracepoints.size() << " tracepoints\n";
		for (const std::string& n : a.notes)
			std::cerr << "rtnoise: note: " << n << "\n";
		stop_if_signalled();
	}
	if (dev) {
		mine.sampler = real.sampler;
		dev->start(cfg);
		stop_if_signalled();
	}
	say_attached(o, dev.has_value(), bpf_bytes);
	if (o.duration_ns) {
		report_and_detach(o, signals, dev ? &*dev : nullptr, detach_mine, undo);
		return;
	}
	stop_if_signalled();
	undo.dismiss();
	if (o.hint)
		std::cerr << "rtnoise: 'rtnoise report' reads it, 'rtnoise detach' stops it\n";
}

}  // namespace rtnoise
