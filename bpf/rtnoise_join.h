/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * rtnoise_join.h - the spike join, in plain C: compiled into the BPF
 * program that explains a spike when rtnoise.ko records it, and into the
 * unit tests, which compare it with the user-space join (explain_window()).
 *
 * A spike on CPU c is the window [from, to]. The events of c form a proper
 * nesting (a thread at depth 0, what interrupted it deeper), each recorded
 * when it ends, so the ring holds them in end order. Fed that order, one
 * pass gives each event its own time inside the window: its span clipped
 * to the window minus the clipped spans of the events below it, which have
 * all ended (and been fed) before it. That is exactly "paint each instant
 * with the innermost event covering it", without sorting anything.
 *
 * Events flagged RTNOISE_EV_NOT_CAUSE (the sampler's own thread, timer
 * callback and the interrupt that delivered it) shape the nesting but are
 * no cause: their own time is left to the event around them, as the
 * painting leaves it when it ignores them. The idle task is a cause of
 * kind idle: a timer due while the CPU sleeps waits for the idle exit.
 */
#ifndef RTNOISE_JOIN_H
#define RTNOISE_JOIN_H

#include "rtnoise_bpf.h"

#define RTNOISE_JOIN_SLOTS	16	/* distinct causes summed per window */

/*
 * The BPF program defines RTNOISE_JOIN_FN as a global (noinline) function:
 * the verifier then checks each function once, not once per call site
 * and path. Elsewhere they are plain static functions.
 */
#ifndef RTNOISE_JOIN_FN
#define RTNOISE_JOIN_FN static inline
#endif

/*
 * rtnoise_join_idx - @i & @mask, kept: the compiler may drop a mask it can
 * prove redundant, and an older verifier then sees an unbounded index.
 */
static inline __u32 rtnoise_join_idx(__u32 i, __u32 mask)
{
	asm volatile("" : "+r"(i));
	return i & mask;
}

#define RTNOISE_JOIN_SLOT(i)	rtnoise_join_idx((i), RTNOISE_JOIN_SLOTS - 1)

/* One event, as the join takes it (BPF calls take five arguments). */
struct rtnoise_join_ev {
	__u64 id;
	__u64 start;
	__u64 end;
	__u32 kind;
	__u32 depth;
	__u32 flags;		/* RTNOISE_EV_* */
	__u32 pad;
};

struct rtnoise_join_cause {
	__u64 id;
	__u64 ns;
	__u32 kind;
	__u32 pad;
};

struct rtnoise_join {
	__u64 from;
	__u64 to;
	/* clipped time of ended events per depth, not yet under a parent */
	__u64 below[RTNOISE_BPF_MAX_DEPTH];
	__u64 other_ns;		/* causes beyond the slots */
	__u64 events;		/* events fed */
	__u32 nr;
	__u32 pad;
	struct rtnoise_join_cause c[RTNOISE_JOIN_SLOTS];
};

RTNOISE_JOIN_FN int rtnoise_join_init(struct rtnoise_join *j, __u64 from,
				     __u64 to)
{
	__u32 i;

	if (!j)
		return 0;
	j->from = from;
	j->to = to;
	for (i = 0; i < RTNOISE_BPF_MAX_DEPTH; i++)
		j->below[i] = 0;
	/* Empty slots sort last: rtnoise_join_add() compares them all. */
	for (i = 0; i < RTNOISE_JOIN_SLOTS; i++) {
		j->c[i].kind = 0;
		j->c[i].id = 0;
		j->c[i].ns = 0;
		j->c[i].pad = 0;
	}
	j->other_ns = 0;
	j->events = 0;
	j->nr = 0;
	j->pad = 0;
	return 0;
}

/* rtnoise_join_clip - the part of [start, end] inside the window */
static inline __u64 rtnoise_join_clip(const struct rtnoise_join *j,
				      __u64 start, __u64 end)
{
	__u64 a = start > j->from ? start : j->from;
	__u64 b = end < j->to ? end : j->to;

	return b > a ? b - a : 0;
}

/*
 * rtnoise_join_add - sum @ns to the cause (@kind, @id). The slots are kept
 * largest first, so that the smallest is always the last one: when they
 * are full it goes to other_ns if the new cause is larger, and the
 * largest causes stay (a thread that ends last, after everything that
 * interrupted it, among them); a cause that comes back after that starts
 * a new sum. Loops run over constant indices, so that the verifier
 * checks this in a few thousand steps on old kernels too, and every index
 * goes through RTNOISE_JOIN_SLOT(): 7.3's verifier loses the loop
 * counter's bounds in the insertion pass ("unbounded memory access" at
 * c[i - 1]); a masked index is in c[] whatever it tracks.
 */
