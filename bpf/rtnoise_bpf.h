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
#define RTNOISE_STACK_DEPTH	24	/* kernel frames kept per stack */

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
	RTNOISE_KIND_IDLE = 10,	/* the idle task; id: the idle state left */
	/* Causes of a spike only, from evidence other than events: */
	RTNOISE_KIND_SMI = 11,	/* SMIs counted across the window */
	RTNOISE_KIND_STEAL = 12,	/* steal time accounted across the window */
	RTNOISE_KIND_NR = 13,
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
 * cpu_sources: each watched CPU's own table of sources, RTNOISE_BPF_SRC_SLOTS
 * entries per ring slot, a source at the entry its kind and id hash to
 * (rtnoise_src_hash). Only that CPU writes its entries, so the hot path is
 * an array index and a compare, with no shared cacheline. A source whose
 * entry another holds goes to the sources hash instead; a reader adds up
 * both (a source can be in both if its entry was claimed under it).
 */
#define RTNOISE_BPF_SRC_BITS	9
#define RTNOISE_BPF_SRC_SLOTS	(1u << RTNOISE_BPF_SRC_BITS)

/* States of struct rtnoise_src_slot. */
#define RTNOISE_SRC_FREE	0
#define RTNOISE_SRC_CLAIMED	1	/* being named: not yet the key's */
#define RTNOISE_SRC_READY	2

struct rtnoise_src_slot {
	__u64 id;
	__u32 kind;
	__u32 state;		/* RTNOISE_SRC_FREE, _CLAIMED or _READY */
	struct rtnoise_src_val v;
};

/* rtnoise_src_hash - the entry of @kind/@id in its CPU's cpu_sources */
static inline __u32 rtnoise_src_hash(__u32 kind, __u64 id)
{
	return (__u32)(((id << 4 | kind) * 0x9e3779b97f4a7c15ULL) >>
		       (64 - RTNOISE_BPF_SRC_BITS));
}

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

/* Flags of struct rtnoise_event. */
#define RTNOISE_EV_NOT_CAUSE	1	/* the sampler's own: shapes, not blames */
#define RTNOISE_EV_CONTINUED	2	/* a later on-CPU part of one context */

/*
 * events: the recent contexts of each watched CPU, a ring per CPU, in the
 * order they ended. Written as a seqcount: seq is 0 while the record is
 * being (over)written and seq + 1 of its ring position once complete; a
 * reader copies the record between two reads of seq and keeps it only if
 * both are what it expects.
 */
struct rtnoise_event {
	__u64 seq;
	__u64 start_ns;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 end_ns;
	__u64 net_ns;		/* end - start - nested sources */
	__u64 id;
	__u32 kind;
	__u16 depth;		/* 0 thread, deeper for what interrupted it */
	__u16 flags;		/* RTNOISE_EV_* */
};

/* heads: per ring slot, the ring's head and what could not be counted. */
struct rtnoise_ring_head {
	__u64 head;		/* events ever written */
	__u64 overflow;		/* contexts nested deeper than MAX_DEPTH */
	__u64 clamped;		/* contexts whose nested time exceeded their span */
	__u64 clamped_ns;	/* and by how much in all */
	__u64 source_drops;	/* contexts not summed: sources map full */
	__u64 origin_drops;	/* origins not kept: origins map full */
	__u64 spikes;		/* spikes explained when recorded */
	__u64 spikes_cut;	/* of those, older than the ring's oldest event */
	__u64 nested;		/* programs not run: nested in another one here
				 * on a kernel without fetching atomics */
	__u64 preempted;	/* programs preempted while they changed this
				 * CPU's contexts (7.0+: preemptible
				 * tracepoints), and redone */
	__u64 parked;		/* parked entries this CPU made, now */
	__u64 parked_lost;	/* threads that slept here with contexts open
				 * and could not be parked: map full */
	__u64 parked_stale;	/* parked entries not resumed: the thread ran
				 * elsewhere first, or the pid is reused */
	__u64 wl_spikes;	/* workload spikes ever recorded here */
	__u64 pad[2];		/* a head is two cachelines */
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
	__u32 idle_state;	/* the last idle state entered (cpu_idle) */
	__u32 sampler_pid;	/* rtnoise.ko's thread on this CPU, once seen */
	__u32 stack_bytes;	/* of stack[]: what the sampler's timer interrupted */
	__u32 stack_kind;	/* RTNOISE_KIND_* of the context interrupted */
	__u32 pad0;
	__u64 stack_of;	/* and its id */
	__u64 stack[RTNOISE_STACK_DEPTH];	/* innermost first */
	__u32 wl_tid;		/* the workload thread running here, or 0 */
	__u32 busy;		/* programs running here (no fetching atomics) */
	__u64 switches;		/* sched_switch seen here: a program that sees
				 * it change was preempted (7.0+) */
	struct rtnoise_frame f[RTNOISE_BPF_MAX_DEPTH];
	__u64 wl_in;		/* when wl_tid got the CPU */
};

