/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * rtnoise_workload.h - the accounting of a workload thread, in plain C:
 * compiled into the BPF programs, which feed it the scheduler's events of
 * the thread, and into the unit tests, which feed it recorded sequences.
 *
 * A thread's wakeup latency runs from when it was made runnable to when
 * it gets its CPU: from when the hrtimer that woke it was due, if one did
 * (a timer-driven loop, measured as cyclictest measures itself), else
 * from sched_waking. Time taken from it is each span it was runnable and
 * not running: switched out while runnable (preempted), or interrupted
 * while running (an IRQ, softirq, IPI, the local timer: the callers end
 * those). Either kind that reaches the threshold is a spike, which the
 * caller joins with the CPU's events.
 *
 * Each pending mark (woken, preempted) is good only if the thread has not
 * run anywhere since: the count of its switches (nvcsw + nivcsw) then
 * must be the same when it gets the CPU here. A thread that ran on an
 * unwatched CPU meanwhile leaves a stale mark, which is dropped.
 */
#ifndef RTNOISE_WORKLOAD_H
#define RTNOISE_WORKLOAD_H

#include "rtnoise_bpf.h"

/* A spike the accounting found: the caller joins its window. */
struct rtnoise_wl_hit {
	__u64 from;
	__u64 to;
	__u32 type;	/* RTNOISE_WL_WAKEUP or RTNOISE_WL_TAKEN */
	__u32 timer;	/* a wakeup by its hrtimer: from is when it was due */
};

/*
 * rtnoise_wl_waking - @w is made runnable at @now; @due is when the
 * hrtimer expiring on the waking CPU was due (0: none is), @mark its
 * switches so far.
 */
static inline void rtnoise_wl_waking(struct rtnoise_wl_thread *w, __u64 now,
				     __u64 due, __u64 mark)
{
	if (w->flags & RTNOISE_WL_EXITED)
		return;
	w->waking_ns = now;
	w->due_ns = due && due <= now ? due : 0;
	w->mark = mark;
	w->flags |= RTNOISE_WL_WOKEN;
}

static inline int rtnoise_wl_latency(struct rtnoise_wl_thread *w, __u64 now,
				     __u64 threshold,
				     struct rtnoise_wl_hit *hit);

/*
 * rtnoise_wl_out - @w leaves its CPU at @now, which it got at @in;
 * @runnable: preempted (it stays on the runqueue), @mark its switches
 * with this one. A wakeup still pending came while it was on its CPU,
 * on its way to sleep (its timer due before it slept): it went on at
 * once, so its latency ends at the wakeup. 1 with @hit set for a spike.
 */
static inline int rtnoise_wl_out(struct rtnoise_wl_thread *w, __u64 in,
				 __u64 now, int runnable, __u64 mark,
				 __u64 threshold, struct rtnoise_wl_hit *hit)
{
	int spike = 0;

	if (w->flags & RTNOISE_WL_WOKEN) {
		w->flags &= ~RTNOISE_WL_WOKEN;
		spike = rtnoise_wl_latency(w, w->waking_ns, threshold, hit);
	}
	w->run_ns += now > in ? now - in : 0;
	if (w->flags & RTNOISE_WL_SYSCALL)
		w->syscall_ns += now > w->sys_enter_ns ? now - w->sys_enter_ns : 0;
	if (runnable) {
		w->involuntary++;
		w->off_ns = now;
		w->mark = mark;
		w->flags |= RTNOISE_WL_RUNNABLE;
	} else {
		w->voluntary++;
		w->flags &= ~RTNOISE_WL_RUNNABLE;
	}
	return spike;
}

/*
 * rtnoise_wl_taken - @w lost [@from, @to] while runnable: its longest
 * single interruption, and a spike if it reaches @threshold (1 then,
 * with @hit set).
 */
static inline int rtnoise_wl_taken(struct rtnoise_wl_thread *w, __u64 from,
				   __u64 to, __u64 threshold,
				   struct rtnoise_wl_hit *hit)
{
	__u64 taken = to > from ? to - from : 0;

