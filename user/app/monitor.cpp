// SPDX-License-Identifier: GPL-2.0
// monitor.cpp - the long-running form: one thread reads the sampler and
// the tracer every interval and renders; the HTTP server's threads only
// hand out the last rendering, so reads of the kernel stay serialized.
#include "app/monitor.hpp"

#include <httplib.h>
#include <malloc.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "app/increment.hpp"
#include "app/metrics_http.hpp"
#include "app/session.hpp"
#include "app/signals.hpp"
#include "host/host.hpp"
#include "isolation/partition.hpp"
#include "render/render.hpp"
#include "sampler/device.hpp"
#include "sampler/module.hpp"
#include "tracer/tracer.hpp"
#include "util/cpulist.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/file.hpp"
#include "util/units.hpp"

namespace rtnoise {
namespace {

// write_all - the whole of text to fd, or throw what went wrong.
void write_all(int fd, std::string_view text, const std::string& what)
{
	while (!text.empty()) {
		ssize_t n = ::write(fd, text.data(), text.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			throw system_error("cannot write " + what + ": " + errno_text(errno));
		text.remove_prefix(static_cast<std::size_t>(n));
	}
}

// attached_cpus - the CPUs of what is attached, as collect() would have
// them (the sampler's, or the BPF side's alone), without reading a spike
// or an event ring: at 256 CPUs a whole read is seconds and GiBs.
CpuSet attached_cpus(const MonitorRequest& r)
{
	CpuSet have;
	if (module_loaded()) {
		Device dev = Device::open();
		if (dev.info().state != SamplerState::idle) {
			const CpuSet possible = cpu_list_file("/", "possible");
			if (possible.empty()) {
				for (const CpuResult& c : collect(r.report.workload).cpus)
					have.insert(c.cpu);
				return have;
			}
			for (const CpuResult& c : dev.read_stats(possible))
				have.insert(c.cpu);
			return have;
		}
	}
	if (tracer_attached()) {
		TraceSince since;
		since.idle_names = false;
		for (const auto& [cpu, trace] : tracer_read_since(since).cpus)
			have.insert(cpu);
	}
	return have;
}

// adopt - what is attached, if it watches exactly want; refuses other CPUs.
void adopt(const MonitorRequest& r, const CpuSet& want)
{
	const CpuSet have = attached_cpus(r);
	if (have != want)
		throw system_error("already attached to CPUs " + format_cpulist(have) + ", not " +
				   format_cpulist(want) +
				   ": run 'rtnoise detach' first, or monitor --cpus " +
				   format_cpulist(have));
	std::cerr << "rtnoise: monitoring the attach of CPUs " << format_cpulist(have)
		  << " that was there; it is detached when the monitor stops\n";
}

// adopt_or_attach - adopt what is attached if it watches exactly the
// requested CPUs (returns true), else attach; refuses an attach of other
// CPUs.
bool adopt_or_attach(const MonitorRequest& r)
{
	{
		// The check under the lock, so that no attach or detach is half
		// done while it looks. attach() takes the lock itself: if
		// another one attached between the two, it refuses ("already
		// attached") and the monitor stops with status 3, to be
		// restarted and adopt it.
		StateLock lock(kStateDir);
		bool sampling = false;
		if (module_loaded())
			sampling = Device::open().info().state == SamplerState::running;
		if (sampling || tracer_attached()) {
			adopt(r, r.attach.sampler.cpus);
			return true;
		}
	}
	attach(r.attach);
	return false;
}

// check_textfile_dir - the directory of --textfile must exist: the
// monitor writes the file, not its directory.
void check_textfile_dir(const std::string& textfile)
{
	if (textfile.empty())
		return;
	const fs::path dir = fs::path(textfile).parent_path();
	if (!fs::is_directory(dir.empty() ? fs::path(".") : dir))
		throw system_error("--textfile " + textfile +
				   ": its directory does not exist: create it, or point "
				   "--textfile at node_exporter's --collector.textfile.directory");
}

// read_every - call read every interval_ns, on a grid, until a signal
// comes; returns it. A read that outlasts the interval is said once, and
// the grid starts again after it. tick, if any, runs every kSpikePoll
// between the reads.
int read_every(std::uint64_t interval_ns, SignalBlock& signals, const std::function<void()>& read,
	       const std::function<void()>& tick)
{
	const auto interval = std::chrono::nanoseconds(interval_ns);
	auto next = std::chrono::steady_clock::now() + interval;
	bool slow = false;  // said once that a read outlasts the interval
	for (;;) {
		const auto left = next - std::chrono::steady_clock::now();
		if (left > std::chrono::nanoseconds::zero()) {
			auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(left);
			if (tick)
				wait = std::min<std::chrono::nanoseconds>(wait, kSpikePoll);
			if (int sig = signals.take(wait))
				return sig;
			if (tick)
				tick();
			continue;
		}
		const auto began = std::chrono::steady_clock::now();
		read();
		const auto took = std::chrono::steady_clock::now() - began;
		if (took > interval && !slow) {
			slow = true;
			std::cerr << "rtnoise: one read took "
				  << format_duration(static_cast<std::uint64_t>(
					     std::chrono::nanoseconds(took).count()))
				  << ", longer than --interval: the metrics are read that "
				     "seldom\n";
		}
		next += interval;
		if (next < std::chrono::steady_clock::now())
			next = std::chrono::steady_clock::now() + interval;
	}
}

// forget_spikes - s as the next read's previous one: its counters, not
// its spikes (the monitor keeps none beyond the read that logged them).
Snapshot forget_spikes(Snapshot s)
{
	s.spikes = {};
	s.workload_spikes = {};
	return s;
}

// trim_heap - after the first read, which took every spike the rings
// keep (512 Ki at 256 CPUs, some 250 MiB while joined and logged): the
// reads after it take what is new, so the heap it left goes back.
void trim_heap()
{
	malloc_trim(0);
}

}  // namespace

// kFinalDetachWait - how long the last detach waits for the lock.
constexpr std::chrono::milliseconds kFinalDetachWait = std::chrono::seconds(30);

struct MetricsServer::Impl {
	httplib::Server server;
	std::thread thread;
	std::mutex mu;
	std::string metrics;
	unsigned port = 0;
};

MetricsServer::MetricsServer(const ListenAddress& at) : impl_(std::make_unique<Impl>())
{
	Impl& m = *impl_;
	serve_metrics(m.server, [&m] {
		std::lock_guard<std::mutex> l(m.mu);
		return m.metrics;
	});
	const std::string host = at.host.empty() ? "0.0.0.0" : at.host;
	errno = 0;
	const int port = at.port ? (m.server.bind_to_port(host, static_cast<int>(at.port))
					    ? static_cast<int>(at.port)
					    : -1)
				 : m.server.bind_to_any_port(host);
	if (port <= 0)
		throw system_error("cannot listen on " + host + ":" + std::to_string(at.port) +
				   (errno ? ": " + errno_text(errno) : std::string()) +
				   ": choose another --listen");
	m.port = static_cast<unsigned>(port);
	m.thread = std::thread([&m] { m.server.listen_after_bind(); });
}

MetricsServer::~MetricsServer()
{
	impl_->server.stop();
	if (impl_->thread.joinable())
		impl_->thread.join();
}

void MetricsServer::publish(std::string text)
{
	std::lock_guard<std::mutex> l(impl_->mu);
	impl_->metrics = std::move(text);
}

unsigned MetricsServer::port() const
{
	return impl_->port;
}

std::vector<const Spike*> SpikeTracker::fresh(const Snapshot& s)
{
	std::vector<const Spike*> out;
	std::map<std::pair<unsigned, LatType>, std::uint64_t> next = next_;
	for (const Spike& sp : s.spikes) {
		const auto key = std::make_pair(sp.cpu, sp.type);
		auto it = next_.find(key);
		if (it != next_.end() && sp.seq < it->second)
			continue;
		out.push_back(&sp);
		std::uint64_t& n = next[key];
		n = std::max(n, sp.seq + 1);
	}
	next_ = std::move(next);
	return out;
}

void log_spikes(int fd, std::span<const Spike* const> fresh, bool attributed,
		std::int64_t realtime_offset_ns, const std::string& what)
{
	constexpr std::size_t kLinesPerWrite = 4096;
	for (std::size_t at = 0; at < fresh.size(); at += kLinesPerWrite)
		write_all(fd,
			  render_spike_lines(
				  fresh.subspan(at, std::min(kLinesPerWrite, fresh.size() - at)),
				  attributed, realtime_offset_ns),
			  what);
}

void monitor(const MonitorRequest& r)
{
	const std::string cpus = format_cpulist(r.attach.sampler.cpus);
	// Blocked before any thread starts, so every thread inherits it and
	// only this one takes SIGTERM, SIGINT, SIGHUP and SIGQUIT.
	SignalBlock signals;
	// A reader of the spike log that went away is an error to report,
	// not a silent death.
	std::signal(SIGPIPE, SIG_IGN);
	check_textfile_dir(r.textfile);
	UniqueFd log_fd;
	int log = STDOUT_FILENO;
	if (!r.spike_log.empty()) {
		log_fd = open_append(r.spike_log);
		log = log_fd.get();
	}

	bool adopted = false;
	{
		// attach() holds the lock on /run/rtnoise while it sets up;
		// the check for an attach to adopt holds it too, then lets it
		// go for attach() to take (adopt_or_attach()).
		try {
			adopted = adopt_or_attach(r);
		} catch (const Error& e) {
			if (static_cast<int>(e.code()) < 128)
				throw;
			std::cerr << "rtnoise: " << e.what() << "\n";
			return;	 // a stop before monitoring began: nothing attached
		}
	}
	// From here on, every way out detaches. Another rtnoise may hold the
	// lock at that moment (a detach, a partition): wait for it, half the
	// unit's TimeoutStopSec, rather than leave everything attached.
	auto detach = [] {
		detach_everything(false, kFinalDetachWait);
		std::cerr << "rtnoise: detached\n";
	};
	Undo undo(detach);

	SpikeTracker spikes;
	// Each read takes what changed since the last (increment.hpp).
	Increment increment(real_delta_sources(), r.report.workload);
	// The interval's maxima are of what grew since the previous read,
	// and "other" counts on from its series (fold_sources()).
	std::optional<Snapshot> previous;
	Metrics previous_series;
	std::optional<MetricsServer> server;
	// read - what changed since the last read: the metrics published
	// and written, the new spikes logged.
	auto read = [&] {
		Report rep = make_report(increment.read(), r.report,
					 previous ? &*previous : nullptr, &previous_series);
		if (server)
			server->publish(rep.text);
		if (!r.textfile.empty())
			write_file_atomic(r.textfile, rep.text);
		log_spikes(log, spikes.fresh(rep.snapshot), rep.snapshot.attributed,
			   rep.realtime_offset_ns,
			   r.spike_log.empty() ? "the spike log (stdout)" : r.spike_log);
		previous = forget_spikes(std::move(rep.snapshot));
		previous_series = std::move(rep.metrics);
		return std::move(rep.text);
	};

	std::string first = read();
	trim_heap();
	if (r.listen) {
		server.emplace(*r.listen);
		server->publish(std::move(first));
	}
	std::string where;
	if (r.listen)
		where += ", /metrics on " + (r.listen->host.empty() ? "*" : r.listen->host) + ":" +
			 std::to_string(r.listen->port);
	if (!r.textfile.empty())
		where += ", textfile " + r.textfile;
	std::cerr << "rtnoise: monitoring CPUs " << cpus << " every "
		  << format_duration(r.interval_ns) << where << "\n";
	sd_notify(0, "READY=1");
	sd_notifyf(0, "STATUS=monitoring CPUs %s", cpus.c_str());

	// --on-spike, --stop-on-spike: the spike rings read between reads.
	std::optional<Device> dev;
	std::optional<SpikeWatch> watch;
	if (r.on_spike.any() && !r.attach.no_sampler) {
		dev.emplace(Device::open());
		watch.emplace(r.on_spike, *dev, r.attach.sampler.cpus, adopted,
			      [&] { return collect(r.report.workload); });
	}
	std::function<void()> tick;
	if (watch)
		tick = [&] { watch->poll(); };
	const int sig = read_every(r.interval_ns, signals, read, tick);
	sd_notify(0, "STOPPING=1");
	std::cerr << "rtnoise: SIG" << sigabbrev_np(sig) << ", stopping\n";
	if (watch)
		watch->finish();
	server.reset();
	undo.dismiss();
	detach();
}

}  // namespace rtnoise
