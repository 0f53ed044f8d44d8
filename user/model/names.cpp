// SPDX-License-Identifier: GPL-2.0
// names.cpp - the report's names of the model's enums.
#include <array>

#include "model/compare.hpp"
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

}  // namespace rtnoise
