// SPDX-License-Identifier: GPL-2.0
// device.hpp - /dev/rtnoise: rtnoise.ko's ioctl ABI behind a small class.
//
// sampler/ owns everything that speaks to the module: its ioctls, the
// snapshot assembled from them, its limits, and loading it (module.hpp).
// It is the only folder that includes kmod/rtnoise_abi.h; it includes
// model/, host/ and util/.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "model/snapshot.hpp"
#include "util/cpulist.hpp"
#include "util/fd.hpp"

struct rtnoise_info;

namespace rtnoise {

inline constexpr const char* kDevicePath = "/dev/rtnoise";

// SamplerConfig - what `attach` asks of the module.
struct SamplerConfig {
	CpuSet cpus;
	std::uint64_t period_ns = 1000000;
	std::uint64_t threshold_ns = 50000;
	std::uint32_t hist_buckets = 1000;
	std::uint32_t spike_capacity = 1024;
	std::uint32_t prio = 95;
};

// SamplerLimits - what rtnoise.ko accepts.
struct SamplerLimits {
	std::uint64_t period_min_ns, period_max_ns;
	std::uint64_t threshold_min_ns, threshold_max_ns;
	std::uint32_t hist_max_buckets;
	std::uint32_t spikes_min, spikes_max;
	std::uint32_t prio_min, prio_max;
	std::uint64_t memory_max_bytes;	 // for all CPUs together
};
extern const SamplerLimits kSamplerLimits;

// sampler_bytes - the kernel memory rtnoise.ko takes for cfg.
std::uint64_t sampler_bytes(const SamplerConfig& cfg);

// SamplerInfo - the module's state, as INFO reports it.
struct SamplerInfo {
	SamplerState state = SamplerState::idle;
	unsigned nr_watched = 0;
	std::uint64_t period_ns = 0;
};

// SpikeBatch - the records of one CPU and latency type from a sequence
// number on (SPIKES), oldest first.
struct SpikeBatch {
	std::vector<Spike> spikes;
	std::uint64_t next_seq = 0;  // where the next read starts
	std::uint64_t lost = 0;	     // records from that number on overwritten
};

// Device - an open /dev/rtnoise. Every call throws an Error that names
// the cause and the cure.
class Device {
public:
	// open - open the device; throws if the module is not loaded or the
	// caller may not use it.
	static Device open(const std::string& path = kDevicePath);

	SamplerInfo info();
	// start - start sampling cfg.cpus; the sampler kthreads run at
	// SCHED_FIFO cfg.prio before their first sample.
	void start(const SamplerConfig& cfg);
	void stop();
	void reset();

	// read_snapshot - everything the module holds, read without
	// disturbing the sampler. With since, each CPU's and type's spikes
	// from the seq there on (0 where absent), their spikes_lost being
	// those of them overwritten; next, if given, gets where the next
	// such read starts.
	Snapshot read_snapshot(const SpikeSeqs* since = nullptr, SpikeSeqs* next = nullptr);
	// read_stats - the counters of each of cpus that is watched (count,
	// min, max, ...; no histogram, no spikes): cheap enough to read
	// every second while sampling.
	std::vector<CpuResult> read_stats(const CpuSet& cpus);
	// read_spikes_since - cpu's spike records of type from seq from on
	// (all of those still in the ring), without disturbing the sampler.
	SpikeBatch read_spikes_since(unsigned cpu, LatType type, std::uint64_t from);

private:
	explicit Device(UniqueFd fd) : fd_(std::move(fd)) {}
	int ioctl_raw(unsigned long cmd, void* arg);
	rtnoise_info info_raw();
	std::optional<CpuResult> read_cpu(unsigned cpu, std::uint32_t buckets);
	void set_priority(const CpuResult& r, std::uint32_t prio);

	UniqueFd fd_;
};

}  // namespace rtnoise
