// SPDX-License-Identifier: GPL-2.0
/*
 * rtnoise.bpf.c - attribute the time of watched CPUs to what disturbed them
 *
 * Each watched CPU keeps a stack of the contexts open on it: the running
 * thread at the bottom, then whatever interrupted it (softirq, IRQ, IPI,
 * local timer, timer/hrtimer callback, work item). When a context ends its
 * own time is its span minus what nested in it, and its whole span is
 * charged to the context below as nested time, so nothing is counted twice
 * (the osnoise rule). Each finished context is summed per source and kept
 * in a per-CPU ring of recent events.
 *
 * When rtnoise.ko records a spike, its tracepoint runs explain_spike() on
 * the spike's CPU: the window [expected, observed] is painted from that
 * CPU's ring and the contexts still open (rtnoise_join.h), and the largest
 * causes are stored with the spike, so that a report read much later still
 * explains every spike the sampler kept.
 *
 * Every tracepoint has a tp_btf program and a raw_tp twin over one handler;
 * the loader keeps the tp_btf one where the kernel's BTF has it.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "rtnoise_bpf.h"
/* Global functions: the verifier checks each once (rtnoise_join.h). */
#define RTNOISE_JOIN_FN __attribute__((noinline))
#include "rtnoise_join.h"
#include "rtnoise_ring_store.h"
#include "rtnoise_workload.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load. */
const volatile __u32 slot_of[RTNOISE_BPF_MAX_CPUS] = {};	/* slot + 1 */
const volatile __u32 slot_cpu[RTNOISE_BPF_MAX_CPUS] = {};	/* slot -> CPU */
const volatile __u32 nr_slots = 0;
const volatile __u32 ring_size = 1;
const volatile __u64 sampler_fn = 0;	/* rtnoise.ko's hrtimer callback */
const volatile __u32 causes_capacity = 0;	/* per slot and type; 0: no sampler */
/*
 * This object is built twice. RTNOISE_COMPAT builds it for kernels
 * without fetching atomics (before 5.12), whose verifier refuses any
 * BPF_STX with an operation in it, reachable or not: the programs of a
 * watched CPU run one at a time there (enter()), and what they would
 * claim atomically is claimed with plain stores. Nor has such a kernel
 * bpf_loop (5.17), which the spike-time join and renames need: those
 * programs do nothing in it, and the loader leaves them out. Both
 * objects have the same programs, maps and globals, so one skeleton
 * opens either.
 */
#ifdef RTNOISE_COMPAT
#define fetch_atomics false
#else
#define fetch_atomics true
#endif

/*
 * Set by the loader once every program is attached: until then the
 * programs only track frames. What attaching itself does to the watched
 * CPUs (text patching IPIs, the loader's visit) is not the host's noise.
 */
__u32 armed = 0;

#define FRAME_SAMPLER		1	/* the sampler's own work: not noise */
#define FRAME_SAMPLER_INSIDE	2	/* delivered the sampler's timer */
#define FRAME_CONTINUED		4	/* resumed after its thread slept */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rtnoise_cpu_state);
} state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTNOISE_BPF_SOURCES);
	__type(key, struct rtnoise_src_key);
	__type(value, struct rtnoise_src_val);
} sources SEC(".maps");

/* Each slot's RTNOISE_BPF_SRC_SLOTS sources (rtnoise_bpf.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);	/* nr_slots * RTNOISE_BPF_SRC_SLOTS, at load */
	__type(key, __u32);
	__type(value, struct rtnoise_src_slot);
} cpu_sources SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTNOISE_BPF_ORIGINS);
	__type(key, struct rtnoise_origin_key);
	__type(value, struct rtnoise_origin_val);
} origins SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);		/* nr_slots * ring_size, set at load */
	__type(key, __u32);
	__type(value, struct rtnoise_event);
} events SEC(".maps");

/*
 * Mmapable for its layout, not to be mapped: the values then start on a
 * page, so each slot's head (64 bytes) has a cacheline of its own and
 * CPUs that switch at once do not share one.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, RTNOISE_BPF_MAX_CPUS);
	__type(key, __u32);
	__type(value, struct rtnoise_ring_head);
} heads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rtnoise_meta);
} meta SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTNOISE_BPF_PARKED);
	__type(key, __u32);
	__type(value, struct rtnoise_parked);
} parked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);	/* nr_slots * 2 * causes_capacity, at load */
	__type(key, __u32);
	__type(value, struct rtnoise_spike_causes);
} causes SEC(".maps");

/*
 * park()'s entry, built here: beside on_switch()'s frame and record()'s,
 * on the stack it took 6.1's verifier past 512 bytes. sched_switch runs
 * with IRQs off, so nothing else on this CPU uses it meanwhile.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rtnoise_parked);
} park_scratch SEC(".maps");

/* The join's working state: too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rtnoise_join);
} join_scratch SEC(".maps");

/*
 * The workload (rtnoise_bpf.h): set by the loader when --workload names
 * threads. Without one, none of its programs is loaded, and the shared
 * ones test wl_enabled first.
 */
const volatile __u32 wl_enabled = 0;
const volatile __u64 wl_threshold_ns = ~0ULL;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTNOISE_WL_COMMS);
	__type(key, struct rtnoise_wl_comm);
	__type(value, __u32);
} wl_comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTNOISE_WL_THREADS);
	__type(key, __u32);
	__type(value, struct rtnoise_wl_thread);
} wl_threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);	/* nr_slots * RTNOISE_WL_SPIKES, at load */
	__type(key, __u32);
	__type(value, struct rtnoise_wl_spike);
} wl_spikes SEC(".maps");

/*
 * A new thread's entry as inserted, all zero: too large for the stack,
 * and never written (one for all CPUs, not a per-CPU copy each).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rtnoise_wl_thread);
} wl_zero SEC(".maps");

/*
 * Per CPU, any CPU: when the hrtimer expiring there now was due (0: none
 * is). A workload thread's timer expires where it was armed, and on a
 * nohz_full CPU that is a housekeeping CPU (get_nohz_timer_target()).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} wl_due SEC(".maps");

int rtnoise_wl_join(__u32 slot, __u32 tid, __u32 type, __u64 from, __u64 to);

/* watched - this CPU's state if it is watched: the filter comes first */
static __always_inline struct rtnoise_cpu_state *watched(__u32 *slot, __u32 *cpu)
{
	__u32 zero = 0;

	*cpu = bpf_get_smp_processor_id();
	if (*cpu >= RTNOISE_BPF_MAX_CPUS)
		return NULL;
	*slot = slot_of[*cpu];
	if (!*slot)
		return NULL;
	return bpf_map_lookup_elem(&state, &zero);
}

/*
 * enter - watched() for a program that changes this CPU's contexts. On a
 * kernel without fetching atomics, one that nests in another program of
 * this CPU (an IRQ's in softirq_entry's) is not run, and counted: the
 * plain stores that stand in for the atomics must not interleave. The
 * count is an atomic add, which every kernel has; what it read back is 1
 * unless another program is inside (one that came and went between the
 * add and the read restored it).
 */
static __always_inline struct rtnoise_cpu_state *enter(__u32 *slot,
							 __u32 *cpu)
{
	struct rtnoise_cpu_state *st = watched(slot, cpu);
	struct rtnoise_ring_head *h;
	__u32 s;

	if (!st || fetch_atomics)
		return st;
	__sync_fetch_and_add(&st->busy, 1);
	if (*(volatile __u32 *)&st->busy == 1)
		return st;
	__sync_fetch_and_add(&st->busy, -1);
	s = *slot - 1;
	h = bpf_map_lookup_elem(&heads, &s);
	if (h)
		__sync_fetch_and_add(&h->nested, 1);
	return NULL;
}

/* leave - the end of what enter() began */
static __always_inline void leave(struct rtnoise_cpu_state *st)
{
	if (st && !fetch_atomics)
		__sync_fetch_and_add(&st->busy, -1);
}

/* How record() names a source the first time it sees it. */
enum name_src { NAME_NONE, NAME_IRQ, NAME_TASK };

/* "rtnoise/", little-endian: the comm prefix of rtnoise.ko's kthreads. */
#define SAMPLER_COMM_PREFIX 0x2f6573696f6e7472ULL
/* include/linux/sched.h: a kernel thread; no user task can take it. */
#define RTNOISE_PF_KTHREAD 0x00200000

