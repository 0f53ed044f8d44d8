// SPDX-License-Identifier: GPL-2.0
// enum_names.cpp - the report's names of the model's enums.
#include <array>

#include "model/comparison.hpp"
#include "model/snapshot.hpp"
#include "model/trace.hpp"

namespace rtnoise {

const char* kind_name(unsigned kind)
{
	static constexpr std::array<const char*, kKindCount> names{
		"thread", "irq",       "softirq", "nmi",  "ipi", "local_timer", "hrtimer",
		"timer",  "workqueue", "tick",	  "idle", "smi", "steal"};
	return kind < names.size() ? names[kind] : "unknown";
}

const char* lat_type_name(LatType t)
{
	return t == LatType::irq ? "irq" : "thread";
}

const char* workload_spike_type_name(WorkloadSpikeType t)
{
	return t == WorkloadSpikeType::wakeup ? "wakeup" : "taken";
}

const char* explained_name(Explained e)
{
	switch (e) {
	case Explained::at_spike:
		return "spike";
	case Explained::history:
		return "history";
	default:
		return "none";
	}
}

const char* join_missing_name(JoinMissing m)
{
	switch (m) {
	case JoinMissing::before_trace:
		return "before_trace";
	case JoinMissing::overwritten:
		return "overwritten";
	case JoinMissing::not_run:
		return "not_run";
	case JoinMissing::mismatch:
		return "mismatch";
	case JoinMissing::unsupported:
		return "unsupported";
	default:
		return "none";
	}
}

const char* sampler_state_name(SamplerState s)
{
	switch (s) {
	case SamplerState::running:
		return "running";
	case SamplerState::stopped:
		return "stopped";
	default:
		return "idle";
	}
}

const char* presence_name(Presence p)
{
	switch (p) {
	case Presence::appeared:
		return "appeared";
	case Presence::vanished:
		return "vanished";
	default:
		return "both";
	}
}

std::vector<TraceLimit> trace_limits(std::uint32_t limits, const std::vector<std::string>& refused)
{
	static const struct {
		TraceLimitBit bit;
		const char* name;
		const char* effect;
	} known[] = {
		{kLimitNoFetchAtomics, "no_fetch_atomics",
		 "this kernel has no fetching BPF atomics (5.12+): a program that "
		 "interrupts another on a watched CPU is not run, and counted as nested"},
		{kLimitNoBpfLoop, "no_bpf_loop",
		 "this kernel has no bpf_loop (5.17+): spikes are not joined when "
		 "recorded, but explained from the event ring when the report reads it"},
		{kLimitJoinRefused, "join_refused",
		 "this kernel's verifier refused the spike-time join: spikes are "
		 "explained from the event ring when the report reads it"},
		{kLimitNoIpiSenders, "no_ipi_senders",
		 "no ipi_send_* tracepoints (6.6+) and no fentry on the senders: IPIs "
		 "are traced without who sent them"},
		{kLimitNoRename, "no_rename",
		 "thread renames are not followed: a thread keeps the name it had "
		 "when first seen"},
	};
	std::vector<TraceLimit> out;
	for (const auto& k : known)
		if (limits & k.bit)
			out.push_back({k.name, k.effect});
	for (const std::string& r : refused)
		out.push_back(
			{"refused:" + r, "this kernel's verifier refused the program " + r +
						 ": what it traces is missing (rtnoise attach "
						 "--verbose shows the verifier's reason)"});
	return out;
}

}  // namespace rtnoise
