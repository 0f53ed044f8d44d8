// SPDX-License-Identifier: GPL-2.0
/*
 * spike_action.bpf.c - an action of your own for rtnoise's spikes: a
 * program on rtnoise.ko's tracepoint rtnoise:rtnoise_spike, run in the
 * kernel on the spike's CPU right after the spike is recorded (as rtla's
 * --bpf-action runs a program when timerlat hits its threshold).
 *
 * This one sends the loader (spike_action.c) each spike at or over
 * min_latency_ns with the task current on that CPU and the kernel stack
 * there and then: for an IRQ-latency spike, the sampler's hrtimer
 * callback interrupting that task; for a thread-latency one, the
 * sampler's thread that has just run. Module tracepoints have no BTF
 * for tp_btf outside the kernel tree: raw_tp, whose arguments are the
 * tracepoint's TP_PROTO (kmod/rtnoise_trace.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "spike_action.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 min_latency_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("raw_tp/rtnoise_spike")
int BPF_PROG(spike_action, unsigned int cpu, unsigned int type, __u64 seq,
	     __u64 expected_ns, __u64 observed_ns, __u64 smis, __u64 steal_ns)
{
	struct spike_action_event *e;
	long n;

	if (observed_ns - expected_ns < min_latency_ns)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;	/* the loader is behind: this spike is not sent */
	e->cpu = cpu;
	e->type = type;
	e->seq = seq;
	e->latency_ns = observed_ns - expected_ns;
	e->pid = bpf_get_current_pid_tgid();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	n = bpf_get_stack(ctx, e->stack, sizeof(e->stack), 0);
	e->nr_frames = n > 0 ? n / sizeof(e->stack[0]) : 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