/* name_source - a new source's name and flags, from @src */
static __noinline void name_source(struct rtnoise_src_val *v, const void *src,
				   int how)
{
	__u64 prefix;

	if (how == NAME_IRQ) {
		const char *name = BPF_CORE_READ((struct irqaction *)src, name);

		bpf_probe_read_kernel_str(v->name, sizeof(v->name), name);
	} else if (how == NAME_TASK) {
		BPF_CORE_READ_STR_INTO(&v->name, (struct task_struct *)src, comm);
		__builtin_memcpy(&prefix, v->name, sizeof(prefix));
		/*
		 * The comm alone is anyone's (prctl(PR_SET_NAME)): a kernel
		 * thread of that name is rtnoise.ko's.
		 */
		if (prefix == SAMPLER_COMM_PREFIX &&
		    (BPF_CORE_READ((struct task_struct *)src, flags) &
		     RTNOISE_PF_KTHREAD))
			v->flags = RTNOISE_SRC_SAMPLER;
	}
}

/* new_source - insert a source, named from @src; NULL on failure */
static __noinline struct rtnoise_src_val *
new_source(struct rtnoise_src_key *key, const void *src, int how)
{
	struct rtnoise_src_val init = {};

	name_source(&init, src, how);
	bpf_map_update_elem(&sources, key, &init, BPF_NOEXIST);
	return bpf_map_lookup_elem(&sources, key);
}

/* cpu_source - slot @slot's entry for @kind/@id, whoever holds it */
static __always_inline struct rtnoise_src_slot *cpu_source(__u32 slot,
							    __u32 kind,
							    __u64 id)
{
	__u32 idx = (slot - 1) * RTNOISE_BPF_SRC_SLOTS +
		    rtnoise_src_hash(kind, id);

	return bpf_map_lookup_elem(&cpu_sources, &idx);
}

/*
 * find_source - the source @kind/@id of this CPU: in its own entry of
 * cpu_sources, claimed and named the first time; in the sources hash if
 * another source holds that entry, or is being named in it (a program
 * that interrupted the claim). NULL if neither has room.
 */
static __always_inline struct rtnoise_src_val *
find_source(__u32 slot, __u32 cpu, __u32 kind, __u64 id, const void *src,
	    int how)
{
	struct rtnoise_src_key key = { .cpu = cpu, .kind = kind, .id = id };
	struct rtnoise_src_slot *e = cpu_source(slot, kind, id);
	struct rtnoise_src_val *v;
	bool claimed = false;

	if (e) {
		if (e->state == RTNOISE_SRC_READY && e->id == id &&
		    e->kind == kind)
			return &e->v;
		/* Without fetching atomics nothing else runs here now. */
		if (e->state == RTNOISE_SRC_FREE && !fetch_atomics) {
			e->state = RTNOISE_SRC_CLAIMED;
			claimed = true;
		} else if (e->state == RTNOISE_SRC_FREE && fetch_atomics) {
			claimed = __sync_val_compare_and_swap(&e->state,
							      RTNOISE_SRC_FREE,
							      RTNOISE_SRC_CLAIMED) ==
				  RTNOISE_SRC_FREE;
		}
		if (claimed) {
			e->id = id;
			e->kind = kind;
			name_source(&e->v, src, how);
			barrier();
			e->state = RTNOISE_SRC_READY;
			return &e->v;
		}
	}
	v = bpf_map_lookup_elem(&sources, &key);
	if (!v)
		v = new_source(&key, src, how);
	return v;
}

/* count - bump one of the ring head's loss counters of slot @s */
static __always_inline void count(__u32 s, int which, __u64 n)
{
	struct rtnoise_ring_head *h = bpf_map_lookup_elem(&heads, &s);

	if (!h)
		return;
	switch (which) {
	case 0: __sync_fetch_and_add(&h->overflow, n); break;
	case 1: __sync_fetch_and_add(&h->clamped, 1);
		__sync_fetch_and_add(&h->clamped_ns, n); break;
	case 2: __sync_fetch_and_add(&h->source_drops, n); break;
	case 3: __sync_fetch_and_add(&h->origin_drops, n); break;
	case 4: __sync_fetch_and_add(&h->parked, n); break;
	case 5: __sync_fetch_and_add(&h->parked_lost, n); break;
	case 6: __sync_fetch_and_add(&h->parked_stale, n); break;
	}
}

enum { LOST_OVERFLOW, LOST_CLAMPED, LOST_SOURCE, LOST_ORIGIN, PARKED,
       PARKED_LOST, PARKED_STALE };

/* net_of - a context's own time; nesting that exceeds it is counted */
static __always_inline __u64 net_of(__u32 slot, __u64 gross, __u64 nested)
{
	if (gross >= nested)
		return gross - nested;
	count(slot - 1, LOST_CLAMPED, nested - gross);
	return 0;
}

/*
 * record - add a finished context to its source and to the event ring.
 * The hot path is two array lookups and a few stores; names are read once,
 * when a source is first seen. The sampler's own contexts and the idle
 * task are no source, but go to the ring: the spike join needs every
 * level of the nesting.
 */
static __always_inline void record(__u32 slot, __u32 cpu,
				   struct rtnoise_cpu_state *st, __u32 kind,
				   __u64 id, __u64 start, __u64 end, __u64 net,
				   __u32 depth, __u32 flags, const void *src,
				   int how)
{
	struct rtnoise_src_val *v;

	if (!armed)
		return;
	if (kind != RTNOISE_KIND_IDLE && !(flags & RTNOISE_EV_NOT_CAUSE)) {
		v = find_source(slot, cpu, kind, id, src, how);
		if (!v) {
			count(slot - 1, LOST_SOURCE, 1);
		} else if (v->flags & RTNOISE_SRC_SAMPLER) {
			flags |= RTNOISE_EV_NOT_CAUSE;
			if (kind == RTNOISE_KIND_THREAD)
				st->sampler_pid = id;
		} else {
			if (!(flags & RTNOISE_EV_CONTINUED))
				v->count++;
			v->total_ns += net;
			if (net > v->max_ns)
				v->max_ns = net;
		}
	}
	if (kind == RTNOISE_KIND_TICK)
		return;
	rtnoise_ring_store(&heads, &events, &ring_size, slot - 1, kind, id, start,
			   end, net, depth, flags, fetch_atomics);
}

/* ev_flags - the event flags of a frame that ends */
static __always_inline __u32 ev_flags(__u32 frame_flags)
{
	return (frame_flags & (FRAME_SAMPLER | FRAME_SAMPLER_INSIDE)
			? RTNOISE_EV_NOT_CAUSE : 0) |
	       (frame_flags & FRAME_CONTINUED ? RTNOISE_EV_CONTINUED : 0);
}

/*
 * Since 7.0 a tracepoint's programs run with migration disabled, not
 * preemption: one in a preemptible context (a threaded IRQ handler, a
 * work item, softirqs on PREEMPT_RT) can be preempted halfway through
 * changing this CPU's contexts, and other threads' programs run here
 * before it resumes. Each sched_switch bumps st->switches; a program that
 * sees it change redoes what it can redo, and counts it (heads.preempted).
 */

/* preempted - count a program preempted while it changed slot @slot's state */
static __always_inline void preempted(__u32 slot)
{
	__u32 s = slot - 1;
	struct rtnoise_ring_head *h = bpf_map_lookup_elem(&heads, &s);

	if (h)
		__sync_fetch_and_add(&h->preempted, 1);
}

/*
 * push_at - open frame @d; false if a switch came meanwhile. Every store
 * is of the caller's values: done again after a preemption, it leaves
 * the same frames (the thread's own, which its next switch here parked
 * and gave back).
 */
static __always_inline bool push_at(struct rtnoise_cpu_state *st, __u32 d,
				    __u64 start, __u32 kind, __u64 id,
				    __u32 flags)
{
	struct rtnoise_frame *f = &st->f[d & (RTNOISE_BPF_MAX_DEPTH - 1)];
	__u64 switches = st->switches;

	f->start = start;
	f->nested = 0;
	f->id = id;
	f->kind = kind;
	f->flags = flags;
	barrier();
	st->depth = d + 1;
	barrier();
	return st->switches == switches;
}

/* push_in - a context of @kind begins on this CPU, whose state is @st */
static __always_inline void push_in(struct rtnoise_cpu_state *st, __u32 slot,
				    __u32 kind, __u64 id, __u32 flags)
{
	struct rtnoise_frame *f;
	__u32 d = st->depth;

	if (d >= RTNOISE_BPF_MAX_DEPTH) {
		count(slot - 1, LOST_OVERFLOW, 1);
		return;
	}
	if (push_at(st, d, bpf_ktime_get_ns(), kind, id, flags))
		return;
	preempted(slot);
	/*
	 * Switched out after the frame was whole: it was parked (its part
	 * so far is an event) and given back, continued. Else it starts
	 * again: its time off the CPU is not the context's.
	 */
	f = &st->f[d & (RTNOISE_BPF_MAX_DEPTH - 1)];
	if (st->depth == d + 1 && f->kind == kind && f->id == id &&
	    (f->flags & FRAME_CONTINUED))
		return;
	push_at(st, d, bpf_ktime_get_ns(), kind, id, flags);
}