/*
 * parked: the contexts a thread had open when it slept, by pid. On
 * PREEMPT_RT threaded IRQ handlers, softirqs and work items sleep on
 * locks; any kernel's work items may sleep. Each on-CPU part is its own
 * event, the later ones RTNOISE_EV_CONTINUED. An entry is resumed only by
 * the same task (start_time), on the CPU it slept on, at its next switch
 * there (no switch in between): anything else drops it as stale. A thread
 * that never comes back keeps its entry until detach; a full map is
 * counted (ring head parked_lost).
 */
#define RTNOISE_BPF_PARKED	4096

struct rtnoise_parked {
	__u32 n;
	__u32 cpu;
	__u64 born;		/* the task's start_time: a reused pid differs */
	__u64 switches;		/* its nvcsw + nivcsw when it slept here: a
				 * thread that ran elsewhere since differs */
	struct rtnoise_frame f[RTNOISE_BPF_MAX_DEPTH - 1];
};

/*
 * causes: what explained each spike, computed on the spike's CPU when
 * rtnoise.ko recorded it. One entry per spike-ring position of the
 * sampler (slot, type, seq % spikes): the entry is the spike's when its
 * seq is the spike's seq + 1 and its window is the spike's.
 */
#define RTNOISE_SPIKE_CAUSES	8	/* largest causes kept per spike */
#define RTNOISE_CAUSES_MAX	8192	/* entries per CPU and type at most */

/* Flags of struct rtnoise_spike_causes. */
#define RTNOISE_SPIKE_CUT	1	/* window older than the ring's oldest event */

struct rtnoise_spike_cause {
	__u64 id;
	__u64 ns;
	__u32 kind;
	__u32 pad;
};

struct rtnoise_spike_causes {
	__u64 seq;		/* the spike's seq + 1 once written */
	__u64 expected_ns;
	__u64 observed_ns;
	__u64 other_ns;		/* causes beyond the list */
	__u64 unexplained_ns;
	__u64 steal_ns;		/* of the remainder: steal time */
	__u64 smi_ns;		/* of the remainder: with SMIs counted */
	__u64 smis;		/* SMIs counted */
	__u64 events;		/* events the window was painted with */
	__u64 stack_of;		/* id of the context the stack is of */
	__u32 stack_nr;		/* frames in stack[] */
	__u32 stack_kind;
	__u32 nr;
	__u32 flags;		/* RTNOISE_SPIKE_* */
	struct rtnoise_spike_cause c[RTNOISE_SPIKE_CAUSES];
	__u64 stack[RTNOISE_STACK_DEPTH];	/* of the largest cause */
};


/*
 * The workload (--workload at attach): the user's own threads, measured
 * from the scheduler's events. wl_comms holds the comms named, wl_threads
 * one entry per thread followed: those the CLI found at attach, and those
 * the programs add when a thread takes a named comm (fork, exec,
 * prctl(PR_SET_NAME)) or a followed thread starts another thread.
 */
#define RTNOISE_WL_THREADS	64	/* threads followed at most */
#define RTNOISE_WL_COMMS	64	/* comms named at most */
#define RTNOISE_WL_BUCKETS	4096	/* 1 us buckets of wakeup latency */
#define RTNOISE_WL_SPIKES	256	/* workload spikes kept per CPU */

struct rtnoise_wl_comm {
	char comm[16];
};

/* Flags of struct rtnoise_wl_thread. */
#define RTNOISE_WL_EXITED	1	/* the thread has exited */
#define RTNOISE_WL_RUNNABLE	2	/* preempted: off_ns is when it left */
#define RTNOISE_WL_WOKEN	4	/* woken: waking_ns is when */
#define RTNOISE_WL_SYSCALL	8	/* in a system call: sys_enter_ns is
					 * when it last got the CPU in it */

