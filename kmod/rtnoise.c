// SPDX-License-Identifier: GPL-2.0
/*
 * rtnoise.c - per-CPU hrtimer latency sampler
 *
 * On every watched CPU a pinned, hard, absolute hrtimer fires once per
 * period. Its callback records the IRQ latency (expiry -> callback) and
 * wakes a per-CPU SCHED_FIFO kthread, which records the thread latency
 * (expiry -> kthread running) and arms the timer for the next period:
 * the in-kernel analogue of cyclictest, with the split of rtla timerlat.
 *
 * Per CPU and latency type the module keeps a histogram of 1 us buckets,
 * count/min/max/sum, an overflow count and a ring of spike records (every
 * sample at or over the threshold). Everything is read through ioctls on
 * /dev/rtnoise; see rtnoise_abi.h.
 *
 * Writers: each latency type of a CPU has exactly one writer, running on
 * that CPU (the hrtimer callback for IRQ, the kthread for thread), so the
 * counters need no locks; remote readers use READ_ONCE() and the spike
 * ring publishes its head with release/acquire ordering.
 *
 * Control: rtnoise_lock serialises configuration, hotplug and readers.
 * Lock order: cpu_hotplug_lock -> rtnoise_lock.
 */
#define pr_fmt(fmt) "rtnoise: " fmt

#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/hrtimer.h>
#include <linux/kernel_stat.h>
#include <linux/kthread.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/types.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <uapi/linux/sched/types.h>

#ifdef CONFIG_X86
#include <asm/msr.h>
#include <asm/processor.h>
#endif

#include "rtnoise_abi.h"
#include "rtnoise_ring.h"

#define CREATE_TRACE_POINTS
#include "rtnoise_trace.h"

/* Records copied per RTNOISE_IOC_SPIKES call at most. */
#define RTNOISE_SPIKES_PER_CALL	4096U

/* One latency type on one CPU. Written only on that CPU. */
struct rtnoise_lat {
	u64 count;
	u64 sum;
	u64 min;
	u64 max;
	u64 overflows;
	u64 spikes;
	u64 missed;
	u64 *hist;
	struct rtnoise_spike *ring;
	u64 head;		/* sequence number of the next spike */
};

struct rtnoise_cpu {
	struct hrtimer timer;
	struct task_struct *thread;
	bool fired;		/* the timer fired for the current period */
	bool watched;
	int start_error;	/* why the CPU is not sampled, or 0 */
	bool smi_ok;		/* MSR_SMI_COUNT reads on this CPU */
	u64 smi_last;		/* its value at the last spike */
	u64 steal_armed;	/* steal time accounted when the timer was armed */
	unsigned int cpu;
	unsigned int hotplug_offline;
	u64 cycle;
	/*
	 * The configuration the hot path reads, copied here at start: the
	 * global one shares its cacheline with whatever the linker puts
	 * next to it (rtnoise_lock, which every reader's ioctl writes).
	 */
	u64 period_ns;
	u64 threshold_ns;
	u32 hist_buckets;
	u32 spike_mask;		/* spike_capacity - 1 */
	struct rtnoise_lat lat[RTNOISE_LAT_NR];
};

static DEFINE_PER_CPU(struct rtnoise_cpu, rtnoise_cpu_data);

static struct {
	enum rtnoise_state state;
	u64 period_ns;
	u64 threshold_ns;
	u32 hist_buckets;
	u32 spike_capacity;
	u32 prio;
	u64 start_ns;
	u64 stop_ns;
	cpumask_var_t watched;
} rtnoise;

static DEFINE_MUTEX(rtnoise_lock);
static enum cpuhp_state rtnoise_hp_state;

/* rtnoise_cpu - the per-CPU state of @cpu */
static struct rtnoise_cpu *rtnoise_cpu(unsigned int cpu)
{
	return per_cpu_ptr(&rtnoise_cpu_data, cpu);
}

/* rtnoise_add - bump a counter that remote readers read locklessly */
static inline void rtnoise_add(u64 *counter, u64 n)
{
	WRITE_ONCE(*counter, *counter + n);
}

/*
 * rtnoise_smis - SMIs on this CPU since the last call. Read only when a
 * spike is recorded (an MSR read can trap to a hypervisor), on Intel CPUs
 * that have the counter; 0 elsewhere.
 */