/*
 * drop_lost_vectors - x86 runs a system vector's handler (an IPI, the
 * local timer) with interrupts off, so none begins inside another: one
 * still open when the next begins lost its exit. Its entry ran while
 * attach was enabling its exit's tracepoint (the IPIs that patch the
 * code). It and what is above it are dropped, as pop() drops contexts
 * whose end it missed; their time stays with the context below, which
 * it is (a spinning thread would otherwise be charged to the IPI until
 * its next switch).
 */
static __always_inline void drop_lost_vectors(struct rtnoise_cpu_state *st)
{
	__u32 kind, i;

	for (i = 1; i < RTNOISE_BPF_MAX_DEPTH; i++) {
		if (i >= st->depth)
			return;
		kind = st->f[i].kind;
		if (kind == RTNOISE_KIND_IPI || kind == RTNOISE_KIND_LOCAL_TIMER) {
			st->depth = i;
			return;
		}
	}
}

/* push - a context of @kind begins on this CPU */
static __always_inline int push(__u32 kind, __u64 id, __u32 flags)
{
	struct rtnoise_cpu_state *st;
	__u32 slot, cpu;

	st = enter(&slot, &cpu);
	if (!st)
		return 0;
	push_in(st, slot, kind, id, flags);
	leave(st);
	return 0;
}

/*
 * push_vector - a system vector of @kind (IPI, local timer) begins on
 * this CPU. The barrier makes push_in() read the depth afresh: given the
 * value drop_lost_vectors() stored, the compiler carries it in another
 * register, whose bounds the verifiers before 6.x lose.
 */
static __always_inline int push_vector(__u32 kind, __u64 id)
{
	struct rtnoise_cpu_state *st;
	__u32 slot, cpu;

	st = enter(&slot, &cpu);
	if (!st)
		return 0;
	drop_lost_vectors(st);
	barrier();
	push_in(st, slot, kind, id, 0);
	leave(st);
	return 0;
}

/* wl_join - the join of a workload spike the accounting found, if it did */
static __always_inline void wl_join(__u32 slot, __u32 tid, int spike,
				    struct rtnoise_wl_hit *hit)
{
	if (spike)
		rtnoise_wl_join(slot, tid, hit->type | hit->timer << 8, hit->from,
				hit->to);
}

/*
 * wl_interrupted - a context that interrupted the workload thread running
 * here (depth 1: an IRQ, softirq, IPI, the local timer) has ended.
 */
static __always_inline void wl_interrupted(struct rtnoise_cpu_state *st,
					   __u32 slot, __u64 start, __u64 end)
{
	struct rtnoise_wl_hit hit = {};
	__u32 tid = st->wl_tid;
	struct rtnoise_wl_thread *w;

	if (!wl_enabled || !tid || st->f[0].id != tid)
		return;
	w = bpf_map_lookup_elem(&wl_threads, &tid);
	if (w)
		wl_join(slot, tid,
			rtnoise_wl_interrupted(w, start, end, wl_threshold_ns, &hit),
			&hit);
}

enum { POP_DONE, POP_NONE, POP_SWITCHED };

/*
 * pop_in - pop_once() on this CPU's state @st: POP_SWITCHED if a switch
 * came before it changed anything (it read another thread's frames, or
 * this one's before they were parked and given back), POP_NONE if no
 * context of @kind is open.
 */
static __always_inline int pop_in(struct rtnoise_cpu_state *st, __u32 slot,
				  __u32 cpu, __u32 kind, const void *src,
				  int how)
{
	struct rtnoise_frame *f, *parent;
	__u64 now, gross, nested, id, start, switches = st->switches;
	__u32 flags;
	int i, found = -1;

	barrier();
	for (i = RTNOISE_BPF_MAX_DEPTH - 1; i >= 1; i--) {
		if (i < st->depth && st->f[i].kind == kind) {
			found = i;
			break;
		}
	}
	if (found < 1)
		return POP_NONE;	/* never pop the thread frame here */

	now = bpf_ktime_get_ns();
	f = &st->f[found & (RTNOISE_BPF_MAX_DEPTH - 1)];
	id = f->id;
	start = f->start;
	gross = now - start;
	flags = f->flags;
	nested = f->nested;
	parent = &st->f[(found - 1) & (RTNOISE_BPF_MAX_DEPTH - 1)];
	barrier();
	if (st->switches != switches)
		return POP_SWITCHED;
	parent->nested += gross;
	if (flags & FRAME_SAMPLER)
		parent->flags |= FRAME_SAMPLER_INSIDE;
	st->depth = found;
	barrier();
	/* Preempted in the last few stores: they may be torn; counted. */
	if (st->switches != switches)
		preempted(slot);
	record(slot, cpu, st, kind, id, start, now,
	       net_of(slot, gross, nested), found,
	       ev_flags(flags), src, how);
	if (found == 1)
		wl_interrupted(st, slot, start, now);
	return POP_DONE;
}

/*
 * pop - the innermost open context of @kind ends. Contexts above it whose
 * end we missed are dropped; a context that began before we attached has
 * no frame and is ignored. Preempted before it changed anything, it pops
 * again from the frames its thread got back (the part before the switch
 * is the event its park made).
 */
static __always_inline int pop(__u32 kind, const void *src, int how)
{
	struct rtnoise_cpu_state *st;
	__u32 slot, cpu;

	st = enter(&slot, &cpu);
	if (!st)
		return 0;
	if (pop_in(st, slot, cpu, kind, src, how) == POP_SWITCHED) {
		preempted(slot);
		pop_in(st, slot, cpu, kind, src, how);
	}
	leave(st);
	return 0;
}

/*
 * identity - who @t is beyond its pid, and how often it left a CPU: the
 * scheduler counts a switch before sched_switch fires, so a thread that
 * comes back without having run anywhere else shows the count it left
 * with.
 */
static __always_inline void identity(struct task_struct *t, bool btf,
				     __u64 *born, __u64 *switches)
{
	if (btf) {
		*born = t->start_time;
		*switches = t->nvcsw + t->nivcsw;
	} else {
		*born = BPF_CORE_READ(t, start_time);
		*switches = BPF_CORE_READ(t, nvcsw) + BPF_CORE_READ(t, nivcsw);
	}
}

/* unpark_drop - forget @pid's entry @p; its CPU made it and counts it */
static __always_inline void unpark_drop(__u32 pid, struct rtnoise_parked *p,
					bool stale)
{
	__u32 owner = p->cpu;

	if (bpf_map_delete_elem(&parked, &pid))
		return;	/* another program took it first */
	if (owner >= RTNOISE_BPF_MAX_CPUS || !slot_of[owner])
		return;
	count(slot_of[owner] - 1, PARKED, (__u64)-1);
	if (stale)
		count(slot_of[owner] - 1, PARKED_STALE, 1);
}

/*
 * park - @prev goes to sleep with contexts open above its thread frame (a
 * threaded handler, softirq or work item that blocks, as they do on
 * PREEMPT_RT): end each as an event now, and keep them to resume when
 * it runs here again, so their time stays theirs and the threads that
 * run meanwhile are not charged to them.
 */
static __always_inline void park(struct rtnoise_cpu_state *st, __u32 slot,
				 __u32 cpu, struct task_struct *prev, __u32 pid,
				 bool btf, __u64 now)
{
	struct rtnoise_parked *p, *old;
	struct rtnoise_frame *f, *parent;
	__u32 d = st->depth, i, k, zero = 0;
	__u64 gross;

	p = bpf_map_lookup_elem(&park_scratch, &zero);
	if (!p)
		return;
	p->cpu = cpu;
	for (i = RTNOISE_BPF_MAX_DEPTH - 1; i >= 1; i--) {
		if (i >= d)
			continue;
		f = &st->f[i & (RTNOISE_BPF_MAX_DEPTH - 1)];
		parent = &st->f[(i - 1) & (RTNOISE_BPF_MAX_DEPTH - 1)];
		gross = now - f->start;
		parent->nested += gross;
		record(slot, cpu, st, f->kind, f->id, f->start, now,
		       net_of(slot, gross, f->nested), i, ev_flags(f->flags),
		       NULL, NAME_NONE);
		k = i - 1;
		if (k < RTNOISE_BPF_MAX_DEPTH - 1) {
			p->f[k] = *f;
			p->f[k].flags |= FRAME_CONTINUED;
		}
	}
	st->depth = 1;
	if (!pid)
		return;	/* the idle task does not sleep */
	p->n = d - 1;
	identity(prev, btf, &p->born, &p->switches);
	/* An entry it still has was not resumed: it ran elsewhere since. */
	old = bpf_map_lookup_elem(&parked, &pid);
	if (old)
		unpark_drop(pid, old, true);
	if (bpf_map_update_elem(&parked, &pid, p, BPF_NOEXIST) == 0)
		count(slot - 1, PARKED, 1);
	else
		count(slot - 1, PARKED_LOST, 1);
}

