// SPDX-License-Identifier: GPL-2.0
// wire.hpp - the BPF programs' records (bpf/rtnoise_bpf.h) read into the
// model: the one place user space sees their layout besides the loader.
#pragma once

#include <cstdint>

#include "../../bpf/rtnoise_bpf.h"
#include "model/trace.hpp"

namespace rtnoise {

// seq_copy - copy a record the BPF side writes as a seqcount (seq is 0
// while it is written): its seq, or 0 when it was incomplete or changed
// while copied. One reader for the event ring and the spike causes.
template <typename T>
std::uint64_t seq_copy(const volatile T& rec, T& out)
{
	const std::uint64_t seq = __atomic_load_n(&rec.seq, __ATOMIC_ACQUIRE);
	if (!seq)
		return 0;
	__builtin_memcpy(&out, const_cast<const T*>(&rec), sizeof(out));
	// The copy above must be done before seq is read again.
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&rec.seq, __ATOMIC_RELAXED) == seq ? seq : 0;
}

// read_event - copy one record of the event ring as a seqcount reader:
// false when it is not the record of ring position @seq, or was being
// rewritten while copied. Shared by the tracer and its tests.
bool read_event(const volatile rtnoise_event& e, std::uint64_t seq, TraceEvent& out);

// to_spike_causes - a causes entry of the kernel-side join, as the model's.
SpikeCauses to_spike_causes(const rtnoise_spike_causes& c);

}  // namespace rtnoise