static u64 rtnoise_smis(struct rtnoise_cpu *rc)
{
#ifdef CONFIG_X86
	u64 now, delta;

	if (!rc->smi_ok)
		return 0;
#ifdef RTNOISE_HAVE_RDMSRQ
	if (rdmsrq_safe(MSR_SMI_COUNT, &now))
		return 0;
#else
	if (rdmsrl_safe(MSR_SMI_COUNT, &now))
		return 0;
#endif
	delta = now - rc->smi_last;
	rc->smi_last = now;
	return delta;
#else
	return 0;
#endif
}

/* rtnoise_smi_init - whether this CPU counts SMIs, and the count now */
static void rtnoise_smi_init(struct rtnoise_cpu *rc)
{
	rc->smi_ok = false;
#ifdef CONFIG_X86
	if (boot_cpu_data.x86_vendor != X86_VENDOR_INTEL)
		return;
#ifdef RTNOISE_HAVE_RDMSRQ
	rc->smi_ok = !rdmsrq_safe(MSR_SMI_COUNT, &rc->smi_last);
#else
	rc->smi_ok = !rdmsrl_safe(MSR_SMI_COUNT, &rc->smi_last);
#endif
#endif
}

/*
 * rtnoise_steal - the steal time the kernel has accounted on this CPU:
 * in a guest, time the hypervisor ran something else. On nohz_full CPUs
 * vtime accounts it at every kernel entry, elsewhere at the tick.
 */
static u64 rtnoise_steal(void)
{
	return READ_ONCE(this_cpu_ptr(&kernel_cpustat)->cpustat[CPUTIME_STEAL]);
}

/* rtnoise_record - account one sample; runs on the sampled CPU */
static void rtnoise_record(struct rtnoise_cpu *rc, unsigned int type,
			   u64 expected, u64 observed)
{
	struct rtnoise_lat *l = &rc->lat[type];
	u64 lat = observed > expected ? observed - expected : 0;
	u64 bucket = div_u64(lat, NSEC_PER_USEC);
	struct rtnoise_spike *s;
	u64 seq;

	if (bucket < rc->hist_buckets)
		rtnoise_add(&l->hist[bucket], 1);
	else
		rtnoise_add(&l->overflows, 1);

	rtnoise_add(&l->count, 1);
	rtnoise_add(&l->sum, lat);
	if (lat < l->min)
		WRITE_ONCE(l->min, lat);
	if (lat > l->max)
		WRITE_ONCE(l->max, lat);

	if (lat < rc->threshold_ns)
		return;

	rtnoise_add(&l->spikes, 1);
	seq = l->head;
	s = &l->ring[seq & rc->spike_mask];
	/*
	 * This slot held record seq - capacity. A reader that saw any of
	 * the stores below must also see the head published last time, so
	 * that its check after copying (rtnoise_ring_oldest()) drops it.
	 */
	smp_wmb();
	s->seq = seq;
	s->cycle = rc->cycle;
	s->expected_ns = expected;
	s->observed_ns = observed;
	s->cpu = rc->cpu;
	s->type = type;
	s->smis = rtnoise_smis(rc);
	s->steal_ns = rtnoise_steal() - rc->steal_armed;
	/* Publish the record before the head that makes it visible. */
	smp_store_release(&l->head, seq + 1);
	/* Explain it now, on this CPU, while its events are fresh. */
	trace_rtnoise_spike(rc->cpu, type, seq, expected, observed, s->smis,
			    s->steal_ns);
}

/* rtnoise_timer_fn - hrtimer callback: IRQ latency, then wake the thread */
static enum hrtimer_restart rtnoise_timer_fn(struct hrtimer *timer)
{
	struct rtnoise_cpu *rc = container_of(timer, struct rtnoise_cpu, timer);
	u64 now = ktime_get_ns();

	rtnoise_record(rc, RTNOISE_LAT_IRQ,
		       ktime_to_ns(hrtimer_get_expires(timer)), now);
	WRITE_ONCE(rc->fired, true);
	wake_up_process(rc->thread);

	return HRTIMER_NORESTART;
}

/* rtnoise_first_expiry - first period boundary after @now, on one grid */
static u64 rtnoise_first_expiry(u64 now)
{
	u64 since = now - rtnoise.start_ns;

	return rtnoise.start_ns +
	       (div64_u64(since, rtnoise.period_ns) + 1) * rtnoise.period_ns;
}