/*
 * unpark - @next runs again here: reopen the contexts it slept in, if it
 * is the task that slept, here, and it has not run anywhere since (a
 * work item it finished elsewhere is over).
 */
static __always_inline void unpark(struct rtnoise_cpu_state *st, __u32 cpu,
				   struct task_struct *next, __u32 pid, bool btf,
				   __u64 now)
{
	struct rtnoise_parked *p = bpf_map_lookup_elem(&parked, &pid);
	struct rtnoise_frame *f;
	__u64 born, switches;
	__u32 i, k;

	if (!p)
		return;
	identity(next, btf, &born, &switches);
	if (p->cpu != cpu || p->born != born || p->switches != switches) {
		unpark_drop(pid, p, true);
		return;
	}
	for (i = 0; i < RTNOISE_BPF_MAX_DEPTH - 1; i++) {
		if (i >= p->n)
			break;
		k = rtnoise_join_idx(i, RTNOISE_BPF_MAX_DEPTH - 1);
		if (k >= RTNOISE_BPF_MAX_DEPTH - 1)
			break;
		f = &st->f[k + 1];
		*f = p->f[k];
		f->start = now;
		f->nested = 0;
	}
	st->depth = 1 + i;
	unpark_drop(pid, p, false);
}

/* switch_stack - the stack of @pid, leaving the CPU now */
static __noinline void switch_stack(void *ctx, struct rtnoise_cpu_state *st,
				    __u32 pid)
{
	long n;

	if (!st)
		return;
	n = bpf_get_stack(ctx, st->stack, sizeof(st->stack), 0);
	st->stack_bytes = n > 0 ? n : 0;
	st->stack_kind = RTNOISE_KIND_THREAD;
	st->stack_of = pid;
}

/* Before 5.14 a task's state is task_struct.state (a long). */
struct task_struct___state {
	long state;
} __attribute__((preserve_access_index));

/* task_state - @p's __state, where this kernel keeps it */
static __always_inline __u32 task_state(struct task_struct *p)
{
	struct task_struct___state *old = (void *)p;

	if (bpf_core_field_exists(p->__state))
		return BPF_CORE_READ(p, __state);
	return BPF_CORE_READ(old, state);
}

/* switches_of - @p's nvcsw + nivcsw: a thread that ran elsewhere differs */
static __always_inline __u64 switches_of(struct task_struct *p)
{
	return BPF_CORE_READ(p, nvcsw) + BPF_CORE_READ(p, nivcsw);
}

/* wl_switch - sched_switch here, for the workload's threads */
static __always_inline void wl_switch(void *ctx, struct rtnoise_cpu_state *st,
				      __u32 slot, __u32 cpu,
				      struct task_struct *prev,
				      struct task_struct *next, bool preempt,
				      __u32 prev_pid, __u32 next_pid, __u64 now)
{
	struct rtnoise_wl_hit hit = {};
	struct rtnoise_wl_thread *w;
	__u32 tid = st->wl_tid;
	int spike;

	if (!wl_enabled)
		return;
	if (tid && tid == prev_pid) {
		w = bpf_map_lookup_elem(&wl_threads, &tid);
		/* Preempted, whatever state it was going to sleep in. */
		if (w)
			wl_join(slot, tid,
				rtnoise_wl_out(w, st->wl_in, now,
					       preempt || task_state(prev) == 0,
					       switches_of(prev), wl_threshold_ns,
					       &hit),
				&hit);
	}
	st->wl_tid = 0;
	if (!next_pid || !armed)
		return;
	w = bpf_map_lookup_elem(&wl_threads, &next_pid);
	if (!w || (w->flags & RTNOISE_WL_EXITED))
		return;
	st->wl_tid = next_pid;
	st->wl_in = now;
	spike = rtnoise_wl_in(w, cpu, now, switches_of(next), wl_threshold_ns,
			      &hit);
	/* What held the CPU until now, as it leaves, if it is the cause. */
	if (spike && hit.type == RTNOISE_WL_WAKEUP && prev_pid)
		switch_stack(ctx, st, prev_pid);
	wl_join(slot, next_pid, spike, &hit);
}

/*
 * on_switch - close the previous thread's frame, open the next one's.
 * @btf: tp_btf can load task fields directly; raw_tp must probe them.
 */
static __always_inline int on_switch(void *ctx, bool preempt,
				     struct task_struct *prev,
				     struct task_struct *next, bool btf)
{
	struct rtnoise_cpu_state *st;
	struct rtnoise_ring_head *h;
	struct rtnoise_frame *f;
	__u32 slot, cpu, prev_pid, next_pid, s;
	__u64 now, gross, net;

	st = enter(&slot, &cpu);
	if (!st)
		return 0;

	now = bpf_ktime_get_ns();
	/* Under the runqueue lock, IRQs off: nothing preempts this one. */
	st->switches++;
	f = &st->f[0];
	/*
	 * Charge prev, not the pid saved at switch-in: the tracepoint's
	 * stream is not always continuous (a switch we did not see), and
	 * the source's name and sampler flag come from prev. The idle task
	 * (pid 0) is no source, but its time is a spike's cause.
	 */
	prev_pid = btf ? prev->pid : BPF_CORE_READ(prev, pid);
	next_pid = btf ? next->pid : BPF_CORE_READ(next, pid);
	/*
	 * The sampler's thread gets the CPU from a thread the timer did not
	 * find there (it woke from idle with the timer, or came from another
	 * context): keep where that thread held the CPU until now, its
	 * stack as it leaves, if it turns out to be the spike's cause.
	 */
	if (next_pid && next_pid == st->sampler_pid && prev_pid &&
	    (!st->stack_bytes || st->stack_kind != RTNOISE_KIND_THREAD ||
	     st->stack_of != prev_pid))
		switch_stack(ctx, st, prev_pid);
	if (st->depth > 1)
		park(st, slot, cpu, prev, prev_pid, btf, now);
	if (st->depth >= 1 && f->kind == RTNOISE_KIND_THREAD) {
		gross = now - f->start;
		net = net_of(slot, gross, f->nested);
		if (prev_pid)
			record(slot, cpu, st, RTNOISE_KIND_THREAD, prev_pid,
			       f->start, now, net, 0, 0, prev, NAME_TASK);
		else
			record(slot, cpu, st, RTNOISE_KIND_IDLE, st->idle_state,
			       f->start, now, net, 0, 0, NULL, NAME_NONE);
	}

	f->start = now;
	f->nested = 0;
	f->id = next_pid;
	f->kind = RTNOISE_KIND_THREAD;
	f->flags = 0;
	st->depth = 1;
	wl_switch(ctx, st, slot, cpu, prev, next, preempt, prev_pid, next_pid,
		  now);
	s = slot - 1;
	h = bpf_map_lookup_elem(&heads, &s);
	if (h && h->parked)
		unpark(st, cpu, next, next_pid, btf, now);
	leave(st);
	return 0;
}

/* on_nmi - NMIs come with their duration; charge it to what they hit */
static __always_inline int on_nmi(void *handler, __s64 delta)
{
	struct rtnoise_cpu_state *st;
	__u32 slot, cpu, d;
	__u64 now;

	if (delta <= 0)
		return 0;
	st = enter(&slot, &cpu);
	if (!st)
		return 0;
	now = bpf_ktime_get_ns();
	d = st->depth;
	if (d >= 1 && d <= RTNOISE_BPF_MAX_DEPTH)
		st->f[(d - 1) & (RTNOISE_BPF_MAX_DEPTH - 1)].nested += delta;
	record(slot, cpu, st, RTNOISE_KIND_NMI, (__u64)handler, now - delta,
	       now, delta, d, 0, NULL, NAME_NONE);
	leave(st);
	return 0;
}

/* on_tick_stop - the tick could not stop: count the dependency */
static __always_inline int on_tick_stop(int success, int dependency)
{
	struct rtnoise_cpu_state *st;
	__u32 slot, cpu;
	__u64 now;

	if (success)
		return 0;
	st = enter(&slot, &cpu);
	if (!st)
		return 0;
	now = bpf_ktime_get_ns();
	record(slot, cpu, st, RTNOISE_KIND_TICK, (__u32)dependency, now, now,
	       0, 0, 0, NULL, NAME_NONE);
	leave(st);
	return 0;
}

/*
 * origin - @kind/@id will run on @target because of what runs here now.
 * Called in the causing context, on any CPU: the filter is on @target.
 */
