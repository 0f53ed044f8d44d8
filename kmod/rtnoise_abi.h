/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * rtnoise_abi.h - ioctl ABI of /dev/rtnoise, shared by rtnoise.ko and the
 * rtnoise CLI.
 *
 * Every structure starts with the ABI version the caller was built for;
 * the module refuses any other version with -EPROTO. Fields are fixed-size
 * and naturally aligned so that the layout is the same for every compiler
 * and for 32-bit callers on 64-bit kernels. Userspace pointers travel as
 * __u64. All times are CLOCK_MONOTONIC nanoseconds, the clock of
 * bpf_ktime_get_ns(), so that spike records and BPF events share one
 * timeline.
 */
#ifndef RTNOISE_ABI_H
#define RTNOISE_ABI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define RTNOISE_ABI_VERSION	2
#define RTNOISE_DEVICE_NAME	"rtnoise"

/* Bounds the module enforces on struct rtnoise_config. */
#define RTNOISE_PERIOD_MIN_NS		(50ULL * 1000)		/* 50 us */
#define RTNOISE_PERIOD_MAX_NS		(1000ULL * 1000 * 1000)	/* 1 s */
#define RTNOISE_THRESHOLD_MIN_NS	1000ULL			/* 1 us */
#define RTNOISE_THRESHOLD_MAX_NS	(10ULL * 1000 * 1000 * 1000)
#define RTNOISE_HIST_MAX_BUCKETS	100000U	/* 1 us each: 100 ms */
#define RTNOISE_SPIKES_MIN		16U
#define RTNOISE_SPIKES_MAX		(1U << 16)
#define RTNOISE_PRIO_MIN		1U
#define RTNOISE_PRIO_MAX		99U
#define RTNOISE_CPUMASK_MAX_BYTES	1024U	/* 8192 CPUs */
/*
 * Kernel memory of one watched CPU: both latency types' histograms and
 * spike rings. START refuses, with E2BIG, a configuration whose watched
 * CPUs together would need more than RTNOISE_MEMORY_MAX_BYTES.
 */
#define RTNOISE_CPU_BYTES(hist_buckets, spike_capacity)			\
	(2ULL * ((__u64)(hist_buckets) * 8 +					\
		 (__u64)(spike_capacity) * sizeof(struct rtnoise_spike)))
#define RTNOISE_MEMORY_MAX_BYTES	(1ULL << 30)	/* 1 GiB */

/* The two latencies measured on each watched CPU. */
enum rtnoise_lat_type {
	RTNOISE_LAT_IRQ = 0,	/* hrtimer expiry -> its callback */
	RTNOISE_LAT_THREAD = 1,	/* hrtimer expiry -> woken kthread runs */
	RTNOISE_LAT_NR = 2,
};

enum rtnoise_state {
	RTNOISE_STATE_IDLE = 0,		/* nothing configured, no data */
	RTNOISE_STATE_RUNNING = 1,	/* sampling */
	RTNOISE_STATE_STOPPED = 2,	/* stopped, data kept until reset */
};

/*
 * RTNOISE_IOC_INFO: what the module is and what it is doing. Called with
 * another abi_version it fails with EPROTO and writes its own ABI version
 * to abi_version, so a CLI can say which side to rebuild.
 */
struct rtnoise_info {
	__u32 abi_version;	/* in: caller's; out: module's */
	__u32 state;		/* enum rtnoise_state */
	__u32 nr_cpu_ids;
	__u32 nr_watched;
	__u64 period_ns;
	__u64 threshold_ns;
	__u32 hist_buckets;
	__u32 spike_capacity;	/* per CPU and latency type */
	__u32 prio;
	__u32 flags;		/* reserved, 0 */
	__u64 start_ns;		/* CLOCK_MONOTONIC when sampling began */
	__u64 stop_ns;		/* when it stopped, 0 while running */
};

