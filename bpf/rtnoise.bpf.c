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
 * in a per-CPU ring of recent events for the spike join.
 *
 * Every tracepoint has a tp_btf program and a raw_tp twin over one handler;
 * the loader keeps the tp_btf one where the kernel's BTF has it.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "rtnoise_bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load. */
const volatile __u32 slot_of[RTNOISE_BPF_MAX_CPUS] = {};	/* slot + 1 */
const volatile __u32 slot_cpu[RTNOISE_BPF_MAX_CPUS] = {};	/* slot -> CPU */
const volatile __u32 nr_slots = 0;
const volatile __u32 ring_size = 1;
const volatile __u64 sampler_fn = 0;	/* rtnoise.ko's hrtimer callback */

/*
 * Set by the loader once every program is attached: until then the
 * programs only track frames. What attaching itself does to the watched
 * CPUs (text patching IPIs, the loader's visit) is not the host's noise.
 */
__u32 armed = 0;

#define FRAME_SAMPLER		1	/* the sampler's own work: not noise */
#define FRAME_SAMPLER_INSIDE	2	/* delivered the sampler's timer */

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

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
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

/* How record() names a source the first time it sees it. */
enum name_src { NAME_NONE, NAME_IRQ, NAME_TASK };

/* "rtnoise/", little-endian: the comm prefix of rtnoise.ko's kthreads. */
#define SAMPLER_COMM_PREFIX 0x2f6573696f6e7472ULL

/* new_source - insert a source, named from @src; NULL on failure */
static __noinline struct rtnoise_src_val *
new_source(struct rtnoise_src_key *key, const void *src, int how)
{
	struct rtnoise_src_val init = {};
	__u64 prefix;

	if (how == NAME_IRQ) {
		const char *name = BPF_CORE_READ((struct irqaction *)src, name);

		bpf_probe_read_kernel_str(init.name, sizeof(init.name), name);
	} else if (how == NAME_TASK) {
		BPF_CORE_READ_STR_INTO(&init.name, (struct task_struct *)src, comm);
		__builtin_memcpy(&prefix, init.name, sizeof(prefix));
		if (prefix == SAMPLER_COMM_PREFIX)
			init.flags = RTNOISE_SRC_SAMPLER;
	}
	bpf_map_update_elem(&sources, key, &init, BPF_NOEXIST);
	return bpf_map_lookup_elem(&sources, key);
}

/*
 * record - add a finished context to its source and to the event ring.
 * The hot path is one hash lookup and a few stores; names are read once,
 * when a source is first seen.
 */
static __always_inline void record(__u32 slot, __u32 cpu, __u32 kind,
				   __u64 id, __u64 start, __u64 end, __u64 net,
				   __u32 depth, const void *src, int how)
{
	struct rtnoise_src_key key = { .cpu = cpu, .kind = kind, .id = id };
	struct rtnoise_src_val *v;
	struct rtnoise_ring_head *h;
	struct rtnoise_event *e;
	__u32 s = slot - 1, idx;
	__u64 seq;

	if (!armed)
		return;
	v = bpf_map_lookup_elem(&sources, &key);
	if (!v) {
		v = new_source(&key, src, how);
		if (!v)
			return;
	}
	if (v->flags & RTNOISE_SRC_SAMPLER)
		return;
	v->count++;
	v->total_ns += net;
	if (net > v->max_ns)
		v->max_ns = net;

	if (kind == RTNOISE_KIND_TICK)
		return;
	h = bpf_map_lookup_elem(&heads, &s);
	if (!h)
		return;
	/*
	 * One writer per CPU. A program of a nested IRQ could interleave
	 * here; the reader checks e->seq and drops a record it finds torn.
	 */
	seq = h->head++;
	idx = s * ring_size + (seq & (ring_size - 1));
	e = bpf_map_lookup_elem(&events, &idx);
	if (!e)
		return;
	e->start_ns = start;
	e->end_ns = end;
	e->net_ns = net;
	e->id = id;
	e->kind = kind;
	e->depth = depth;
	e->cpu = cpu;
	e->seq = seq + 1;	/* last: marks the record complete */
}

/* push - a context of @kind begins on this CPU */
static __always_inline int push(__u32 kind, __u64 id, __u32 flags)
{
	struct rtnoise_cpu_state *st;
	struct rtnoise_frame *f;
	__u32 slot, cpu, d;

	st = watched(&slot, &cpu);
	if (!st)
		return 0;
	d = st->depth;
	if (d >= RTNOISE_BPF_MAX_DEPTH) {
		__u32 s = slot - 1;
		struct rtnoise_ring_head *h = bpf_map_lookup_elem(&heads, &s);

		if (h)
			__sync_fetch_and_add(&h->overflow, 1);
		return 0;
	}
	f = &st->f[d & (RTNOISE_BPF_MAX_DEPTH - 1)];
	f->start = bpf_ktime_get_ns();
	f->nested = 0;
	f->id = id;
	f->kind = kind;
	f->flags = flags;
	st->depth = d + 1;
	return 0;
}

/*
 * pop - the innermost open context of @kind ends. Contexts above it whose
 * end we missed are dropped; a context that began before we attached has
 * no frame and is ignored.
 */