static __always_inline int origin(__u32 target, __u32 kind, __u64 id,
				  __u64 via)
{
	struct rtnoise_origin_key key = { .cpu = target, .kind = kind, .id = id };
	struct rtnoise_origin_val *v, init = {};

	if (target >= RTNOISE_BPF_MAX_CPUS || !slot_of[target] || !armed)
		return 0;
	key.from_cpu = bpf_get_smp_processor_id();
	key.from_pid = (__u32)bpf_get_current_pid_tgid();
	v = bpf_map_lookup_elem(&origins, &key);
	if (!v) {
		bpf_get_current_comm(init.comm, sizeof(init.comm));
		bpf_map_update_elem(&origins, &key, &init, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&origins, &key);
		if (!v) {
			count(slot_of[target] - 1, LOST_ORIGIN, 1);
			return 0;
		}
	}
	/*
	 * from_cpu is in the key: only this CPU writes this entry, so a
	 * plain increment will do (a nested wakeup of the same key from an
	 * IRQ could lose one count; that is all).
	 */
	v->count++;
	if (via && v->via != via)
		v->via = via;
	return 0;
}

/* Before 5.16 (and off x86) a task's CPU is task_struct.cpu. */
struct task_struct___cpu {
	unsigned int cpu;
} __attribute__((preserve_access_index));

/* task_cpu - the CPU @p is on, where this kernel keeps it */
static __always_inline __u32 task_cpu(struct task_struct *p, bool btf)
{
	struct task_struct___cpu *old = (void *)p;

	if (bpf_core_field_exists(p->thread_info.cpu))
		return btf ? p->thread_info.cpu : BPF_CORE_READ(p, thread_info.cpu);
	return btf ? old->cpu : BPF_CORE_READ(old, cpu);
}

/*
 * wl_waking - a thread of a watched CPU is woken: if it is the workload's,
 * when, and when the hrtimer expiring here (if that is what wakes it)
 * was due.
 */
static __always_inline void wl_waking(struct task_struct *p, bool btf)
{
	__u32 tid = btf ? p->pid : BPF_CORE_READ(p, pid);
	struct rtnoise_wl_thread *w = bpf_map_lookup_elem(&wl_threads, &tid);
	__u32 zero = 0;
	__u64 *due;

	if (!w)
		return;
	due = bpf_map_lookup_elem(&wl_due, &zero);
	rtnoise_wl_waking(w, bpf_ktime_get_ns(), due ? *due : 0,
			  switches_of(p));
}

/*
 * on_waking - a thread is woken from another CPU: by whom. The hottest
 * of these programs, so local wakeups stop at once: what woke a thread
 * on its own CPU (a timer, an IRQ, a sibling thread) is among that
 * CPU's own sources already.
 */
static __always_inline int on_waking(struct task_struct *p, bool btf)
{
	__u32 cpu = task_cpu(p, btf);

	if (cpu >= RTNOISE_BPF_MAX_CPUS || !slot_of[cpu])
		return 0;
	if (wl_enabled)
		wl_waking(p, btf);
	if (cpu == bpf_get_smp_processor_id())
		return 0;
	return origin(cpu, RTNOISE_KIND_THREAD,
		      btf ? p->pid : BPF_CORE_READ(p, pid), 0);
}

/*
 * The callers below read through BTF pointers directly in the tp_btf
 * twin (@btf), through probe reads in the raw_tp one.
 */

/* on_queue_work - work queued for a CPU's pool (unbound pools: -1) */
static __always_inline int on_queue_work(struct pool_workqueue *pwq,
					 struct work_struct *work, bool btf)
{
	int cpu = btf ? pwq->pool->cpu : BPF_CORE_READ(pwq, pool, cpu);

	if (cpu < 0)
		return 0;
	return origin(cpu, RTNOISE_KIND_WORKQUEUE,
		      (__u64)(btf ? work->func : BPF_CORE_READ(work, func)), 0);
}

/* on_hrtimer_start - an hrtimer armed on a CPU's base */
static __always_inline int on_hrtimer_start(struct hrtimer *t, bool btf)
{
	__u32 cpu = btf ? t->base->cpu_base->cpu
			: BPF_CORE_READ(t, base, cpu_base, cpu);

	return origin(cpu, RTNOISE_KIND_HRTIMER,
		      (__u64)(btf ? t->function : BPF_CORE_READ(t, function)), 0);
}

#define TIMER_CPU_MASK	0x0003FFFF	/* include/linux/timer.h TIMER_CPUMASK */

/* on_timer_start - a timer_list armed; its CPU is in its flags */
static __always_inline int on_timer_start(struct timer_list *t, bool btf)
{
	__u32 flags = btf ? t->flags : BPF_CORE_READ(t, flags);

	return origin(flags & TIMER_CPU_MASK, RTNOISE_KIND_TIMER,
		      (__u64)(btf ? t->function : BPF_CORE_READ(t, function)), 0);
}

/* on_ipi_cpu - ipi_send_cpu (6.6+): a function call, or a reschedule */
static __always_inline int on_ipi_cpu(__u32 cpu, void *callback)
{
	return origin(cpu, RTNOISE_KIND_IPI,
		      callback ? RTNOISE_IPI_CALL_FUNCTION_SINGLE
			       : RTNOISE_IPI_RESCHEDULE,
		      (__u64)callback);
}

/* on_ipi_mask - IPIs to a mask: one origin per watched target */
static __always_inline int on_ipi_mask(const struct cpumask *mask,
				       void *callback)
{
	__u32 i, cpu;
	__u64 word;

	for (i = 0; i < nr_slots && i < RTNOISE_BPF_MAX_CPUS; i++) {
		cpu = slot_cpu[i];
		if (cpu >= RTNOISE_BPF_MAX_CPUS ||
		    bpf_probe_read_kernel(&word, sizeof(word),
					  (const __u64 *)mask + cpu / 64))
			continue;
		if (word & (1ULL << (cpu % 64)))
			origin(cpu, RTNOISE_KIND_IPI, RTNOISE_IPI_CALL_FUNCTION,
			       (__u64)callback);
	}
	return 0;
}

/*
 * on_exec - a thread on a watched CPU exec'd: its source takes the new
 * name (a process started with taskset was first seen as the shell).
 */
static __always_inline int on_exec(struct task_struct *p)
{
	struct rtnoise_src_key key = { .kind = RTNOISE_KIND_THREAD };
	struct rtnoise_src_slot *e;
	struct rtnoise_src_val *v;
	__u32 slot;

	if (!watched(&slot, &key.cpu))
		return 0;
	key.id = BPF_CORE_READ(p, pid);
	e = cpu_source(slot, key.kind, key.id);
	if (e && e->state == RTNOISE_SRC_READY && e->id == key.id &&
	    e->kind == key.kind)
		BPF_CORE_READ_STR_INTO(&e->v.name, p, comm);
	v = bpf_map_lookup_elem(&sources, &key);
	if (v)
		BPF_CORE_READ_STR_INTO(&v->name, p, comm);
	return 0;
}

struct rename {
	const char *comm;
	__u64 pid;
};

/* rename_slot - slot @i's source of the thread, if it has one, takes the name */
static long rename_slot(__u32 i, struct rename *r)
{
	struct rtnoise_src_key key = { .kind = RTNOISE_KIND_THREAD, .id = r->pid };
	struct rtnoise_src_slot *e;
	struct rtnoise_src_val *v;

	if (i >= RTNOISE_BPF_MAX_CPUS)
		return 1;
	key.cpu = slot_cpu[i];
	e = cpu_source(i + 1, key.kind, key.id);
	if (e && e->state == RTNOISE_SRC_READY && e->id == key.id &&
	    e->kind == key.kind)
		bpf_probe_read_kernel_str(e->v.name, 16, r->comm);
	v = bpf_map_lookup_elem(&sources, &key);
	if (v)
		bpf_probe_read_kernel_str(v->name, 16, r->comm);
	return 0;
}

/*
 * on_rename - a thread named itself (prctl(PR_SET_NAME), QEMU's vCPU
 * threads, DPDK's lcores): its sources on every watched CPU take the name.
 * A bpf_loop: 6.1's verifier refuses the loop clang makes of this body
 * ("back-edge" into a helper call's fall-through).
 */
static __always_inline int on_rename(struct task_struct *p, const char *comm,
				     bool btf)
{
	struct rename r = { .comm = comm };

	r.pid = btf ? p->pid : BPF_CORE_READ(p, pid);
#ifdef RTNOISE_COMPAT
	/* No bpf_loop before 5.17; that verifier takes this bounded loop. */
	for (__u32 i = 0; i < RTNOISE_BPF_MAX_CPUS; i++) {
		if (i >= nr_slots)
			break;
		rename_slot(i, &r);
	}
#else
	bpf_loop(nr_slots, rename_slot, &r, 0);
#endif
	return 0;
}

