/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtnoise_ring.h - which records of a spike ring a reader may return.
 *
 * One writer (the sampler of a CPU) fills a ring of @cap slots; record
 * seq lives in slot seq & (cap - 1), and the head is the seq of the next
 * record. The writer rewrites a slot in place, then publishes head + 1.
 * A reader reads the head, copies a window of slots, reads the head again
 * and drops from the front of its copy whatever the writer may have
 * rewritten in between. Pure arithmetic on sequence numbers, shared by
 * rtnoise.ko and the unit tests that check it against interleavings with
 * the writer (tests/unit/test_ring.cpp).
 */
#ifndef RTNOISE_RING_H
#define RTNOISE_RING_H

#include <linux/types.h>

/*
 * rtnoise_ring_oldest - the oldest record a reader may trust while the
 * head is @head: while the writer runs, record head - cap shares its slot
 * with record head, which the writer may be writing now.
 */
static inline __u64 rtnoise_ring_oldest(__u64 head, __u64 cap, int writing)
{
	__u64 end = writing ? head + 1 : head;

	return end > cap ? end - cap : 0;
}

/* What one read copies: records first .. first + n - 1. */
struct rtnoise_ring_window {
	__u64 first;
	__u64 n;
};

/*
 * rtnoise_ring_plan - the records to copy for a read from @from of at
 * most @max records, the head being @head.
 */
static inline struct rtnoise_ring_window
rtnoise_ring_plan(__u64 head, __u64 cap, int writing, __u64 from, __u64 max)
{
	struct rtnoise_ring_window w;
	__u64 oldest = rtnoise_ring_oldest(head, cap, writing);

	w.first = from > oldest ? from : oldest;
	if (w.first > head)
		w.first = head;
	w.n = head - w.first < max ? head - w.first : max;
	return w;
}

/*
 * rtnoise_ring_drop - how many records at the front of the copy of @w to
 * drop, the head being @head after the copy: those the writer may have
 * rewritten while they were copied.
 */
static inline __u64 rtnoise_ring_drop(struct rtnoise_ring_window w, __u64 head,
				      __u64 cap, int writing)
{
	__u64 oldest = rtnoise_ring_oldest(head, cap, writing);

	if (oldest <= w.first)
		return 0;
	return oldest - w.first < w.n ? oldest - w.first : w.n;
}

#endif /* RTNOISE_RING_H */
