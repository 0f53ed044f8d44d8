/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtnoise_trace.h - the module's tracepoint: a spike was recorded.
 *
 * It fires on the spike's CPU, right after the record is published, in
 * the context that measured it (the hrtimer callback for an IRQ-latency
 * spike, the sampler thread for a thread-latency one). rtnoise's BPF side
 * attaches a raw_tp program to it that explains the spike there and then,
 * from that CPU's recent events, so that a report read much later still
 * has the cause of every spike the ring holds. A module tracepoint is
 * reachable by raw_tp without module BTF, which out-of-tree builds lack.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM rtnoise

#if !defined(RTNOISE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define RTNOISE_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(rtnoise_spike,
	TP_PROTO(unsigned int cpu, unsigned int type, u64 seq, u64 expected_ns,
		 u64 observed_ns, u64 smis, u64 steal_ns),
	TP_ARGS(cpu, type, seq, expected_ns, observed_ns, smis, steal_ns),

	TP_STRUCT__entry(
		__field(unsigned int, cpu)
		__field(unsigned int, type)
		__field(u64, seq)
		__field(u64, expected_ns)
		__field(u64, latency_ns)
		__field(u64, smis)
		__field(u64, steal_ns)
	),

	TP_fast_assign(
		__entry->cpu = cpu;
		__entry->type = type;
		__entry->seq = seq;
		__entry->expected_ns = expected_ns;
		__entry->latency_ns = observed_ns - expected_ns;
		__entry->smis = smis;
		__entry->steal_ns = steal_ns;
	),

	TP_printk("cpu=%u type=%s seq=%llu expected=%llu latency=%llu smis=%llu steal=%llu",
		  __entry->cpu, __entry->type ? "thread" : "irq",
		  __entry->seq, __entry->expected_ns, __entry->latency_ns,
		  __entry->smis, __entry->steal_ns)
);

#endif /* RTNOISE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE rtnoise_trace
#include <trace/define_trace.h>