/* on_cpu_idle - remember the idle state a watched CPU enters */
static __always_inline int on_cpu_idle(__u32 state)
{
	struct rtnoise_cpu_state *st;
	__u32 slot, cpu;

	if (state == (__u32)-1)	/* PWR_EVENT_EXIT */
		return 0;
	st = watched(&slot, &cpu);
	if (st)
		st->idle_state = state;
	return 0;
}

/*
 * on_sampler_timer - the sampler's timer fires: keep the stack of what it
 * interrupted (what holds the CPU when the timer is due, as timerlat's
 * auto-analysis shows it) for the spike join.
 */
static __always_inline void on_sampler_timer(void *ctx,
					     struct rtnoise_cpu_state *st)
{
	__u32 d = st->depth, i;
	long n;
	struct rtnoise_frame *f;

	st->stack_bytes = 0;
	if (d < 1 || d > RTNOISE_BPF_MAX_DEPTH)
		return;
	i = d - 1;
	f = &st->f[rtnoise_join_idx(i, RTNOISE_BPF_MAX_DEPTH - 1)];
	if (i >= 1 && f->kind == RTNOISE_KIND_LOCAL_TIMER) {
		i--;	/* the interrupt that delivers this timer */
		f = &st->f[rtnoise_join_idx(i, RTNOISE_BPF_MAX_DEPTH - 1)];
	}
	if (i == 0 && (!f->id || f->id == st->sampler_pid))
		return;	/* idle, or the sampler itself */
	st->stack_kind = f->kind;
	st->stack_of = f->id;
	/*
	 * Into this CPU's state, not a stack map: a map of stacks taken
	 * every period fills up, and later stacks find their bucket taken.
	 * Only a spike copies it out.
	 */
	n = bpf_get_stack(ctx, st->stack, sizeof(st->stack), 0);
	st->stack_bytes = n > 0 ? n : 0;
}

static __always_inline int on_hrtimer_entry(void *ctx, struct hrtimer *t)
{
	__u64 fn = (__u64)BPF_CORE_READ(t, function);
	struct rtnoise_cpu_state *st;
	__u32 slot, cpu, zero = 0;
	__u64 *due;

	if (wl_enabled) {
		due = bpf_map_lookup_elem(&wl_due, &zero);
		if (due)
			*due = BPF_CORE_READ(t, _softexpires);
	}

	if (sampler_fn && fn == sampler_fn) {
		st = watched(&slot, &cpu);
		if (st && armed)
			on_sampler_timer(ctx, st);
		return push(RTNOISE_KIND_HRTIMER, fn, FRAME_SAMPLER);
	}
	return push(RTNOISE_KIND_HRTIMER, fn, 0);
}

/* on_hrtimer_exit - an hrtimer callback returns */
static __always_inline int on_hrtimer_exit(void)
{
	__u32 zero = 0;
	__u64 *due;

	if (wl_enabled) {
		due = bpf_map_lookup_elem(&wl_due, &zero);
		if (due)
			*due = 0;
	}
	return pop(RTNOISE_KIND_HRTIMER, NULL, NAME_NONE);
}

/* --- the spike join, at spike time ----------------------------------------- */

struct walk {
	struct rtnoise_join *j;
	__u64 head;		/* the ring's head when the spike came */
	__u64 from;
	__u64 first;		/* oldest event of the window */
	__u32 s;
	__u32 cut;		/* the window reaches past the ring */
	__u32 stopped;
	__u32 blame_all;	/* the sampler's own events are causes too */
};

/* walk_back - step back from the newest event to the window's start */
static __attribute__((unused)) long walk_back(__u32 i, struct walk *w)
{
	struct rtnoise_event *e;
	__u64 seq;
	__u32 idx;

	if (i >= w->head)
		return 1;	/* the ring's first event: all is there */
	seq = w->head - 1 - i;
	idx = w->s * ring_size + (seq & (ring_size - 1));
	e = bpf_map_lookup_elem(&events, &idx);
	if (!e)
		return 1;
	if (e->seq != seq + 1) {
		w->cut = 1;	/* overwritten since: the window's past is gone */
		w->stopped = 1;
		return 1;
	}
	if (e->end_ns <= w->from) {
		w->stopped = 1;
		return 1;
	}
	w->first = seq;
	return 0;
}

/* walk_forward - feed the window's events to the join, oldest first */
static __attribute__((unused)) long walk_forward(__u32 i, struct walk *w)
{
	__u64 seq = w->first + i, s1;
	struct rtnoise_join_ev ev = {};
	struct rtnoise_event *e;
	__u32 idx;

	if (seq >= w->head)
		return 1;
	idx = w->s * ring_size + (seq & (ring_size - 1));
	e = bpf_map_lookup_elem(&events, &idx);
	if (!e)
		return 1;
	s1 = e->seq;
	barrier();
	ev.start = e->start_ns;
	ev.end = e->end_ns;
	ev.id = e->id;
	ev.kind = e->kind;
	ev.depth = e->depth;
	ev.flags = e->flags;
	if (w->blame_all)
		ev.flags &= ~RTNOISE_EV_NOT_CAUSE;
	barrier();
	if (s1 != seq + 1 || e->seq != s1) {
		w->cut = 1;	/* overwritten while we looked */
		return 0;
	}
	rtnoise_join_event(w->j, &ev);
	return 0;
}

/*
 * explain_spike - rtnoise.ko recorded a spike on this CPU: paint its
 * window with this CPU's events and open contexts, and keep the largest
 * causes with it.
 */
static __always_inline int explain_spike(__u32 cpu_arg, __u32 type, __u64 seq,
					 __u64 expected, __u64 observed,
					 __u64 smis, __u64 steal)
{
	struct rtnoise_cpu_state *st;
	struct rtnoise_spike_causes *out;
	struct rtnoise_ring_head *h;
	struct rtnoise_join_ev ev = {};
	struct rtnoise_frame *f;
	struct rtnoise_join *j;
	struct walk w = {};
	__u32 slot, cpu, zero = 0, idx, d, k, sampler_at;
	__u64 now_pid;
	int i;

	st = watched(&slot, &cpu);
	if (!st || !armed || cpu != cpu_arg || type > 1 || !causes_capacity)
		return 0;
	j = bpf_map_lookup_elem(&join_scratch, &zero);
	h = bpf_map_lookup_elem(&heads, &(__u32){ slot - 1 });
	if (!j || !h)
		return 0;
	idx = ((slot - 1) * 2 + type) * causes_capacity +
	      (__u32)(seq & (causes_capacity - 1));
	out = bpf_map_lookup_elem(&causes, &idx);
	if (!out)
		return 0;

	rtnoise_join_init(j, expected, observed);
	w.j = j;
	w.s = slot - 1;
	w.from = expected;
	w.head = h->head;
	w.first = w.head;
#ifdef RTNOISE_COMPAT
	return 0;
#endif
	bpf_loop(ring_size, walk_back, &w, 0);
	if (!w.stopped && w.head > ring_size)
		w.cut = 1;	/* the whole ring is inside the window */
	if (w.head > w.first)
		bpf_loop(w.head - w.first, walk_forward, &w, 0);

	/* The contexts still open end at the window's end, innermost first. */
	d = st->depth;
	sampler_at = RTNOISE_BPF_MAX_DEPTH;
	for (k = 0; k < RTNOISE_BPF_MAX_DEPTH; k++) {
		if (k < d && (st->f[k].flags & FRAME_SAMPLER)) {
			sampler_at = k;
			break;
		}
	}
	now_pid = (__u32)bpf_get_current_pid_tgid();
	for (i = RTNOISE_BPF_MAX_DEPTH - 1; i >= 0; i--) {
		if (i >= d)
			continue;
		f = &st->f[rtnoise_join_idx(i, RTNOISE_BPF_MAX_DEPTH - 1)];
		ev.kind = f->kind;
		ev.id = f->id;
		ev.start = f->start;
		ev.end = observed;
		ev.depth = i;
		ev.flags = 0;
		if ((f->flags & FRAME_SAMPLER) || i + 1 == sampler_at ||
		    (i > 0 && (f->flags & FRAME_SAMPLER_INSIDE)))
			ev.flags = RTNOISE_EV_NOT_CAUSE;
		if (i == 0 && !ev.id) {
			ev.kind = RTNOISE_KIND_IDLE;
			ev.id = st->idle_state;
		} else if (i == 0 && (ev.id == st->sampler_pid || ev.id == now_pid)) {
			ev.flags = RTNOISE_EV_NOT_CAUSE;
		}
		rtnoise_join_event(j, &ev);
	}

	out->seq = 0;
	barrier();
	out->expected_ns = expected;
	out->observed_ns = observed;
	out->steal_ns = 0;
	out->smi_ns = 0;
	out->smis = 0;
	rtnoise_join_finish(j, out);
	rtnoise_join_evidence(out, steal, smis);
	out->flags = w.cut ? RTNOISE_SPIKE_CUT : 0;
	out->stack_nr = 0;
	out->stack_kind = 0;
	out->stack_of = 0;
	if (out->nr && st->stack_bytes && out->c[0].kind == st->stack_kind &&
	    out->c[0].id == st->stack_of) {
		__builtin_memcpy(out->stack, st->stack, sizeof(out->stack));
		out->stack_nr = st->stack_bytes / sizeof(__u64);
		out->stack_kind = st->stack_kind;
		out->stack_of = st->stack_of;
	}
	barrier();
	out->seq = seq + 1;

	__sync_fetch_and_add(&h->spikes, 1);
	if (w.cut)
		__sync_fetch_and_add(&h->spikes_cut, 1);
	return 0;
}