#ifdef RTNOISE_HAVE_SCHED_SETATTR_NOCHECK
/* rtnoise_set_prio - make the sampler thread @t SCHED_FIFO rtnoise.prio */
static int rtnoise_set_prio(struct task_struct *t)
{
	struct sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = SCHED_FIFO,
		.sched_priority = rtnoise.prio,
	};

	return sched_setattr_nocheck(t, &attr);
}

/* rtnoise_wait_prio - the thread has its priority from its creation */
static bool rtnoise_wait_prio(void)
{
	return true;
}
#else
/*
 * rtnoise_set_prio - make the sampler thread @t SCHED_FIFO.
 *
 * This kernel exports no way to give a kthread an arbitrary RT priority
 * (only sched_set_fifo()'s MAX_RT_PRIO / 2); the CLI, which configured
 * it, sets rtnoise.prio with sched_setscheduler(2) on the thread's pid
 * (RTNOISE_IOC_CPU_STATS), and rtnoise_wait_prio() holds the first sample
 * until then, so that every sample is taken at the configured priority.
 */
static int rtnoise_set_prio(struct task_struct *t)
{
	sched_set_fifo(t);
	return 0;
}

/* rtnoise_wait_prio - sleep until SCHED_FIFO rtnoise.prio; false on stop */
static bool rtnoise_wait_prio(void)
{
	while (READ_ONCE(current->policy) != SCHED_FIFO ||
	       READ_ONCE(current->rt_priority) != rtnoise.prio) {
		if (kthread_should_stop())
			return false;
		schedule_timeout_interruptible(1);
	}
	return true;
}
#endif

/*
 * rtnoise_thread_fn - per-CPU kthread: thread latency and re-arming.
 *
 * kthread_bind() binds the thread but does not make it a per-CPU
 * kthread (kthread_set_per_cpu() is not exported): once its CPU starts
 * going offline (sched_cpu_deactivate(), before our teardown callback
 * stops it), the scheduler would push it to another CPU, where it took
 * samples for this one and read another CPU's counters (a debug kernel's
 * "using smp_processor_id() in preemptible" from rtnoise/3 on CPU 0).
 * With migration disabled it stays on its CPU until stopped; if it ever
 * first runs elsewhere, it takes no sample and waits to be stopped.
 */
static int rtnoise_thread_fn(void *data)
{
	struct rtnoise_cpu *rc = data;
	u64 period = rc->period_ns;
	u64 next, now, missed;

	migrate_disable();
	if (smp_processor_id() != rc->cpu) {
		/*
		 * Pushed off its CPU before it first ran: the CPU is going
		 * down, and if that fails and rolls back, this thread stays
		 * until STOP. It must not stay pinned where it is: a pinned
		 * task holds the next offline of that CPU in
		 * CPUHP_AP_SCHED_WAIT_EMPTY, with the hotplug lock taken.
		 */
		pr_warn("rtnoise/%u started on CPU %d: not sampling\n", rc->cpu,
			smp_processor_id());
		migrate_enable();
		WRITE_ONCE(rc->start_error, EBUSY);
		for (;;) {
			set_current_state(TASK_INTERRUPTIBLE);
			if (kthread_should_stop())
				break;
			schedule();
		}
		__set_current_state(TASK_RUNNING);
		return 0;
	}

	if (!rtnoise_wait_prio())
		goto out;

	rtnoise_smi_init(rc);
	next = rtnoise_first_expiry(ktime_get_ns());
	for (;;) {
		WRITE_ONCE(rc->fired, false);
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop()) {
			__set_current_state(TASK_RUNNING);
			break;
		}
		rc->steal_armed = rtnoise_steal();
		hrtimer_start(&rc->timer, ns_to_ktime(next),
			      HRTIMER_MODE_ABS_PINNED_HARD);
		schedule();

		/* Woken early (kthread_stop() or spuriously): try again. */
		if (!READ_ONCE(rc->fired) && hrtimer_cancel(&rc->timer))
			continue;

		now = ktime_get_ns();
		rtnoise_record(rc, RTNOISE_LAT_THREAD, next, now);
		rc->cycle++;
		next += period;

		/* Skip the periods this one overran, absolutely. */
		if (next <= now) {
			missed = div64_u64(now - next, period) + 1;
			next += missed * period;
			rc->cycle += missed;
			rtnoise_add(&rc->lat[RTNOISE_LAT_THREAD].missed, missed);
		}
	}

