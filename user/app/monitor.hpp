// SPDX-License-Identifier: GPL-2.0
// monitor.hpp - `rtnoise monitor` below the CLI: attach (or adopt an
// attach of the same CPUs), then every interval read what was measured,
// serve it as Prometheus metrics over HTTP, rewrite a node_exporter
// textfile, log each new spike as a JSON line; detach on SIGTERM/SIGINT.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "app/attach.hpp"
#include "app/report.hpp"
#include "app/spike_action.hpp"
#include "model/snapshot.hpp"

namespace rtnoise {

// ListenAddress - where /metrics is served: an IPv4 address, an IPv6
// one (written in brackets), or a host name, and a port.
struct ListenAddress {
	std::string host;
	unsigned port = 0;
};

// SpikeTracker - which spikes were logged already: the spike rings'
// sequence numbers grow per CPU and latency type.
class SpikeTracker {
public:
	// fresh - the spikes of s not seen before, in the order of s.
	std::vector<const Spike*> fresh(const Snapshot& s);

private:
	std::map<std::pair<unsigned, LatType>, std::uint64_t> next_;
};

// log_spikes - the lines of @fresh (render_spike_lines()) to @fd, a few
// thousand a write: the first read logs every spike the rings keep, and
// at 256 CPUs the text of all of them at once was 100 MiB more at the
// peak. Throws a system Error naming @what when a write fails.
void log_spikes(int fd, std::span<const Spike* const> fresh, bool attributed,
		std::int64_t realtime_offset_ns, const std::string& what);

// MetricsServer - /metrics over HTTP on threads of its own, serving the
// last text it was given. Port 0 listens on one the kernel chooses.
// Throws a system Error when it cannot listen.
class MetricsServer {
public:
	explicit MetricsServer(const ListenAddress& at);
	~MetricsServer();
	MetricsServer(const MetricsServer&) = delete;
	MetricsServer& operator=(const MetricsServer&) = delete;

	void publish(std::string text);
	// port - the port it listens on.
	unsigned port() const;

private:
	struct Impl;
	std::unique_ptr<Impl> impl_;
};

struct MonitorRequest {
	AttachRequest attach;  // its sampler's CPUs are the watched ones
	std::optional<ListenAddress> listen;
	std::string textfile;	// "" none
	std::string spike_log;	// "" stdout
	std::uint64_t interval_ns = 15'000'000'000ULL;
	ReportRequest report;  // the metrics: Format::prometheus
	// --on-spike, --stop-on-spike: the sampler's spikes read every
	// kSpikePoll; after a stop the monitor goes on serving what was
	// recorded until it is stopped.
	SpikeActionOptions on_spike;
};

// monitor - run until SIGTERM or SIGINT (or SIGHUP, SIGQUIT), then detach what it
// attached or adopted and return. The caller is root. Throws on a
// failure to set up, to listen, or to read what is attached.
void monitor(const MonitorRequest& r);

}  // namespace rtnoise