/* --- the workload's spikes, and what it does to itself -------------------- */

/*
 * rtnoise_wl_join - a spike of the workload thread @tid on this CPU (slot
 * @slot), of @type (RTNOISE_WL_*, and 1 << 8 for a wakeup by its timer):
 * keep it in the CPU's ring of workload spikes, with the join of
 * its window [@from, @to] over the CPU's events, which have all ended by
 * @to. Everything that ran there is a cause, rtnoise.ko's own sampler
 * too: it took the time from the workload as much as anything else.
 * Global, so the verifier checks it once, not in every caller.
 */
__noinline int rtnoise_wl_join(__u32 slot, __u32 tid, __u32 type, __u64 from,
			       __u64 to)
{
	struct rtnoise_wl_thread *w;
	struct rtnoise_cpu_state *st;
	struct rtnoise_wl_spike *out;
	struct rtnoise_ring_head *h;
	struct rtnoise_join *j;
	struct walk wk __attribute__((unused)) = {};
	__u32 zero = 0, s, idx;
	__u64 pos;

	if (!slot || slot > RTNOISE_BPF_MAX_CPUS)
		return 0;
	s = slot - 1;
	h = bpf_map_lookup_elem(&heads, &s);
	st = bpf_map_lookup_elem(&state, &zero);
	w = bpf_map_lookup_elem(&wl_threads, &tid);
	j = bpf_map_lookup_elem(&join_scratch, &zero);
	if (!h || !st || !w || !j)
		return 0;
#ifdef RTNOISE_COMPAT
	pos = h->wl_spikes;	/* one program at a time here (enter()) */
	h->wl_spikes = pos + 1;
#else
	pos = __sync_fetch_and_add(&h->wl_spikes, 1);
#endif
	idx = s * RTNOISE_WL_SPIKES + (__u32)(pos & (RTNOISE_WL_SPIKES - 1));
	out = bpf_map_lookup_elem(&wl_spikes, &idx);
	if (!out)
		return 0;
	out->seq = 0;
	barrier();
	out->from_ns = from;
	out->to_ns = to;
	out->waking_ns = w->waking_ns;
	out->tid = tid;
	out->type = type & 0xff;
	out->timer = type >> 8;
	__builtin_memcpy(out->comm, w->comm, sizeof(out->comm));
	out->joined = 0;
	out->c.nr = 0;
	out->c.flags = 0;
	out->c.stack_nr = 0;
	out->c.expected_ns = from;
	out->c.observed_ns = to;
#ifndef RTNOISE_COMPAT
	rtnoise_join_init(j, from, to);
	wk.j = j;
	wk.s = s;
	wk.from = from;
	wk.head = h->head;
	wk.first = wk.head;
	wk.blame_all = 1;
	bpf_loop(ring_size, walk_back, &wk, 0);
	if (!wk.stopped && wk.head > ring_size)
		wk.cut = 1;
	if (wk.head > wk.first)
		bpf_loop(wk.head - wk.first, walk_forward, &wk, 0);
	out->c.steal_ns = 0;
	out->c.smi_ns = 0;
	out->c.smis = 0;
	rtnoise_join_finish(j, &out->c);
	out->c.flags = wk.cut ? RTNOISE_SPIKE_CUT : 0;
	out->c.stack_kind = 0;
	out->c.stack_of = 0;
	if (out->c.nr && st->stack_bytes && out->c.c[0].kind == st->stack_kind &&
	    out->c.c[0].id == st->stack_of) {
		__builtin_memcpy(out->c.stack, st->stack, sizeof(out->c.stack));
		out->c.stack_nr = st->stack_bytes / sizeof(__u64);
		out->c.stack_kind = st->stack_kind;
		out->c.stack_of = st->stack_of;
	}
	out->joined = 1;
#endif
	barrier();
	out->seq = pos + 1;
	return 0;
}

/*
 * wl_follow - follow thread @tid of @tgid from now on, if its comm @c is
 * one the workload names, or @always.
 */
static __always_inline void wl_follow(__u32 tid, __u32 tgid,
				      struct rtnoise_wl_comm *c, bool always)
{
	struct rtnoise_wl_thread *w;
	struct rtnoise_meta *m;
	__u32 zero = 0;

	if (!always && !bpf_map_lookup_elem(&wl_comms, c))
		return;
	w = bpf_map_lookup_elem(&wl_threads, &tid);
	if (w) {
		/* Its tid again (a reused one), or a new name. */
		__builtin_memcpy(w->comm, c->comm, sizeof(w->comm));
		w->tgid = tgid;
		w->flags = 0;
		return;
	}
	w = bpf_map_lookup_elem(&wl_zero, &zero);
	if (!w)
		return;
	if (bpf_map_update_elem(&wl_threads, &tid, w, BPF_NOEXIST)) {
		m = bpf_map_lookup_elem(&meta, &zero);
		if (m)
			__sync_fetch_and_add(&m->wl_lost, 1);
		return;
	}
	/* Its entry, until these stores, is any thread's of no comm. */
	w = bpf_map_lookup_elem(&wl_threads, &tid);
	if (!w)
		return;
	w->tgid = tgid;
	w->cpu = ~0u;
	__builtin_memcpy(w->comm, c->comm, sizeof(w->comm));
}

/* wl_follow_task - wl_follow() of @p, by the comm it has now */
static __always_inline void wl_follow_task(struct task_struct *p, bool always)
{
	struct rtnoise_wl_comm c = {};

	BPF_CORE_READ_STR_INTO(&c.comm, p, comm);
	wl_follow(BPF_CORE_READ(p, pid), BPF_CORE_READ(p, tgid), &c, always);
}

/*
 * on_fork - a new task: the workload's if it has a named comm (a thread
 * takes its creator's), or is a thread of a followed one.
 */
static __always_inline int on_fork(struct task_struct *parent,
				   struct task_struct *child)
{
	__u32 ptid = BPF_CORE_READ(parent, pid);

	wl_follow_task(child, bpf_map_lookup_elem(&wl_threads, &ptid) &&
				      BPF_CORE_READ(child, tgid) ==
					      BPF_CORE_READ(parent, tgid));
	return 0;
}

/* on_exit - a followed thread exits: its figures stay for the report */
static __always_inline int on_exit(struct task_struct *p)
{
	__u32 tid = BPF_CORE_READ(p, pid);
	struct rtnoise_wl_thread *w = bpf_map_lookup_elem(&wl_threads, &tid);

	if (w)
		w->flags |= RTNOISE_WL_EXITED;
	return 0;
}

/*
 * wl_self - the workload thread running on this watched CPU, if the
 * current task is one: what it does to itself is counted there.
 */
static __always_inline struct rtnoise_wl_thread *wl_self(void)
{
	struct rtnoise_cpu_state *st;
	__u32 slot, cpu, tid;

	st = watched(&slot, &cpu);
	if (!st || !st->wl_tid)
		return NULL;
	tid = (__u32)bpf_get_current_pid_tgid();
	if (tid != st->wl_tid)
		return NULL;
	return bpf_map_lookup_elem(&wl_threads, &tid);
}

static __always_inline int on_fault(bool user)
{
	struct rtnoise_wl_thread *w = wl_self();

	if (w && user)
		w->faults_user++;
	else if (w)
		w->faults_kernel++;
	return 0;
}

static __always_inline int on_sys_enter(void)
{
	struct rtnoise_wl_thread *w = wl_self();

	if (w)
		rtnoise_wl_sys_enter(w, bpf_ktime_get_ns());
	return 0;
}

static __always_inline int on_sys_exit(void)
{
	struct rtnoise_wl_thread *w = wl_self();

	if (w)
		rtnoise_wl_sys_exit(w, bpf_ktime_get_ns());
	return 0;
}