out:
	hrtimer_cancel(&rc->timer);
	migrate_enable();
	return 0;
}

/* rtnoise_start_cpu - start the sampler kthread of @cpu */
static int rtnoise_start_cpu(unsigned int cpu)
{
	struct rtnoise_cpu *rc = rtnoise_cpu(cpu);
	struct task_struct *t;
	int ret;

	if (rc->thread)
		return 0;

#ifdef RTNOISE_HAVE_HRTIMER_SETUP
	hrtimer_setup(&rc->timer, rtnoise_timer_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_ABS_PINNED_HARD);
#else
	hrtimer_init(&rc->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_PINNED_HARD);
	rc->timer.function = rtnoise_timer_fn;
#endif

	/* What kthread_create_on_cpu() does, from what every kernel exports. */
	t = kthread_create_on_node(rtnoise_thread_fn, rc, cpu_to_node(cpu),
				   "rtnoise/%u", cpu);
	if (IS_ERR(t)) {
		pr_err("cannot create the sampler thread of CPU %u: %ld\n",
		       cpu, PTR_ERR(t));
		return PTR_ERR(t);
	}
	kthread_bind(t, cpu);

	ret = rtnoise_set_prio(t);
	if (ret) {
		pr_err("cannot make rtnoise/%u SCHED_FIFO %u: %d\n",
		       cpu, rtnoise.prio, ret);
		kthread_stop(t);
		return ret;
	}

	rc->thread = t;
	rc->start_error = 0;
	wake_up_process(t);
	return 0;
}

/* rtnoise_stop_cpu - stop the sampler kthread of @cpu, if any */
static void rtnoise_stop_cpu(unsigned int cpu)
{
	struct rtnoise_cpu *rc = rtnoise_cpu(cpu);

	if (!rc->thread)
		return;

	kthread_stop(rc->thread);
	rc->thread = NULL;
}

/* rtnoise_free_cpu - release the buffers of @cpu and clear its state */
static void rtnoise_free_cpu(unsigned int cpu)
{
	struct rtnoise_cpu *rc = rtnoise_cpu(cpu);
	int t;

	for (t = 0; t < RTNOISE_LAT_NR; t++) {
		kvfree(rc->lat[t].hist);
		kvfree(rc->lat[t].ring);
	}
	memset(rc->lat, 0, sizeof(rc->lat));
	rc->watched = false;
	rc->hotplug_offline = 0;
	rc->start_error = 0;
	rc->cycle = 0;
}

/* rtnoise_alloc_cpu - allocate the buffers of @cpu on its node */
static int rtnoise_alloc_cpu(unsigned int cpu)
{
	struct rtnoise_cpu *rc = rtnoise_cpu(cpu);
	int node = cpu_to_node(cpu);
	int t;

	for (t = 0; t < RTNOISE_LAT_NR; t++) {
		struct rtnoise_lat *l = &rc->lat[t];

		/* Charged to the caller's memory cgroup. */
		l->hist = kvzalloc_node(array_size(rtnoise.hist_buckets,
						   sizeof(*l->hist)),
					GFP_KERNEL_ACCOUNT, node);
		l->ring = kvzalloc_node(array_size(rtnoise.spike_capacity,
						   sizeof(*l->ring)),
					GFP_KERNEL_ACCOUNT, node);
		if (!l->hist || !l->ring)
			return -ENOMEM;
		l->min = U64_MAX;
	}
	rc->cpu = cpu;
	rc->period_ns = rtnoise.period_ns;
	rc->threshold_ns = rtnoise.threshold_ns;
	rc->hist_buckets = rtnoise.hist_buckets;
	rc->spike_mask = rtnoise.spike_capacity - 1;
	rc->watched = true;
	return 0;
}

/* rtnoise_stop_all - stop sampling everywhere; caller holds rtnoise_lock */
static void rtnoise_stop_all(void)
{
	unsigned int cpu;

	lockdep_assert_held(&rtnoise_lock);
	if (rtnoise.state != RTNOISE_STATE_RUNNING)
		return;

	for_each_cpu(cpu, rtnoise.watched)
		rtnoise_stop_cpu(cpu);
	rtnoise.state = RTNOISE_STATE_STOPPED;
	rtnoise.stop_ns = ktime_get_ns();
}

