// SPDX-License-Identifier: GPL-2.0
#include "tracer/wire.hpp"

#include <algorithm>
#include <cstddef>
#include <string_view>

#include "tracer/tracer.hpp"

namespace rtnoise {

// The model's names for the programs' values are the programs' own.
constexpr bool same(SourceKind ours, rtnoise_kind theirs)
{
	return static_cast<unsigned>(ours) == static_cast<unsigned>(theirs);
}
static_assert(same(kThread, RTNOISE_KIND_THREAD) && same(kIrq, RTNOISE_KIND_IRQ) &&
	      same(kSoftirq, RTNOISE_KIND_SOFTIRQ) && same(kNmi, RTNOISE_KIND_NMI) &&
	      same(kIpi, RTNOISE_KIND_IPI) && same(kLocalTimer, RTNOISE_KIND_LOCAL_TIMER) &&
	      same(kHrtimer, RTNOISE_KIND_HRTIMER) && same(kTimer, RTNOISE_KIND_TIMER) &&
	      same(kWorkqueue, RTNOISE_KIND_WORKQUEUE) && same(kTick, RTNOISE_KIND_TICK) &&
	      same(kIdle, RTNOISE_KIND_IDLE) && same(kSmi, RTNOISE_KIND_SMI) &&
	      same(kSteal, RTNOISE_KIND_STEAL) && same(kKindCount, RTNOISE_KIND_NR));
static_assert(kEvNotCause == RTNOISE_EV_NOT_CAUSE && kEvContinued == RTNOISE_EV_CONTINUED);
static_assert(kIpiCount == RTNOISE_IPI_NR);
// A CPU's source entry: its key, its state, the value the hash holds too.
static_assert(sizeof(rtnoise_src_slot) == 16 + sizeof(rtnoise_src_val) &&
	      sizeof(rtnoise_src_slot) % 8 == 0 && offsetof(rtnoise_src_slot, v) == 16);
static_assert((RTNOISE_BPF_SRC_SLOTS & (RTNOISE_BPF_SRC_SLOTS - 1)) == 0);
static_assert(std::string_view(kBpfPinDir) == RTNOISE_BPF_PIN_DIR);

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

SpikeCauses to_spike_causes(const rtnoise_spike_causes& c)
{
	SpikeCauses sc;
	sc.expected_ns = c.expected_ns;
	sc.observed_ns = c.observed_ns;
	// One allocation each: half a million spikes are read at 64 CPUs.
	sc.parts.reserve(std::min<std::uint32_t>(c.nr, RTNOISE_SPIKE_CAUSES));
	for (std::uint32_t k = 0; k < c.nr && k < RTNOISE_SPIKE_CAUSES; k++)
		sc.parts.push_back({c.c[k].kind, c.c[k].id, c.c[k].ns});
	sc.other_ns = c.other_ns;
	sc.unexplained_ns = c.unexplained_ns;
	sc.steal_ns = c.steal_ns;
	sc.smi_ns = c.smi_ns;
	sc.smis = c.smis;
	sc.events = c.events;
	sc.cut = c.flags & RTNOISE_SPIKE_CUT;
	sc.stack.reserve(std::min<std::uint32_t>(c.stack_nr, RTNOISE_STACK_DEPTH));
	for (std::uint32_t k = 0; k < c.stack_nr && k < RTNOISE_STACK_DEPTH; k++)
		sc.stack.push_back(c.stack[k]);
	sc.stack_kind = c.stack_kind;
	sc.stack_of = c.stack_of;
	return sc;
}

}  // namespace rtnoise