static __always_inline int on_migrate(struct task_struct *p)
{
	__u32 tid = BPF_CORE_READ(p, pid);
	struct rtnoise_wl_thread *w = bpf_map_lookup_elem(&wl_threads, &tid);

	if (w)
		w->migrations++;
	return 0;
}

/* on_exec_wl - on_exec(), and the workload's if its new comm is named */
static __always_inline int on_exec_wl(struct task_struct *p)
{
	if (wl_enabled)
		wl_follow_task(p, false);
	return on_exec(p);
}

/*
 * on_rename_wl - on_rename(), and the workload's if its new comm is named
 * (QEMU names its vCPU threads so, after it started them).
 */
static __always_inline int on_rename_wl(struct task_struct *p,
					const char *comm, bool btf)
{
	struct rtnoise_wl_comm c = {};

	if (wl_enabled) {
		bpf_probe_read_kernel_str(c.comm, sizeof(c.comm), comm);
		wl_follow(BPF_CORE_READ(p, pid), BPF_CORE_READ(p, tgid), &c,
			  false);
	}
	return on_rename(p, comm, btf);
}

/* TWIN - a tp_btf program and its raw_tp fallback over one handler. */
/* @call may use "btf": true in the tp_btf twin, false in the raw_tp one. */
#define TWIN(tp, call, args...)                                              \
	SEC("tp_btf/" #tp)                                                   \
	int BPF_PROG(tp##_btf, args)                                         \
	{                                                                    \
		const bool btf __attribute__((unused)) = true;               \
		return call;                                                 \
	}                                                                    \
	SEC("raw_tp/" #tp)                                                   \
	int BPF_PROG(tp##_raw, args)                                         \
	{                                                                    \
		const bool btf __attribute__((unused)) = false;              \
		return call;                                                 \
	}

/* IPI_TWINS - entry and exit of one x86 system vector. */
#define IPI_TWINS(name, ipi)                                                 \
	TWIN(name##_entry, push_vector(RTNOISE_KIND_IPI, ipi), int vector)     \
	TWIN(name##_exit, pop(RTNOISE_KIND_IPI, NULL, NAME_NONE), int vector)

TWIN(sched_switch, on_switch(ctx, preempt, prev, next, btf), bool preempt,
     struct task_struct *prev,
     struct task_struct *next)

TWIN(sched_process_exec, on_exec_wl(p), struct task_struct *p, pid_t old_pid,
     struct linux_binprm *bprm)
TWIN(task_rename, on_rename_wl(task, comm, btf), struct task_struct *task,
     const char *comm)
TWIN(cpu_idle, on_cpu_idle(state), unsigned int state, unsigned int cpu_id)

/* Origins: these run where the cause is, not on the watched CPU. */
TWIN(sched_waking, on_waking(p, btf), struct task_struct *p)
TWIN(workqueue_queue_work, on_queue_work(pwq, work, btf), int req_cpu,
     struct pool_workqueue *pwq, struct work_struct *work)
TWIN(hrtimer_start, on_hrtimer_start(hrtimer, btf), struct hrtimer *hrtimer)
TWIN(timer_start, on_timer_start(timer, btf), struct timer_list *timer)
TWIN(ipi_send_cpu, on_ipi_cpu(cpu, callback), const unsigned int cpu,
     unsigned long callsite, void *callback)
TWIN(ipi_send_cpumask, on_ipi_mask(cpumask, callback),
     const struct cpumask *cpumask, unsigned long callsite, void *callback)

/*
 * Before 6.6 there are no ipi_send_* tracepoints on x86: the senders
 * behind smp_ops instead. The loader keeps these only where the
 * tracepoints are missing and the functions are in the kernel's BTF.
 */
SEC("fentry/native_smp_send_reschedule")
int BPF_PROG(native_smp_send_reschedule_fentry, int cpu)
{
	return origin(cpu, RTNOISE_KIND_IPI, RTNOISE_IPI_RESCHEDULE, 0);
}

SEC("fentry/native_send_call_func_single_ipi")
int BPF_PROG(native_send_call_func_single_ipi_fentry, int cpu)
{
	return origin(cpu, RTNOISE_KIND_IPI, RTNOISE_IPI_CALL_FUNCTION_SINGLE, 0);
}

SEC("fentry/native_send_call_func_ipi")
int BPF_PROG(native_send_call_func_ipi_fentry, const struct cpumask *mask)
{
	return on_ipi_mask(mask, NULL);
}

TWIN(irq_handler_entry, push(RTNOISE_KIND_IRQ, irq, 0), int irq,
     struct irqaction *action)
TWIN(irq_handler_exit, pop(RTNOISE_KIND_IRQ, action, NAME_IRQ),
     int irq, struct irqaction *action, int ret)

TWIN(softirq_entry, push(RTNOISE_KIND_SOFTIRQ, vec_nr, 0), unsigned int vec_nr)
TWIN(softirq_exit, pop(RTNOISE_KIND_SOFTIRQ, NULL, NAME_NONE), unsigned int vec_nr)

TWIN(local_timer_entry, push_vector(RTNOISE_KIND_LOCAL_TIMER, 0), int vector)
TWIN(local_timer_exit, pop(RTNOISE_KIND_LOCAL_TIMER, NULL, NAME_NONE), int vector)

IPI_TWINS(call_function, RTNOISE_IPI_CALL_FUNCTION)
IPI_TWINS(call_function_single, RTNOISE_IPI_CALL_FUNCTION_SINGLE)
IPI_TWINS(reschedule, RTNOISE_IPI_RESCHEDULE)
IPI_TWINS(irq_work, RTNOISE_IPI_IRQ_WORK)
IPI_TWINS(x86_platform_ipi, RTNOISE_IPI_X86_PLATFORM)
IPI_TWINS(thermal_apic, RTNOISE_IPI_THERMAL)
IPI_TWINS(threshold_apic, RTNOISE_IPI_THRESHOLD)
IPI_TWINS(deferred_error_apic, RTNOISE_IPI_DEFERRED_ERROR)
IPI_TWINS(error_apic, RTNOISE_IPI_ERROR_APIC)
IPI_TWINS(spurious_apic, RTNOISE_IPI_SPURIOUS_APIC)

TWIN(nmi_handler, on_nmi(handler, delta_ns), void *handler, __s64 delta_ns,
     int handled)

TWIN(hrtimer_expire_entry, on_hrtimer_entry(ctx, hrtimer), struct hrtimer *hrtimer,
     ktime_t *now)
TWIN(hrtimer_expire_exit, on_hrtimer_exit(), struct hrtimer *hrtimer)

TWIN(timer_expire_entry,
     push(RTNOISE_KIND_TIMER, (__u64)BPF_CORE_READ(timer, function), 0),
     struct timer_list *timer, unsigned long baseclk)
TWIN(timer_expire_exit, pop(RTNOISE_KIND_TIMER, NULL, NAME_NONE), struct timer_list *timer)

TWIN(workqueue_execute_start,
     push(RTNOISE_KIND_WORKQUEUE, (__u64)BPF_CORE_READ(work, func), 0),
     struct work_struct *work)
TWIN(workqueue_execute_end, pop(RTNOISE_KIND_WORKQUEUE, NULL, NAME_NONE),
     struct work_struct *work, work_func_t function)

TWIN(tick_stop, on_tick_stop(success, dependency), int success, int dependency)

/* The workload's own: loaded only when --workload names threads. */
TWIN(sched_process_fork, on_fork(parent, child), struct task_struct *parent,
     struct task_struct *child)
TWIN(sched_process_exit, on_exit(p), struct task_struct *p)
TWIN(sched_migrate_task, on_migrate(p), struct task_struct *p, int dest_cpu)
TWIN(page_fault_user, on_fault(true), unsigned long address,
     struct pt_regs *regs, unsigned long error_code)
TWIN(page_fault_kernel, on_fault(false), unsigned long address,
     struct pt_regs *regs, unsigned long error_code)
TWIN(sys_enter, on_sys_enter(), struct pt_regs *regs, long id)
TWIN(sys_exit, on_sys_exit(), struct pt_regs *regs, long ret)

/*
 * rtnoise.ko's own tracepoint (kmod/rtnoise_trace.h): a spike was just
 * recorded on this CPU. Module tracepoints have no BTF here: raw_tp only.
 */
SEC("raw_tp/rtnoise_spike")
int BPF_PROG(rtnoise_spike_raw, unsigned int cpu, unsigned int type, __u64 seq,
	     __u64 expected_ns, __u64 observed_ns, __u64 smis, __u64 steal_ns)
{
	return explain_spike(cpu, type, seq, expected_ns, observed_ns, smis,
			     steal_ns);
}