/* rtnoise_reset - stop and free everything; caller holds rtnoise_lock */
static void rtnoise_reset(void)
{
	unsigned int cpu;

	rtnoise_stop_all();
	for_each_cpu(cpu, rtnoise.watched)
		rtnoise_free_cpu(cpu);
	cpumask_clear(rtnoise.watched);
	rtnoise.state = RTNOISE_STATE_IDLE;
	rtnoise.start_ns = 0;
	rtnoise.stop_ns = 0;
}

/* rtnoise_copy_cpumask - read the user's CPU bitmap into @mask */
static int rtnoise_copy_cpumask(const struct rtnoise_config *cfg,
				struct cpumask *mask)
{
	unsigned int words = cfg->cpumask_bytes / sizeof(u64);
	u64 *bits;
	unsigned int w, b;
	int ret = 0;

	if (!cfg->cpumask_bytes || cfg->cpumask_bytes % sizeof(u64) ||
	    cfg->cpumask_bytes > RTNOISE_CPUMASK_MAX_BYTES)
		return -EINVAL;

	bits = memdup_user(u64_to_user_ptr(cfg->cpumask_ptr),
			   cfg->cpumask_bytes);
	if (IS_ERR(bits))
		return PTR_ERR(bits);

	cpumask_clear(mask);
	for (w = 0; w < words && !ret; w++) {
		for (b = 0; b < 64; b++) {
			unsigned int cpu = w * 64 + b;

			if (!(bits[w] & BIT_ULL(b)))
				continue;
			if (cpu >= nr_cpu_ids) {
				ret = -EINVAL;
				break;
			}
			cpumask_set_cpu(cpu, mask);
		}
	}
	kfree(bits);

	if (!ret && cpumask_empty(mask))
		ret = -EINVAL;
	return ret;
}

/* rtnoise_check_config - validate every knob of @cfg */
static int rtnoise_check_config(const struct rtnoise_config *cfg)
{
	if (cfg->flags)
		return -EINVAL;
	if (cfg->period_ns < RTNOISE_PERIOD_MIN_NS ||
	    cfg->period_ns > RTNOISE_PERIOD_MAX_NS)
		return -EINVAL;
	if (cfg->threshold_ns < RTNOISE_THRESHOLD_MIN_NS ||
	    cfg->threshold_ns > RTNOISE_THRESHOLD_MAX_NS)
		return -EINVAL;
	if (!cfg->hist_buckets || cfg->hist_buckets > RTNOISE_HIST_MAX_BUCKETS)
		return -EINVAL;
	if (cfg->spike_capacity < RTNOISE_SPIKES_MIN ||
	    cfg->spike_capacity > RTNOISE_SPIKES_MAX ||
	    !is_power_of_2(cfg->spike_capacity))
		return -EINVAL;
	if (cfg->prio < RTNOISE_PRIO_MIN || cfg->prio > RTNOISE_PRIO_MAX)
		return -EINVAL;
	return 0;
}

/* rtnoise_ioc_start - RTNOISE_IOC_START */
static long rtnoise_ioc_start(void __user *arg)
{
	struct rtnoise_config cfg;
	cpumask_var_t mask;
	unsigned int cpu;
	long ret;

	if (copy_from_user(&cfg, arg, sizeof(cfg)))
		return -EFAULT;
	if (cfg.abi_version != RTNOISE_ABI_VERSION)
		return -EPROTO;
	ret = rtnoise_check_config(&cfg);
	if (ret)
		return ret;

	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	ret = rtnoise_copy_cpumask(&cfg, mask);
	if (ret)
		goto out_free_mask;
	if ((u64)RTNOISE_CPU_BYTES(cfg.hist_buckets, cfg.spike_capacity) *
	    cpumask_weight(mask) > RTNOISE_MEMORY_MAX_BYTES) {
		ret = -E2BIG;
		goto out_free_mask;
	}

	cpus_read_lock();
	mutex_lock(&rtnoise_lock);

	if (rtnoise.state == RTNOISE_STATE_RUNNING) {
		ret = -EBUSY;
		goto out_unlock;
	}
	if (!cpumask_subset(mask, cpu_online_mask)) {
		ret = -ENODEV;
		goto out_unlock;
	}

	rtnoise_reset();
	rtnoise.period_ns = cfg.period_ns;
	rtnoise.threshold_ns = cfg.threshold_ns;
	rtnoise.hist_buckets = cfg.hist_buckets;
	rtnoise.spike_capacity = cfg.spike_capacity;
	rtnoise.prio = cfg.prio;
	cpumask_copy(rtnoise.watched, mask);

	for_each_cpu(cpu, rtnoise.watched) {
		ret = rtnoise_alloc_cpu(cpu);
		if (ret)
			goto out_reset;
	}

	rtnoise.start_ns = ktime_get_ns();
	rtnoise.state = RTNOISE_STATE_RUNNING;
	for_each_cpu(cpu, rtnoise.watched) {
		ret = rtnoise_start_cpu(cpu);
		if (ret)
			goto out_reset;
	}
	pr_info("sampling CPUs %*pbl every %llu ns\n",
		cpumask_pr_args(rtnoise.watched), rtnoise.period_ns);
	goto out_unlock;

out_reset:
	rtnoise_reset();
out_unlock:
	mutex_unlock(&rtnoise_lock);
	cpus_read_unlock();
out_free_mask:
	free_cpumask_var(mask);
	return ret;
}