static __always_inline int pop(__u32 kind, const void *src, int how)
{
	struct rtnoise_cpu_state *st;
	struct rtnoise_frame *f, *parent;
	__u64 now, gross, net;
	__u32 slot, cpu, flags;
	int i, found = -1;

	st = watched(&slot, &cpu);
	if (!st)
		return 0;
	for (i = RTNOISE_BPF_MAX_DEPTH - 1; i >= 1; i--) {
		if (i < st->depth && st->f[i].kind == kind) {
			found = i;
			break;
		}
	}
	if (found < 1)
		return 0;	/* never pop the thread frame here */

	now = bpf_ktime_get_ns();
	f = &st->f[found & (RTNOISE_BPF_MAX_DEPTH - 1)];
	gross = now - f->start;
	net = gross > f->nested ? gross - f->nested : 0;
	flags = f->flags;
	parent = &st->f[(found - 1) & (RTNOISE_BPF_MAX_DEPTH - 1)];
	parent->nested += gross;
	if (flags & FRAME_SAMPLER)
		parent->flags |= FRAME_SAMPLER_INSIDE;
	st->depth = found;

	if (!(flags & (FRAME_SAMPLER | FRAME_SAMPLER_INSIDE)))
		record(slot, cpu, kind, f->id, f->start, now, net, found, src,
		       how);
	return 0;
}

/*
 * on_switch - close the previous thread's frame, open the next one's.
 * @btf: tp_btf can load task fields directly; raw_tp must probe them.
 */
static __always_inline int on_switch(struct task_struct *prev,
				     struct task_struct *next, bool btf)
{
	struct rtnoise_cpu_state *st;
	struct rtnoise_frame *f;
	__u64 now, gross, net;
	__u32 slot, cpu, prev_pid;

	st = watched(&slot, &cpu);
	if (!st)
		return 0;

	now = bpf_ktime_get_ns();
	f = &st->f[0];
	/*
	 * Charge prev, not the pid saved at switch-in: the tracepoint's
	 * stream is not always continuous (a switch we did not see), and
	 * the source's name and sampler flag come from prev. The idle task
	 * (pid 0) is not noise.
	 */
	prev_pid = btf ? prev->pid : BPF_CORE_READ(prev, pid);
	if (st->depth >= 1 && f->kind == RTNOISE_KIND_THREAD && prev_pid) {
		gross = now - f->start;
		net = gross > f->nested ? gross - f->nested : 0;
		record(slot, cpu, RTNOISE_KIND_THREAD, prev_pid, f->start, now,
		       net, 0, prev, NAME_TASK);
	}

	f->start = now;
	f->nested = 0;
	f->id = btf ? next->pid : BPF_CORE_READ(next, pid);
	f->kind = RTNOISE_KIND_THREAD;
	f->flags = 0;
	st->depth = 1;
	return 0;
}

/* on_nmi - NMIs come with their duration; charge it to what they hit */
static __always_inline int on_nmi(void *handler, __s64 delta)
{
	struct rtnoise_cpu_state *st;
	__u32 slot, cpu, d;
	__u64 now;

	st = watched(&slot, &cpu);
	if (!st || delta <= 0)
		return 0;
	now = bpf_ktime_get_ns();
	d = st->depth;
	if (d >= 1 && d <= RTNOISE_BPF_MAX_DEPTH)
		st->f[(d - 1) & (RTNOISE_BPF_MAX_DEPTH - 1)].nested += delta;
	record(slot, cpu, RTNOISE_KIND_NMI, (__u64)handler, now - delta, now,
	       delta, d, NULL, NAME_NONE);
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
	st = watched(&slot, &cpu);
	if (!st)
		return 0;
	now = bpf_ktime_get_ns();
	record(slot, cpu, RTNOISE_KIND_TICK, (__u32)dependency, now, now, 0, 0,
	       NULL, NAME_NONE);
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
		if (!v)
			return 0;
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

/*
 * on_waking - a thread is woken from another CPU: by whom. The hottest
 * of these programs, so local wakeups stop at once: what woke a thread
 * on its own CPU (a timer, an IRQ, a sibling thread) is among that
 * CPU's own sources already.
 */
static __always_inline int on_waking(struct task_struct *p, bool btf)
{
	__u32 cpu = btf ? p->thread_info.cpu : BPF_CORE_READ(p, thread_info.cpu);

	if (cpu >= RTNOISE_BPF_MAX_CPUS || !slot_of[cpu] ||
	    cpu == bpf_get_smp_processor_id())
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
	struct rtnoise_src_val *v;
	__u32 slot;

	if (!watched(&slot, &key.cpu))
		return 0;
	key.id = BPF_CORE_READ(p, pid);
	v = bpf_map_lookup_elem(&sources, &key);
	if (v)
		BPF_CORE_READ_STR_INTO(&v->name, p, comm);
	return 0;
}

static __always_inline int on_hrtimer_entry(struct hrtimer *t)
{
	__u64 fn = (__u64)BPF_CORE_READ(t, function);

	return push(RTNOISE_KIND_HRTIMER, fn,
		    sampler_fn && fn == sampler_fn ? FRAME_SAMPLER : 0);
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
	TWIN(name##_entry, push(RTNOISE_KIND_IPI, ipi, 0), int vector)        \
	TWIN(name##_exit, pop(RTNOISE_KIND_IPI, NULL, NAME_NONE), int vector)

TWIN(sched_switch, on_switch(prev, next, btf), bool preempt, struct task_struct *prev,
     struct task_struct *next)

TWIN(sched_process_exec, on_exec(p), struct task_struct *p, pid_t old_pid,
     struct linux_binprm *bprm)

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

TWIN(local_timer_entry, push(RTNOISE_KIND_LOCAL_TIMER, 0, 0), int vector)
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

TWIN(hrtimer_expire_entry, on_hrtimer_entry(hrtimer), struct hrtimer *hrtimer,
     ktime_t *now)
TWIN(hrtimer_expire_exit, pop(RTNOISE_KIND_HRTIMER, NULL, NAME_NONE),
     struct hrtimer *hrtimer)

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
