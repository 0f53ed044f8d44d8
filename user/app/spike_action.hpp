// SPDX-License-Identifier: GPL-2.0
// spike_action.hpp - what `attach --duration` and `monitor` do when a
// spike is recorded: --on-spike CMD run for it, --stop-on-spike.
//
// The sampler's spike rings are read by sequence number every
// kSpikePoll (SpikeCursor); each new spike at or over the threshold may
// run CMD through /bin/sh -c, asynchronously, one at a time and at most
// kActionsPerSecond a second (RateLimiter): the others are dropped and
// counted. The spike's data reaches CMD only on stdin (its JSON) and in
// the environment (spike_env()), never in the command line.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/snapshot.hpp"
#include "sampler/device.hpp"
#include "util/cpulist.hpp"

namespace rtnoise {

// How often the spike rings are read while --on-spike or
// --stop-on-spike is given.
inline constexpr std::chrono::milliseconds kSpikePoll{200};
// At most this many commands run at a time, and start in any second.
inline constexpr unsigned kActionsRunning = 1;
inline constexpr unsigned kActionsPerSecond = 5;

// SpikeActionOptions - --on-spike, --on-spike-threshold, --stop-on-spike.
struct SpikeActionOptions {
	std::string command;		 // "" none
	std::uint64_t threshold_ns = 0;	 // 0: every recorded spike
	bool stop = false;		 // stop recording at the first one

	bool any() const { return !command.empty() || stop; }
};

// over_threshold - the spikes of fresh whose latency is at least
// threshold_ns, in their order.
std::vector<Spike> over_threshold(std::vector<Spike> fresh, std::uint64_t threshold_ns);

// RateLimiter - whether a command may start now: fewer than running_max
// run, and fewer than per_second started in the last second.
class RateLimiter {
public:
	RateLimiter(unsigned running_max, unsigned per_second)
	    : running_max_(running_max), per_second_(per_second)
	{
	}
	// admit - true, and the start counted, if one may start at now_ns
	// (CLOCK_MONOTONIC) while running run.
	bool admit(std::uint64_t now_ns, unsigned running);

private:
	unsigned running_max_, per_second_;
	std::deque<std::uint64_t> starts_;  // within the last second
};

// SpikeReader - read_spikes_since() of one CPU and type (a Device's, or
// a fake ring in tests).
using SpikeReader = std::function<SpikeBatch(unsigned cpu, LatType type, std::uint64_t from)>;

// SpikeCursor - where the last read of each CPU's rings ended: each read
// returns the spikes recorded since, none twice; those overwritten
// before they were read are counted in lost().
class SpikeCursor {
public:
	explicit SpikeCursor(CpuSet cpus) : cpus_(std::move(cpus)) {}
	// read - the new spikes of every CPU and type, oldest first within
	// each.
	std::vector<Spike> read(const SpikeReader& reader);
	std::uint64_t lost() const { return lost_; }

private:
	CpuSet cpus_;
	std::map<std::pair<unsigned, LatType>, std::uint64_t> next_;
	std::uint64_t lost_ = 0;
};

// spike_env - "NAME=value" for the command of sp: RTNOISE_CPU,
// RTNOISE_TYPE (irq|thread), RTNOISE_LATENCY_US (whole µs),
// RTNOISE_CAUSE ("kind name" of the largest cause, or empty) and
// RTNOISE_SEQ. Names are bytes, escaped already as reports escape them;
// anything not printable left in them is escaped too (clean_name()), so
// a value is one line of valid UTF-8.
std::vector<std::string> spike_env(const Spike& sp);

// ActionRunner - runs the command for spikes, never waiting for it:
// started with posix_spawn(), its stdin a memfd holding the JSON, its
// stdout and stderr rtnoise's stderr (stdout may carry the report);
// reaped with waitpid(WNOHANG). A failure to start it, a non-zero exit
// or a death by signal is one line on stderr.
class ActionRunner {
public:
	explicit ActionRunner(std::string command)
	    : command_(std::move(command)), limiter_(kActionsRunning, kActionsPerSecond)
	{
	}
	~ActionRunner();
	ActionRunner(const ActionRunner&) = delete;
	ActionRunner& operator=(const ActionRunner&) = delete;

	// admit - whether a command may start for a spike now; counts it
	// dropped if not.
	bool admit(std::uint64_t now_ns);
	// start - run the command with json on stdin and env added to
	// rtnoise's environment; what is the spike, for the messages.
	void start(const std::string& json, const std::vector<std::string>& env,
		   const std::string& what);
	// reap - the commands that ended, each failure said.
	void reap();
	// finish - wait up to wait for those still running, then leave them.
	void finish(std::chrono::milliseconds wait);
	// summary - "ran N commands for M spikes, dropped D, F failed".
	std::string summary() const;

	unsigned running() const { return static_cast<unsigned>(children_.size()); }

private:
	std::string command_;
	RateLimiter limiter_;
	std::map<pid_t, std::string> children_;	 // pid -> the spike
	std::uint64_t started_ = 0, dropped_ = 0, failed_ = 0;
};

// SpikeWatch - the poll of attach --duration and monitor: new spikes
// read, filtered, their commands started, recording stopped at the
// first when asked. collect() gives the spikes their causes (only when a
// command is to start).
class SpikeWatch {
public:
	// skip_existing: spikes recorded before it was made are not acted on
	// (a monitor adopting a running attach).
	SpikeWatch(SpikeActionOptions opt, Device& dev, const CpuSet& cpus, bool skip_existing,
		   std::function<Snapshot()> collect);
	// poll - once; returns true when it stopped recording (now or before).
	bool poll();
	bool stopped() const { return stopped_; }
	// finish - wait a little for the running commands, then say what
	// was run and dropped on stderr.
	void finish();

private:
	void stop_recording(const Spike& sp);
	void run_for(const std::vector<Spike>& admitted);

	SpikeActionOptions opt_;
	Device& dev_;
	SpikeCursor cursor_;
	std::function<Snapshot()> collect_;
	std::optional<ActionRunner> runner_;
	bool stopped_ = false;
	std::uint64_t seen_ = 0;  // over the threshold
	std::uint64_t lost_said_ = 0;
};

}  // namespace rtnoise
