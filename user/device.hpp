// SPDX-License-Identifier: GPL-2.0
// device.hpp - /dev/rtnoise: the module's ioctl ABI behind a small class.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "../kmod/rtnoise_abi.h"
#include "cpulist.hpp"
#include "sampler.hpp"

namespace rtnoise {

inline constexpr const char* kDevicePath = "/dev/rtnoise";

// UniqueFd - an owned file descriptor.
class UniqueFd {
public:
	UniqueFd() = default;
	explicit UniqueFd(int fd) : fd_(fd) {}
	UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
	UniqueFd& operator=(UniqueFd&& o) noexcept;
	UniqueFd(const UniqueFd&) = delete;
	UniqueFd& operator=(const UniqueFd&) = delete;
	~UniqueFd();

	int get() const { return fd_; }
	int release() { int fd = fd_; fd_ = -1; return fd; }
	explicit operator bool() const { return fd_ >= 0; }

private:
	int fd_ = -1;
};

// SamplerConfig - what `attach` asks of the module.
struct SamplerConfig {
	CpuSet cpus;
	std::uint64_t period_ns = 1000000;
	std::uint64_t threshold_ns = 50000;
	std::uint32_t hist_buckets = 1000;
	std::uint32_t spike_capacity = 4096;
	std::uint32_t prio = 95;
};

// sampler_bytes - the kernel memory rtnoise.ko takes for cfg.
inline std::uint64_t sampler_bytes(const SamplerConfig& cfg)
{
	return RTNOISE_CPU_BYTES(cfg.hist_buckets, cfg.spike_capacity) * cfg.cpus.size();
}

// Device - an open /dev/rtnoise. Every call throws an Error that names
// the cause and the cure.
class Device {
public:
	// open - open the device; throws if the module is not loaded or the
	// caller may not use it.
	static Device open(const std::string& path = kDevicePath);

	rtnoise_info info();
	void start(const SamplerConfig& cfg);
	void stop();
	void reset();

	// read_snapshot - everything the module holds, read without
	// disturbing the sampler.
	Snapshot read_snapshot();

private:
	explicit Device(UniqueFd fd) : fd_(std::move(fd)) {}
	int ioctl_raw(unsigned long cmd, void* arg);
	std::optional<CpuResult> read_cpu(unsigned cpu, std::uint32_t buckets);
	std::vector<Spike> read_spikes(unsigned cpu, LatType type,
				       std::uint64_t& lost);

	UniqueFd fd_;
};

// ModuleLoad - what ensure_module() did.
struct ModuleLoad {
	bool loaded_now = false;
	std::string path;
};

// module_candidates - where rtnoise.ko is looked for, in order: the
// explicit path, $RTNOISE_MODULE, the build tree beside the executable,
// then the kernel's module directories.
std::vector<std::filesystem::path>
module_candidates(const std::optional<std::string>& explicit_path,
		  const std::filesystem::path& exe_dir,
		  const std::string& release);

// ensure_module - load rtnoise.ko unless it is loaded already.
ModuleLoad ensure_module(const std::optional<std::string>& explicit_path);

// unload_module - remove rtnoise.ko (rmmod).
void unload_module();

}  // namespace rtnoise