	if (taken > w->max_taken_ns)
		w->max_taken_ns = taken;
	if (taken < threshold)
		return 0;
	w->spikes++;
	hit->from = from;
	hit->to = to;
	hit->type = RTNOISE_WL_TAKEN;
	hit->timer = 0;
	return 1;
}

/* rtnoise_wl_latency - @w, woken, runs at @now: one wakeup latency */
static inline int rtnoise_wl_latency(struct rtnoise_wl_thread *w, __u64 now,
				     __u64 threshold,
				     struct rtnoise_wl_hit *hit)
{
	__u64 from = w->due_ns ? w->due_ns : w->waking_ns;
	__u64 lat = now > from ? now - from : 0, b = lat / 1000;

	if (!w->wakeups || lat < w->min_ns)
		w->min_ns = lat;
	if (lat > w->max_ns)
		w->max_ns = lat;
	w->wakeups++;
	if (w->due_ns)
		w->timer_wakeups++;
	w->sum_ns += lat;
	if (b < RTNOISE_WL_BUCKETS)
		w->hist[b & (RTNOISE_WL_BUCKETS - 1)]++;
	else
		w->overflows++;
	if (lat < threshold)
		return 0;
	w->spikes++;
	hit->from = from;
	hit->to = now;
	hit->type = RTNOISE_WL_WAKEUP;
	hit->timer = w->due_ns != 0;
	return 1;
}

/*
 * rtnoise_wl_in - @w gets CPU @cpu at @now, having switched @mark times:
 * the end of its wait, woken or preempted. 1 with @hit set for a spike.
 */
static inline int rtnoise_wl_in(struct rtnoise_wl_thread *w, __u32 cpu,
				__u64 now, __u64 mark, __u64 threshold,
				struct rtnoise_wl_hit *hit)
{
	__u32 flags = w->flags;
	int here = mark == w->mark;

	if (flags & RTNOISE_WL_EXITED)
		return 0;
	w->cpu = cpu;
	if (flags & RTNOISE_WL_SYSCALL)
		w->sys_enter_ns = now;
	w->flags = flags & ~(RTNOISE_WL_RUNNABLE | RTNOISE_WL_WOKEN);
	if ((flags & RTNOISE_WL_RUNNABLE) && here && now > w->off_ns) {
		w->preemptions++;
		w->preempted_ns += now - w->off_ns;
		return rtnoise_wl_taken(w, w->off_ns, now, threshold, hit);
	}
	if ((flags & RTNOISE_WL_WOKEN) && here)
		return rtnoise_wl_latency(w, now, threshold, hit);
	return 0;
}

/*
 * rtnoise_wl_interrupted - a context that interrupted @w while it ran
 * (directly above it) ended: [@start, @end] was taken from it.
 */
static inline int rtnoise_wl_interrupted(struct rtnoise_wl_thread *w,
					 __u64 start, __u64 end,
					 __u64 threshold,
					 struct rtnoise_wl_hit *hit)
{
	w->interrupts++;
	w->interrupted_ns += end > start ? end - start : 0;
	return rtnoise_wl_taken(w, start, end, threshold, hit);
}

/* rtnoise_wl_sys_enter - @w, running, enters a system call at @now */
static inline void rtnoise_wl_sys_enter(struct rtnoise_wl_thread *w, __u64 now)
{
	w->syscalls++;
	w->sys_enter_ns = now;
	w->flags |= RTNOISE_WL_SYSCALL;
}

/* rtnoise_wl_sys_exit - and leaves it: its time on the CPU inside it */
static inline void rtnoise_wl_sys_exit(struct rtnoise_wl_thread *w, __u64 now)
{
	if (!(w->flags & RTNOISE_WL_SYSCALL))
		return;
	w->syscall_ns += now > w->sys_enter_ns ? now - w->sys_enter_ns : 0;
	w->flags &= ~RTNOISE_WL_SYSCALL;
}

#endif /* RTNOISE_WORKLOAD_H */