RTNOISE_JOIN_FN int rtnoise_join_add(struct rtnoise_join *j, __u32 kind,
				      __u64 id, __u64 ns)
{
	struct rtnoise_join_cause t;
	__u32 i, k, hi, lo;

	if (!j || !ns)
		return 0;
	for (i = 0; i < RTNOISE_JOIN_SLOTS; i++) {
		if (i >= j->nr)
			break;
		k = RTNOISE_JOIN_SLOT(i);
		if (j->c[k].kind == kind && j->c[k].id == id) {
			j->c[k].ns += ns;
			goto place;
		}
	}
	if (j->nr < RTNOISE_JOIN_SLOTS) {
		k = RTNOISE_JOIN_SLOT(j->nr);
		j->nr++;
	} else {
		k = RTNOISE_JOIN_SLOTS - 1;
		if (j->c[k].ns >= ns) {
			j->other_ns += ns;
			return 0;
		}
		j->other_ns += j->c[k].ns;
	}
	j->c[k].kind = kind;
	j->c[k].id = id;
	j->c[k].ns = ns;
	j->c[k].pad = 0;
place:
	/* One pass from the end moves the one that grew to its place. */
	for (i = RTNOISE_JOIN_SLOTS - 1; i > 0; i--) {
		hi = RTNOISE_JOIN_SLOT(i);
		lo = RTNOISE_JOIN_SLOT(i - 1);
		if (j->c[hi].ns > j->c[lo].ns) {
			t = j->c[hi];
			j->c[hi] = j->c[lo];
			j->c[lo] = t;
		}
	}
	return 0;
}

/*
 * rtnoise_join_event - feed one event; events come in the order they
 * ended, and an event still open at the end of the window is fed with
 * end = to, innermost first, after every event that has ended.
 */
RTNOISE_JOIN_FN int rtnoise_join_event(struct rtnoise_join *j,
				      const struct rtnoise_join_ev *e)
{
	__u64 span, inner = 0, own;
	__u32 d, k, depth;

	if (!j || !e)
		return 0;
	depth = e->depth;
	if (depth > RTNOISE_BPF_MAX_DEPTH - 1)
		depth = RTNOISE_BPF_MAX_DEPTH - 1;
	j->events++;
	span = rtnoise_join_clip(j, e->start, e->end);
	/*
	 * What ended below this depth since this event's parent last took
	 * its children is nested in this event. (Below depth + 1 too: a
	 * level the tracer did not see, e.g. an overflow, must not let its
	 * children escape to the next event of this depth.)
	 */
	for (d = 0; d < RTNOISE_BPF_MAX_DEPTH; d++) {
		if (d <= depth)
			continue;
		k = rtnoise_join_idx(d, RTNOISE_BPF_MAX_DEPTH - 1);
		inner += j->below[k];
		j->below[k] = 0;
	}
	own = span > inner ? span - inner : 0;
	/*
	 * Not a cause: leave its own time to the event around it, which
	 * then takes only what nested in this one.
	 */
	j->below[rtnoise_join_idx(depth, RTNOISE_BPF_MAX_DEPTH - 1)] +=
		e->flags & RTNOISE_EV_NOT_CAUSE ? span - own : span;
	if (e->flags & RTNOISE_EV_NOT_CAUSE)
		return 0;
	return rtnoise_join_add(j, e->kind, e->id, own);
}

/* rtnoise_join_explained - the window's time the causes account for */
static inline __u64 rtnoise_join_explained(const struct rtnoise_join *j)
{
	__u64 sum = j->other_ns;
	__u32 i;

	for (i = 0; i < RTNOISE_JOIN_SLOTS; i++)
		if (i < j->nr)
			sum += j->c[RTNOISE_JOIN_SLOT(i)].ns;
	return sum;
}

/*
 * rtnoise_join_finish - the largest RTNOISE_SPIKE_CAUSES causes into @out,
 * largest first, the rest into its other_ns, the remainder into its
 * unexplained_ns. Causes plus other plus unexplained equal the window.
 */
RTNOISE_JOIN_FN int rtnoise_join_finish(struct rtnoise_join *j,
				       struct rtnoise_spike_causes *out)
{
	__u64 window, explained;
	__u32 i, k;

	if (!j || !out)
		return 0;
	window = j->to > j->from ? j->to - j->from : 0;
	explained = rtnoise_join_explained(j);
	out->nr = 0;
	out->other_ns = j->other_ns;
	for (i = 0; i < RTNOISE_JOIN_SLOTS; i++) {
		if (i >= j->nr)
			break;
		if (i < RTNOISE_SPIKE_CAUSES) {
			k = rtnoise_join_idx(i, RTNOISE_SPIKE_CAUSES - 1);
			out->c[k].kind = j->c[k].kind;
			out->c[k].id = j->c[k].id;
			out->c[k].ns = j->c[k].ns;
			out->c[k].pad = 0;
			out->nr = k + 1;
		} else {
			out->other_ns += j->c[RTNOISE_JOIN_SLOT(i)].ns;
		}
	}
	out->unexplained_ns = window > explained ? window - explained : 0;
	out->events = j->events;
	return 0;
}

/*
 * rtnoise_join_evidence - split the unexplained remainder where the
 * kernel gave evidence: steal time a hypervisor reported for the window
 * first, then SMIs counted across it (their duration is not measured:
 * what nothing else explains is theirs).
 */
RTNOISE_JOIN_FN int rtnoise_join_evidence(struct rtnoise_spike_causes *out,
					 __u64 steal_ns, __u64 smis)
{
	__u64 take;

	if (!out)
		return 0;
	if (steal_ns && out->unexplained_ns) {
		take = steal_ns < out->unexplained_ns ? steal_ns
						      : out->unexplained_ns;
		out->steal_ns = take;
		out->unexplained_ns -= take;
	}
	if (smis) {
		out->smis = smis;
		out->smi_ns = out->unexplained_ns;
		out->unexplained_ns = 0;
	}
	return 0;
}

#endif /* RTNOISE_JOIN_H */
