// SPDX-License-Identifier: GPL-2.0
#include "trace.hpp"

#include <array>

#include "ksyms.hpp"

namespace rtnoise {

const char* kind_name(unsigned kind)
{
	static constexpr std::array<const char*, RTNOISE_KIND_NR> names{
		"thread", "irq", "softirq", "nmi", "ipi", "local_timer",
		"hrtimer", "timer", "workqueue", "tick", "idle", "smi", "steal"};
	return kind < names.size() ? names[kind] : "unknown";
}

bool read_event(const volatile rtnoise_event& e, std::uint64_t seq, TraceEvent& out)
{
	rtnoise_event raw;
	if (seq_copy(e, raw) != seq + 1)
		return false;
	out.kind = raw.kind;
	out.depth = raw.depth;
	out.id = raw.id;
	out.start_ns = raw.start_ns;
	out.end_ns = raw.end_ns;
	out.net_ns = raw.net_ns;
	out.flags = raw.flags;
	return true;
}

namespace {

// The kernel's softirq_to_name[], in vector order.
constexpr std::array<const char*, 10> kSoftirqs{
	"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK",
	"IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU"};

constexpr std::array<const char*, RTNOISE_IPI_NR> kIpis{
	"call_function", "call_function_single", "reschedule", "irq_work",
	"x86_platform_ipi", "thermal_apic", "threshold_apic",
	"deferred_error_apic", "error_apic", "spurious_apic"};

// TICK_DEP_BIT_* of include/linux/tick.h; tick_stop reports the mask.
constexpr std::array<const char*, 6> kTickDeps{
	"POSIX_TIMER", "PERF_EVENTS", "SCHED", "CLOCK_UNSTABLE", "RCU", "RCU_EXP"};

}  // namespace

std::string source_name(unsigned kind, std::uint64_t id, const std::string& comm,
			const Ksyms& ksyms)
{
	switch (kind) {
	case RTNOISE_KIND_THREAD:
		return (comm.empty() ? "?" : comm) + ":" + std::to_string(id);
	case RTNOISE_KIND_IRQ:
		return std::to_string(id) + (comm.empty() ? "" : ":" + comm);
	case RTNOISE_KIND_SOFTIRQ:
		return id < kSoftirqs.size() ? kSoftirqs[id] : "vec" + std::to_string(id);
	case RTNOISE_KIND_IPI:
		return id < kIpis.size() ? kIpis[id] : "vector" + std::to_string(id);
	case RTNOISE_KIND_LOCAL_TIMER:
		return "local_timer";
	case RTNOISE_KIND_IDLE:
		return "state" + std::to_string(id);
	case RTNOISE_KIND_SMI:
		return std::to_string(id) + " SMI" + (id == 1 ? "" : "s");
	case RTNOISE_KIND_STEAL:
		return "hypervisor";
	case RTNOISE_KIND_TICK:
		for (unsigned bit = 0; bit < kTickDeps.size(); bit++)
			if (id == (1ULL << bit))
				return kTickDeps[bit];
		return "mask" + std::to_string(id);
	default:
		return ksyms.name_of(id);
	}
}

}  // namespace rtnoise
