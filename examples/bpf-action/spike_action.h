/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spike_action.h - what spike_action.bpf.c sends its loader for each
 * spike over the threshold.
 */
#ifndef SPIKE_ACTION_H
#define SPIKE_ACTION_H

#define SPIKE_ACTION_STACK 16	/* kernel frames kept */

struct spike_action_event {
	__u32 cpu;
	__u32 type;		/* 0 irq, 1 thread (rtnoise_abi.h) */
	__u64 seq;
	__u64 latency_ns;
	__u32 pid;		/* the task current when the tracepoint fired */
	__u32 nr_frames;
	char comm[16];
	__u64 stack[SPIKE_ACTION_STACK];	/* innermost first */
};

#endif /* SPIKE_ACTION_H */
