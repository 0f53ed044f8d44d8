// SPDX-License-Identifier: GPL-2.0
// source_names.cpp - what the report calls each source.
#include "analysis/attribution.hpp"

#include <array>

#include "host/ksyms.hpp"

namespace rtnoise {

namespace {

// The kernel's softirq_to_name[], in vector order.
constexpr std::array<const char*, 10> kSoftirqs{"HI",	    "TIMER",   "NET_TX", "NET_RX",  "BLOCK",
						"IRQ_POLL", "TASKLET", "SCHED",	 "HRTIMER", "RCU"};

constexpr std::array<const char*, kIpiCount> kIpis{
	"call_function",    "call_function_single", "reschedule",     "irq_work",
	"x86_platform_ipi", "thermal_apic",	    "threshold_apic", "deferred_error_apic",
	"error_apic",	    "spurious_apic"};

// TICK_DEP_BIT_* of include/linux/tick.h; tick_stop reports the mask.
constexpr std::array<const char*, 6> kTickDeps{"POSIX_TIMER",	 "PERF_EVENTS", "SCHED",
					       "CLOCK_UNSTABLE", "RCU",		"RCU_EXP"};

}  // namespace

std::string source_name(unsigned kind, std::uint64_t id, const std::string& comm,
			const Ksyms& ksyms)
{
	switch (kind) {
	case kThread:
		return (comm.empty() ? "?" : comm) + ":" + std::to_string(id);
	case kIrq:
		return std::to_string(id) + (comm.empty() ? "" : ":" + comm);
	case kSoftirq:
		return id < kSoftirqs.size() ? kSoftirqs[id] : "vec" + std::to_string(id);
	case kIpi:
		return id < kIpis.size() ? kIpis[id] : "vector" + std::to_string(id);
	case kLocalTimer:
		return "local_timer";
	case kIdle:
		return "state" + std::to_string(id);
	case kSmi:
		return std::to_string(id) + " SMI" + (id == 1 ? "" : "s");
	case kSteal:
		return "hypervisor";
	case kTick:
		for (unsigned bit = 0; bit < kTickDeps.size(); bit++)
			if (id == (1ULL << bit))
				return kTickDeps[bit];
		return "mask" + std::to_string(id);
	default:
		return ksyms.name_of(id);
	}
}

}  // namespace rtnoise
