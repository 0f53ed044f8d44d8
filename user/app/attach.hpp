// SPDX-License-Identifier: GPL-2.0
// attach.hpp - `rtnoise attach` below the CLI: load, partition, trace,
// sample; with a duration, report and undo.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/report.hpp"
#include "app/spike_action.hpp"
#include "sampler/device.hpp"

namespace rtnoise {

struct AttachRequest {
	SamplerConfig sampler;		    // its CPUs are the watched ones
	bool no_sampler = false;	    // BPF only
	bool no_bpf = false;		    // the sampler only
	bool isolate = false;		    // partition the CPUs first
	std::optional<std::string> module;  // rtnoise.ko to load
	std::uint32_t events = 0;	    // BPF event ring per CPU; 0: default
	bool verbose = false;		    // libbpf's messages
	std::uint64_t duration_ns = 0;	    // 0: stay attached and return
	ReportRequest report;		    // the report of a duration
	SpikeActionOptions on_spike;	    // with a duration and the sampler
	bool hint = true;		    // say what reads and stops it
};

// attach - as the request says. With a duration, a progress line on
// stderr while it waits, if stderr is a terminal (stdout may be a pipe
// that takes the report). The caller is root. Every way out but a
// plain return after the setup undoes what this call set up; a signal
// (SIGINT, SIGTERM, SIGHUP, SIGQUIT) throws the Error of interrupted().
// A report over its budget throws findings() once it is written and
// everything detached. With a duration, on_spike runs its commands for
// the spikes recorded meanwhile; its stop ends the wait at the first.
void attach(const AttachRequest& r);

}  // namespace rtnoise
