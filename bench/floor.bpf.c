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
 *   ring    + an event appended to the CPU's ring as rtnoise's
 *           ring_store() does: an atomic claim of the position, a record
 *           of 56 bytes written between two stores of its seq
 *
 * Each step is a part of rtnoise's on_switch(); what rtnoise costs above
 * "ring" is its own bookkeeping (the context stack, the source entry).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define MAX_CPUS 1024
#define RING 1024	/* events per CPU, a power of two */

const volatile __u32 slot_of[MAX_CPUS] = {};	/* CPU -> slot + 1, 0: not watched */

struct floor_cpu {
	__u64 count;
	__u64 last;
	__u32 prev;
	__u32 next;
};

struct floor_head {
	__u64 head;
	__u64 pad[7];	/* a cache line each */
};

struct floor_event {
	__u64 seq;
	__u64 start_ns;
	__u64 end_ns;
	__u64 net_ns;
	__u64 id;
	__u32 kind;
	__u16 depth;
	__u16 flags;
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
	__type(value, struct floor_head);
} heads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4 * RING);	/* the first four slots' rings */
	__type(key, __u32);
	__type(value, struct floor_event);
} events SEC(".maps");

#define barrier() asm volatile("" ::: "memory")

SEC("tp_btf/sched_switch")
int BPF_PROG(floor_empty, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(floor_count, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	__u32 zero = 0;
	struct floor_cpu *c = bpf_map_lookup_elem(&per_cpu, &zero);

	if (c)
		c->count++;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(floor_clock, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	__u32 zero = 0;
	struct floor_cpu *c = bpf_map_lookup_elem(&per_cpu, &zero);

	if (c) {
		c->count++;
		c->last = bpf_ktime_get_ns();
	}
	return 0;
}

/* watched - this CPU's value if it is watched, as rtnoise's watched() */
static __always_inline struct floor_cpu *watched(__u32 *slot)
{
	__u32 zero = 0, cpu = bpf_get_smp_processor_id();

	if (cpu >= MAX_CPUS)
		return NULL;
	*slot = slot_of[cpu];
	if (!*slot)
		return NULL;
	return bpf_map_lookup_elem(&per_cpu, &zero);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(floor_filter, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	struct floor_cpu *c;
	__u32 slot;

	c = watched(&slot);
	if (!c)
		return 0;
	c->count++;
	c->last = bpf_ktime_get_ns();
	c->prev = prev->pid;
	c->next = next->pid;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(floor_ring, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	struct floor_event *e;
	struct floor_head *h;
	struct floor_cpu *c;
	__u64 now, seq;
	__u32 slot, s, idx;

	c = watched(&slot);
	if (!c)
		return 0;
	now = bpf_ktime_get_ns();
	c->count++;
	c->prev = prev->pid;
	c->next = next->pid;
	s = (slot - 1) & 3;
	h = bpf_map_lookup_elem(&heads, &s);
	if (!h)
		return 0;
	seq = __sync_fetch_and_add(&h->head, 1);
	idx = s * RING + (seq & (RING - 1));
	e = bpf_map_lookup_elem(&events, &idx);
	if (!e)
		return 0;
	e->seq = 0;
	barrier();
	e->start_ns = c->last;
	e->end_ns = now;
	e->net_ns = now - c->last;
	e->id = c->prev;
	e->kind = 1;
	e->depth = 0;
	e->flags = 0;
	barrier();
	e->seq = seq + 1;
	c->last = now;
	return 0;
}
