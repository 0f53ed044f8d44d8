/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtnoise_ring_store.h - the store that every finished context makes on a
 * watched CPU: shared by rtnoise.bpf.c and bench/floor.bpf.c, whose ladder
 * measures it alone. Include after vmlinux.h and bpf_helpers.h.
 */
#ifndef RTNOISE_RING_STORE_H
#define RTNOISE_RING_STORE_H

#include "rtnoise_bpf.h"

/* A compiler barrier: the ring's seqcount stores stay in program order. */
#define barrier() asm volatile("" ::: "memory")

/*
 * rtnoise_ring_store - append an event to slot @s's ring in @events
 * (*@ring_size records a slot, a power of two, read where it is used:
 * it is the loader's constant; the slot's head is in @heads).
 * Programs of one CPU can nest (an IRQ's program interrupts
 * sched_switch's), so the position is taken atomically; the record is
 * marked incomplete (seq 0) while it is written, complete (its seq + 1)
 * after. x86 keeps stores in order; the compiler is held to it by
 * barrier(). Without @fetch (a kernel before 5.12 has no fetching
 * atomics) the caller guarantees that no other program of this CPU runs
 * meanwhile, and the head is a plain increment.
 */
static __always_inline void rtnoise_ring_store(void *heads, void *events,
					       const volatile __u32 *ring_size,
					       __u32 s,
					       __u32 kind, __u64 id,
					       __u64 start, __u64 end,
					       __u64 net, __u32 depth,
					       __u32 flags, bool fetch)
{
	struct rtnoise_ring_head *h;
	struct rtnoise_event *e;
	__u32 idx;
	__u64 seq;

	h = bpf_map_lookup_elem(heads, &s);
	if (!h)
		return;
	if (fetch) {
		seq = __sync_fetch_and_add(&h->head, 1);
	} else {
		seq = h->head;
		h->head = seq + 1;
	}
	idx = s * *ring_size + (seq & (*ring_size - 1));
	e = bpf_map_lookup_elem(events, &idx);
	if (!e)
		return;
	e->seq = 0;
	barrier();
	e->start_ns = start;
	e->end_ns = end;
	e->net_ns = net;
	e->id = id;
	e->kind = kind;
	e->depth = depth;
	e->flags = flags;
	barrier();
	e->seq = seq + 1;
}

#endif /* RTNOISE_RING_STORE_H */
