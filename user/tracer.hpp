// SPDX-License-Identifier: GPL-2.0
// tracer.hpp - load, pin, read and remove the BPF side (bpf/rtnoise.bpf.c).
//
// attach pins every link and map under RTNOISE_BPF_PIN_DIR, so the CLI
// can exit and a later `rtnoise report` reads the same maps; detach
// removes the pins, which ends the programs.
#pragma once

#include <cstdint>
#include <string>

#include "cpulist.hpp"
#include "trace.hpp"

namespace rtnoise {

struct TracerOptions {
	CpuSet cpus;
	std::uint32_t ring_size = 32768;	// events kept per CPU
	std::uint64_t sampler_fn = 0;		// rtnoise.ko's timer callback
	std::uint32_t spike_capacity = 0;	// the sampler's, 0: no sampler
	bool verbose = false;			// libbpf's own messages
	std::string pin_dir = RTNOISE_BPF_PIN_DIR;
};

// tracer_attach - load and attach; returns the tracepoints attached.
// Throws if already attached or the kernel refuses.
std::vector<std::string> tracer_attach(const TracerOptions& o);
bool tracer_attached(const std::string& pin_dir = RTNOISE_BPF_PIN_DIR);
// tracer_bytes - the kernel memory of the maps attach creates for o.
std::uint64_t tracer_bytes(const TracerOptions& o);
TraceData tracer_read(const std::string& pin_dir = RTNOISE_BPF_PIN_DIR);
// tracer_detach - remove every pin; returns false if nothing was attached.
bool tracer_detach(const std::string& pin_dir = RTNOISE_BPF_PIN_DIR);

}  // namespace rtnoise