/* RTNOISE_IOC_START: configure and start sampling. */
struct rtnoise_config {
	__u32 abi_version;
	__u32 flags;		/* must be 0 */
	__u64 period_ns;
	__u64 threshold_ns;	/* samples >= this become spike records */
	__u32 hist_buckets;	/* 1 us buckets; larger samples overflow */
	__u32 spike_capacity;	/* per CPU and type, power of two */
	__u32 prio;		/* SCHED_FIFO priority of the kthreads */
	__u32 cpumask_bytes;	/* size of the bitmap at cpumask_ptr */
	__u64 cpumask_ptr;	/* CPUs to watch, bit n = CPU n, in __u64s */
};

/* Flags of struct rtnoise_cpu_stats. */
#define RTNOISE_CPU_WATCHED	(1U << 0)
#define RTNOISE_CPU_ONLINE	(1U << 1)	/* sampler running there now */

/* RTNOISE_IOC_CPU_STATS: one CPU's summary and histogram for one type. */
struct rtnoise_cpu_stats {
	__u32 abi_version;
	__u32 cpu;		/* in */
	__u32 type;		/* in: enum rtnoise_lat_type */
	__u32 hist_len;		/* in: room at hist_ptr (entries); out: used */
	__u64 hist_ptr;		/* in: __u64[hist_len], or 0 for none */
	__u64 count;
	__u64 min_ns;
	__u64 max_ns;
	__u64 sum_ns;
	__u64 overflows;	/* samples beyond the last bucket */
	__u64 spikes;		/* samples >= threshold, recorded or not */
	__u64 missed;		/* periods skipped: sampler still busy */
	__u32 flags;		/* RTNOISE_CPU_* */
	__u32 hotplug_offline;	/* times the CPU went offline in the run */
	__u32 pid;		/* the sampler kthread, 0 if none */
	__u32 start_error;	/* errno of a failed restart after the CPU
				 * came back online, EBUSY if the thread
				 * was pushed off the CPU (going offline)
				 * before it first ran; 0 if none */
};

/* One sample at or over the threshold. */
struct rtnoise_spike {
	__u64 seq;		/* per CPU and type, from 0 */
	__u64 cycle;		/* period number since start */
	__u64 expected_ns;	/* when the timer should have fired */
	__u64 observed_ns;	/* when the callback or thread ran */
	__u32 cpu;
	__u32 type;		/* enum rtnoise_lat_type */
	__u64 smis;		/* SMIs on the CPU since its previous spike
				 * (Intel's MSR_SMI_COUNT; 0 where absent) */
	__u64 steal_ns;		/* steal time accounted on the CPU since the
				 * timer was armed (in a guest) */
};

/*
 * RTNOISE_IOC_SPIKES: copy spike records of one CPU and type, oldest first,
 * starting at sequence number from_seq. Reading does not consume: any
 * number of readers may read the same records.
 */
struct rtnoise_spikes {
	__u32 abi_version;
	__u32 cpu;		/* in */
	__u32 type;		/* in */
	__u32 max;		/* in: room at buf_ptr (records) */
	__u64 from_seq;		/* in */
	__u64 buf_ptr;		/* in: struct rtnoise_spike[max] */
	__u64 next_seq;		/* out: from_seq for the next call */
	__u64 lost;		/* out: records >= from_seq overwritten */
	__u32 returned;		/* out */
	__u32 reserved;
};

#define RTNOISE_IOC_MAGIC	0xB7

#define RTNOISE_IOC_INFO	_IOWR(RTNOISE_IOC_MAGIC, 0, struct rtnoise_info)
#define RTNOISE_IOC_START	_IOW(RTNOISE_IOC_MAGIC, 1, struct rtnoise_config)
#define RTNOISE_IOC_STOP	_IO(RTNOISE_IOC_MAGIC, 2)
#define RTNOISE_IOC_RESET	_IO(RTNOISE_IOC_MAGIC, 3)
#define RTNOISE_IOC_CPU_STATS	_IOWR(RTNOISE_IOC_MAGIC, 4, \
				      struct rtnoise_cpu_stats)
#define RTNOISE_IOC_SPIKES	_IOWR(RTNOISE_IOC_MAGIC, 5, \
				      struct rtnoise_spikes)

#endif /* RTNOISE_ABI_H */