/* rtnoise_ioc_info - RTNOISE_IOC_INFO */
static long rtnoise_ioc_info(void __user *arg)
{
	struct rtnoise_info info;

	if (copy_from_user(&info, arg, sizeof(info)))
		return -EFAULT;
	if (info.abi_version != RTNOISE_ABI_VERSION) {
		/*
		 * abi_version leads every version of the structure: say which
		 * one this module speaks, so the CLI can tell the user.
		 */
		if (put_user(RTNOISE_ABI_VERSION, (__u32 __user *)arg))
			return -EFAULT;
		return -EPROTO;
	}

	memset(&info, 0, sizeof(info));
	mutex_lock(&rtnoise_lock);
	info.abi_version = RTNOISE_ABI_VERSION;
	info.state = rtnoise.state;
	info.nr_cpu_ids = nr_cpu_ids;
	info.nr_watched = cpumask_weight(rtnoise.watched);
	info.period_ns = rtnoise.period_ns;
	info.threshold_ns = rtnoise.threshold_ns;
	info.hist_buckets = rtnoise.hist_buckets;
	info.spike_capacity = rtnoise.spike_capacity;
	info.prio = rtnoise.prio;
	info.start_ns = rtnoise.start_ns;
	info.stop_ns = rtnoise.stop_ns;
	mutex_unlock(&rtnoise_lock);

	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

/* rtnoise_lookup - the watched CPU and latency type a request names */
static struct rtnoise_lat *rtnoise_lookup(u32 cpu, u32 type, long *err)
{
	lockdep_assert_held(&rtnoise_lock);

	*err = -ENODATA;
	if (rtnoise.state == RTNOISE_STATE_IDLE)
		return NULL;
	*err = -EINVAL;
	if (cpu >= nr_cpu_ids || type >= RTNOISE_LAT_NR)
		return NULL;
	*err = -ENOENT;
	if (!cpumask_test_cpu(cpu, rtnoise.watched))
		return NULL;
	*err = 0;
	return &rtnoise_cpu(cpu)->lat[type];
}

/* rtnoise_ioc_cpu_stats - RTNOISE_IOC_CPU_STATS */
static long rtnoise_ioc_cpu_stats(void __user *arg)
{
	struct rtnoise_cpu_stats st;
	struct rtnoise_lat *l;
	struct rtnoise_cpu *rc;
	u64 *hist = NULL;
	bool sampling;
	u32 room, i;
	long ret;

	if (copy_from_user(&st, arg, sizeof(st)))
		return -EFAULT;
	if (st.abi_version != RTNOISE_ABI_VERSION)
		return -EPROTO;
	room = st.hist_ptr ? min(st.hist_len, RTNOISE_HIST_MAX_BUCKETS) : 0;
	if (room) {
		/* A bounce buffer: no user copy under rtnoise_lock. */
		hist = kvmalloc_array(room, sizeof(*hist), GFP_KERNEL);
		if (!hist)
			return -ENOMEM;
	}

	mutex_lock(&rtnoise_lock);
	l = rtnoise_lookup(st.cpu, st.type, &ret);
	if (!l) {
		mutex_unlock(&rtnoise_lock);
		goto out_free;
	}
	rc = rtnoise_cpu(st.cpu);

	st.hist_len = min(room, rtnoise.hist_buckets);
	for (i = 0; i < st.hist_len; i++)
		hist[i] = READ_ONCE(l->hist[i]);
	st.count = READ_ONCE(l->count);
	st.min_ns = st.count ? READ_ONCE(l->min) : 0;
	st.max_ns = READ_ONCE(l->max);
	st.sum_ns = READ_ONCE(l->sum);
	st.overflows = READ_ONCE(l->overflows);
	st.spikes = READ_ONCE(l->spikes);
	st.missed = READ_ONCE(l->missed);
	/* A thread that first ran elsewhere samples nothing: it says why. */
	st.start_error = READ_ONCE(rc->start_error);
	sampling = rc->thread && !st.start_error;
	st.flags = RTNOISE_CPU_WATCHED | (sampling ? RTNOISE_CPU_ONLINE : 0);
	st.hotplug_offline = rc->hotplug_offline;
	st.pid = sampling ? task_pid_nr(rc->thread) : 0;
	mutex_unlock(&rtnoise_lock);

	ret = 0;
	if (st.hist_len && copy_to_user(u64_to_user_ptr(st.hist_ptr), hist,
					array_size(st.hist_len, sizeof(*hist))))
		ret = -EFAULT;
	if (!ret && copy_to_user(arg, &st, sizeof(st)))
		ret = -EFAULT;
out_free:
	kvfree(hist);
	return ret;
}

/* rtnoise_ioc_spikes - RTNOISE_IOC_SPIKES */
static long rtnoise_ioc_spikes(void __user *arg)
{
	struct rtnoise_spike *buf = NULL;
	struct rtnoise_spikes req;
	struct rtnoise_lat *l;
	struct rtnoise_ring_window w;
	u64 head, first, n, cap, drop;
	int writing;
	u64 i;
	long ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.abi_version != RTNOISE_ABI_VERSION)
		return -EPROTO;
	if (req.max && !req.buf_ptr)
		return -EINVAL;

	mutex_lock(&rtnoise_lock);
	l = rtnoise_lookup(req.cpu, req.type, &ret);
	if (!l)
		goto out_unlock;

	cap = rtnoise.spike_capacity;
	/* While sampling, the writer may be rewriting a slot. */
	writing = rtnoise.state == RTNOISE_STATE_RUNNING;
	head = smp_load_acquire(&l->head);
	w = rtnoise_ring_plan(head, cap, writing, req.from_seq,
				min_t(u64, req.max, RTNOISE_SPIKES_PER_CALL));
	first = w.first;
	n = w.n;

	if (n) {
		buf = kvmalloc_array(n, sizeof(*buf), GFP_KERNEL);
		if (!buf) {
			ret = -ENOMEM;
			goto out_unlock;
		}
		for (i = 0; i < n; i++)
			buf[i] = l->ring[(first + i) & (cap - 1)];
	}

	/* Drop what the writer overwrote while we copied. */
	smp_rmb();
	drop = rtnoise_ring_drop(w, READ_ONCE(l->head), cap, writing);

	req.lost = first + drop - min(req.from_seq, first);
	req.returned = n - drop;
	req.next_seq = first + n;
	req.reserved = 0;
	mutex_unlock(&rtnoise_lock);

	/* From the bounce buffer: a faulting reader holds no lock. */
	ret = 0;
	if (req.returned &&
	    copy_to_user(u64_to_user_ptr(req.buf_ptr), buf + drop,
			 req.returned * sizeof(*buf)))
		ret = -EFAULT;
	if (!ret && copy_to_user(arg, &req, sizeof(req)))
		ret = -EFAULT;
	kvfree(buf);
	return ret;
out_unlock:
	mutex_unlock(&rtnoise_lock);
	return ret;
}