struct rtnoise_wl_thread {
	__u32 tgid;
	__u32 cpu;		/* the watched CPU it last ran on, or ~0 */
	__u32 flags;		/* RTNOISE_WL_* */
	__u32 pad;
	char comm[16];
	/* Pending, between two of the thread's events. */
	__u64 waking_ns;	/* made runnable (sched_waking) */
	__u64 due_ns;		/* the hrtimer that woke it was due, or 0 */
	__u64 off_ns;		/* switched out while runnable */
	__u64 mark;		/* its nvcsw + nivcsw then: ran elsewhere since? */
	__u64 sys_enter_ns;	/* see RTNOISE_WL_SYSCALL */
	/* Wakeup latency: from due (or waking) to running. */
	__u64 wakeups;
	__u64 timer_wakeups;	/* of those, by the hrtimer it slept on */
	__u64 min_ns;
	__u64 max_ns;
	__u64 sum_ns;
	__u64 overflows;	/* beyond the last bucket */
	__u64 spikes;		/* at or over the threshold */
	/* Time taken from it while runnable: off the CPU, or interrupted. */
	__u64 preemptions;
	__u64 preempted_ns;
	__u64 interrupts;
	__u64 interrupted_ns;
	__u64 max_taken_ns;	/* the longest single interruption */
	/* What it did to itself. */
	__u64 run_ns;		/* on a watched CPU */
	__u64 faults_user;
	__u64 faults_kernel;
	__u64 syscalls;
	__u64 syscall_ns;	/* on the CPU inside them */
	__u64 migrations;
	__u64 voluntary;	/* switched out asleep */
	__u64 involuntary;	/* switched out runnable */
	__u32 hist[RTNOISE_WL_BUCKETS];
};

/* Types of struct rtnoise_wl_spike. */
#define RTNOISE_WL_WAKEUP	0	/* ran late after its wakeup */
#define RTNOISE_WL_TAKEN	1	/* runnable, and kept off its CPU */

/*
 * wl_spikes: per watched CPU, a ring of the workload's spikes, each
 * joined with the CPU's events when it happened. seq is 0 while written
 * and the ring position + 1 once complete, as in causes.
 */
struct rtnoise_wl_spike {
	__u64 seq;
	__u64 from_ns;		/* due, or woken, or interrupted */
	__u64 to_ns;		/* ran again */
	__u64 waking_ns;	/* wakeups: sched_waking */
	__u32 tid;
	__u32 type;		/* RTNOISE_WL_WAKEUP or _TAKEN */
	__u32 timer;		/* woken by its hrtimer: from_ns is when due */
	__u32 joined;		/* causes holds the window's join */
	char comm[16];
	struct rtnoise_spike_causes c;
};

/* meta: what the CLI attached, for later readers. */
struct rtnoise_meta {
	__u64 start_ns;
	__u32 ring_size;	/* events per CPU, power of two */
	__u32 nr_slots;
	__u32 spike_capacity;	/* causes entries per slot and type */
	__u32 limits;		/* RTNOISE_LIMIT_*: what this kernel lacks */
	__u64 wl_threshold_ns;	/* workload spikes: at or over this */
	__u64 wl_lost;		/* threads that took a named comm with
				 * wl_threads full: not followed */
	__u32 slot_cpu[RTNOISE_BPF_MAX_CPUS];
	char refused[256];	/* optional programs the verifier refused,
				 * space-separated */
};

/*
 * meta.limits: what the loader found missing in the running kernel, and
 * how the programs degrade (the report names each).
 */
enum {
	/* No fetching atomics (before 5.12): one program at a time on a
	 * watched CPU; one that nests in another is not run (heads.nested). */
	RTNOISE_LIMIT_NO_FETCH_ATOMICS = 1 << 0,
	/* No bpf_loop (before 5.17): no spike-time join; spikes are
	 * explained from the event ring when the report reads it. */
	RTNOISE_LIMIT_NO_BPF_LOOP = 1 << 1,
	/* The verifier refused the spike-time join (meta.refused). */
	RTNOISE_LIMIT_JOIN_REFUSED = 1 << 2,
	/* Neither ipi_send_* tracepoints (6.6+) nor fentry on the senders:
	 * IPIs are traced without who sent them. */
	RTNOISE_LIMIT_NO_IPI_SENDERS = 1 << 3,
	/* Thread renames are not followed (task_rename not loaded). */
	RTNOISE_LIMIT_NO_RENAME = 1 << 4,
};

#endif /* RTNOISE_BPF_H */
