/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * rtnoise_bpf.h - maps and records shared by rtnoise.bpf.c and the CLI.
 *
 * Every disturbance on a watched CPU is one of RTNOISE_KIND_*, identified
 * by a number: the IRQ number, the softirq vector, the IPI vector kind, the
 * callback address (hrtimer, timer, work item, NMI handler), the pid
 * (thread) or the tick dependency bit (tick-stop failures).
 */
#ifndef RTNOISE_BPF_H
#define RTNOISE_BPF_H

#ifndef __VMLINUX_H__		/* userspace; BPF has vmlinux.h */
#include <linux/types.h>
#endif

#define RTNOISE_BPF_MAX_CPUS	1024
#define RTNOISE_BPF_MAX_DEPTH	8	/* power of two */
#define RTNOISE_BPF_NAME_LEN	32
#define RTNOISE_BPF_SOURCES	16384

/* Where the CLI pins what it attaches. */
#define RTNOISE_BPF_PIN_DIR	"/sys/fs/bpf/rtnoise"

enum rtnoise_kind {
	RTNOISE_KIND_THREAD = 0,
	RTNOISE_KIND_IRQ = 1,
	RTNOISE_KIND_SOFTIRQ = 2,
	RTNOISE_KIND_NMI = 3,
	RTNOISE_KIND_IPI = 4,
	RTNOISE_KIND_LOCAL_TIMER = 5,
	RTNOISE_KIND_HRTIMER = 6,
	RTNOISE_KIND_TIMER = 7,
	RTNOISE_KIND_WORKQUEUE = 8,
	RTNOISE_KIND_TICK = 9,	/* tick_stop failures: counted, not timed */
	RTNOISE_KIND_NR = 10,
};

/* The x86 system vectors traced through irq_vectors (kind IPI). */
enum rtnoise_ipi {
	RTNOISE_IPI_CALL_FUNCTION = 0,
	RTNOISE_IPI_CALL_FUNCTION_SINGLE = 1,
	RTNOISE_IPI_RESCHEDULE = 2,
	RTNOISE_IPI_IRQ_WORK = 3,
	RTNOISE_IPI_X86_PLATFORM = 4,
	RTNOISE_IPI_THERMAL = 5,
	RTNOISE_IPI_THRESHOLD = 6,
	RTNOISE_IPI_DEFERRED_ERROR = 7,
	RTNOISE_IPI_ERROR_APIC = 8,
	RTNOISE_IPI_SPURIOUS_APIC = 9,
	RTNOISE_IPI_NR = 10,
};

/* sources: per CPU and source, what it cost. */
struct rtnoise_src_key {
	__u32 cpu;
	__u32 kind;
	__u64 id;
};

/* Flags of struct rtnoise_src_val. */
#define RTNOISE_SRC_SAMPLER	1	/* rtnoise.ko's own thread: not counted */

struct rtnoise_src_val {
	__u64 count;
	__u64 total_ns;		/* its own time, nested sources excluded */
	__u64 max_ns;
	__u64 flags;		/* RTNOISE_SRC_* */
	char name[RTNOISE_BPF_NAME_LEN];	/* IRQ action or thread comm */
};

/*
 * origins: who, from which CPU, caused a source on a watched CPU: the
 * waker of a thread, the queuer of a work item, the arming context of a
 * timer, the sender of an IPI. Recorded where the cause runs (usually a
 * housekeeping CPU), keyed to the source it caused.
 */
#define RTNOISE_BPF_ORIGINS	16384

struct rtnoise_origin_key {
	__u32 cpu;		/* the watched CPU */
	__u32 kind;		/* RTNOISE_KIND_* of the source caused */
	__u64 id;		/* and its id, as in rtnoise_src_key */
	__u32 from_cpu;
	__u32 from_pid;		/* the task running there (0: idle/IRQ) */
};

struct rtnoise_origin_val {
	__u64 count;
	__u64 via;		/* IPIs: the function it runs, if known */
	char comm[16];		/* of from_pid, when first seen */
};

/* events: the recent disturbances of each watched CPU, a ring per CPU. */
struct rtnoise_event {
	__u64 seq;		/* ring sequence + 1; 0 while never written */
	__u64 start_ns;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 end_ns;
	__u64 net_ns;		/* end - start - nested sources */
	__u64 id;
	__u32 kind;
	__u16 depth;		/* 0 thread, deeper for what interrupted it */
	__u16 cpu;
};

/* heads: per ring slot. */
struct rtnoise_ring_head {
	__u64 head;		/* events ever written */
	__u64 overflow;		/* entries dropped: nesting deeper than MAX */
};

/*
 * state: per CPU (a per-CPU array of one), the contexts open on it: the
 * running thread in f[0], then whatever interrupted it. The CLI reads it
 * to charge the thread still running at report time, which has no event
 * yet (a busy loop on a nohz_full CPU may never switch out).
 */
struct rtnoise_frame {
	__u64 start;		/* bpf_ktime_get_ns() at entry */
	__u64 nested;		/* time of finished contexts nested in it */
	__u64 id;
	__u32 kind;
	__u32 flags;
};

struct rtnoise_cpu_state {
	__u32 depth;		/* frames in use; 0 until the first switch */
	__u32 pad;
	struct rtnoise_frame f[RTNOISE_BPF_MAX_DEPTH];
};

/* meta: what the CLI attached, for later readers. */
struct rtnoise_meta {
	__u64 start_ns;
	__u32 ring_size;	/* events per CPU, power of two */
	__u32 nr_slots;
	__u32 slot_cpu[RTNOISE_BPF_MAX_CPUS];
};

#endif /* RTNOISE_BPF_H */