/* rtnoise_ioctl - dispatch the /dev/rtnoise ioctls */
static long rtnoise_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	long ret = 0;

	switch (cmd) {
	case RTNOISE_IOC_INFO:
		return rtnoise_ioc_info(uarg);
	case RTNOISE_IOC_START:
	case RTNOISE_IOC_STOP:
	case RTNOISE_IOC_RESET:
		/* An fd handed to a process without the capability reads only. */
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		break;
	}

	switch (cmd) {
	case RTNOISE_IOC_START:
		return rtnoise_ioc_start(uarg);
	case RTNOISE_IOC_STOP:
		cpus_read_lock();
		mutex_lock(&rtnoise_lock);
		if (rtnoise.state == RTNOISE_STATE_IDLE)
			ret = -ENODATA;
		else
			rtnoise_stop_all();
		mutex_unlock(&rtnoise_lock);
		cpus_read_unlock();
		if (!ret)
			pr_info("sampling stopped\n");
		return ret;
	case RTNOISE_IOC_RESET:
		cpus_read_lock();
		mutex_lock(&rtnoise_lock);
		rtnoise_reset();
		mutex_unlock(&rtnoise_lock);
		cpus_read_unlock();
		return 0;
	case RTNOISE_IOC_CPU_STATS:
		return rtnoise_ioc_cpu_stats(uarg);
	case RTNOISE_IOC_SPIKES:
		return rtnoise_ioc_spikes(uarg);
	default:
		return -ENOTTY;
	}
}

