// SPDX-License-Identifier: GPL-2.0
/*
 * floor.bpf.c - what a tp_btf/sched_switch program costs before it does
 * rtnoise's work: a ladder of programs, each one step more than the one
 * before, loaded one at a time by floor.c (bench/bench-floor.sh).
 *
 *   empty   return 0: the dispatch and, with the stats on, their bracket
 *   count   + a per-CPU array lookup and an increment
 *   clock   + bpf_ktime_get_ns() kept in the per-CPU value
 *   filter  + the watched-CPU filter of rtnoise (CPU id, a read-only
 *           slot table) and both tasks' pids
 *   ring    + an event appended to the CPU's ring by rtnoise's own
 *           rtnoise_ring_store(): an atomic claim of the position, a
 *           record of 48 bytes written between two stores of its seq
 *
 * Each step is a part of rtnoise's on_switch(); what rtnoise costs above
 * "ring" is its own bookkeeping (the context stack, the source entry).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "rtnoise_ring_store.h"

char LICENSE[] SEC("license") = "GPL";

#define MAX_CPUS 1024
#define RING 1024	/* events per CPU, a power of two */

const volatile __u32 slot_of[MAX_CPUS] = {};	/* CPU -> slot + 1, 0: not watched */
const volatile __u32 ring_size = RING;		/* as rtnoise's, a constant */

struct floor_cpu {
	__u64 count;
	__u64 last;
	__u32 prev;
	__u32 next;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct floor_cpu);
} per_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_CPUS);
	__type(key, __u32);
	__type(value, struct rtnoise_ring_head);
} heads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4 * RING);	/* the first four slots' rings */
	__type(key, __u32);
	__type(value, struct rtnoise_event);
} events SEC(".maps");

enum rung { RUNG_EMPTY, RUNG_COUNT, RUNG_CLOCK, RUNG_FILTER, RUNG_RING };

/*
 * ladder - what rung @r does: every step below it, and its own. @r is a
 * constant in each program, so each one keeps only its own steps.
 */
static __always_inline int ladder(enum rung r, struct task_struct *prev,
				  struct task_struct *next)
{
	__u32 zero = 0, slot = 1, cpu;
	struct floor_cpu *c;
	__u64 now;

	if (r == RUNG_EMPTY)
		return 0;
	if (r >= RUNG_FILTER) {	/* rtnoise's watched() */
		cpu = bpf_get_smp_processor_id();
		if (cpu >= MAX_CPUS)
			return 0;
		slot = slot_of[cpu];
		if (!slot)
			return 0;
	}
	c = bpf_map_lookup_elem(&per_cpu, &zero);
	if (!c)
		return 0;
	c->count++;
	if (r == RUNG_COUNT)
		return 0;
	now = bpf_ktime_get_ns();
	if (r >= RUNG_FILTER) {
		c->prev = prev->pid;
		c->next = next->pid;
	}
	if (r >= RUNG_RING)
		rtnoise_ring_store(&heads, &events, &ring_size, (slot - 1) & 3,
				   RTNOISE_KIND_THREAD, c->prev, c->last, now,
				   now - c->last, 0, 0, true);
	c->last = now;
	return 0;
}

#define RUNG(name, r)                                                        \
	SEC("tp_btf/sched_switch")                                           \
	int BPF_PROG(floor_##name, bool preempt, struct task_struct *prev,   \
		     struct task_struct *next)                               \
	{                                                                    \
		return ladder(r, prev, next);                                \
	}

RUNG(empty, RUNG_EMPTY)
RUNG(count, RUNG_COUNT)
RUNG(clock, RUNG_CLOCK)
RUNG(filter, RUNG_FILTER)
RUNG(ring, RUNG_RING)