/* rtnoise_open - only CAP_SYS_ADMIN may use the sampler */
static int rtnoise_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return nonseekable_open(inode, file);
}

static const struct file_operations rtnoise_fops = {
	.owner = THIS_MODULE,
	.open = rtnoise_open,
	.unlocked_ioctl = rtnoise_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/*
 * abi_version_show - /sys/class/misc/rtnoise/abi_version: the ioctl ABI,
 * readable by anyone (the device itself is root's), for rtnoise --version
 */
static ssize_t abi_version_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", RTNOISE_ABI_VERSION);
}
static DEVICE_ATTR_RO(abi_version);

static struct attribute *rtnoise_attrs[] = {
	&dev_attr_abi_version.attr,
	NULL,
};
ATTRIBUTE_GROUPS(rtnoise);

static struct miscdevice rtnoise_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = RTNOISE_DEVICE_NAME,
	.fops = &rtnoise_fops,
	.groups = rtnoise_groups,
	.mode = 0600,
};

/* rtnoise_cpu_online - hotplug: resume sampling on a watched CPU */
static int rtnoise_cpu_online(unsigned int cpu)
{
	struct rtnoise_cpu *rc = rtnoise_cpu(cpu);

	mutex_lock(&rtnoise_lock);
	if (rtnoise.state == RTNOISE_STATE_RUNNING &&
	    cpumask_test_cpu(cpu, rtnoise.watched))
		/*
		 * Failing here would fail the CPU's onlining: the CPU comes
		 * up unsampled instead, and its stats say why.
		 */
		rc->start_error = -rtnoise_start_cpu(cpu);
	mutex_unlock(&rtnoise_lock);
	return 0;
}

/* rtnoise_cpu_offline - hotplug: stop sampling on a CPU going away */
static int rtnoise_cpu_offline(unsigned int cpu)
{
	struct rtnoise_cpu *rc = rtnoise_cpu(cpu);

	mutex_lock(&rtnoise_lock);
	if (rc->thread) {
		rtnoise_stop_cpu(cpu);
		rc->hotplug_offline++;
	}
	mutex_unlock(&rtnoise_lock);
	return 0;
}

static int __init rtnoise_init(void)
{
	int ret;

	if (!zalloc_cpumask_var(&rtnoise.watched, GFP_KERNEL))
		return -ENOMEM;

	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "rtnoise:online",
					rtnoise_cpu_online,
					rtnoise_cpu_offline);
	if (ret < 0)
		goto out_free_mask;
	rtnoise_hp_state = ret;

	ret = misc_register(&rtnoise_misc);
	if (ret)
		goto out_remove_state;

	pr_info("loaded, ABI %d\n", RTNOISE_ABI_VERSION);
	return 0;

out_remove_state:
	cpuhp_remove_state_nocalls(rtnoise_hp_state);
out_free_mask:
	free_cpumask_var(rtnoise.watched);
	return ret;
}

static void __exit rtnoise_exit(void)
{
	misc_deregister(&rtnoise_misc);

	/* Stop sampling while hotplug still stops what goes offline. */
	cpus_read_lock();
	mutex_lock(&rtnoise_lock);
	rtnoise_reset();
	mutex_unlock(&rtnoise_lock);
	cpus_read_unlock();

	cpuhp_remove_state_nocalls(rtnoise_hp_state);
	free_cpumask_var(rtnoise.watched);
	pr_info("unloaded\n");
}

module_init(rtnoise_init);
module_exit(rtnoise_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Per-CPU hrtimer IRQ and thread latency sampler");
MODULE_AUTHOR("The rtnoise developers");
/* The release, as in dkms.conf and CMakeLists.txt (CMake checks they agree). */
MODULE_VERSION("0.1.0");
