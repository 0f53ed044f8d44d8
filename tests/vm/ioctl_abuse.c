// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl_abuse.c - feed /dev/rtnoise every bad argument we can think of and
 * check each is refused with the right errno, then that a good one works.
 * Run as root inside a VM with rtnoise.ko loaded and the sampler idle.
 * Usage: ioctl_abuse <online-cpu> <offline-or-absent-cpu>
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../kmod/rtnoise_abi.h"

static int failures;
static int passes;

static void expect(const char *what, int ret, int want_errno)
{
	int got = ret < 0 ? errno : 0;

	if (got == want_errno) {
		passes++;
		return;
	}
	failures++;
	fprintf(stderr, "FAIL %s: errno %d (%s), want %d (%s)\n", what, got,
		strerror(got), want_errno, strerror(want_errno));
}

static struct rtnoise_config good_config(uint64_t *mask, unsigned int cpu)
{
	struct rtnoise_config c;

	memset(&c, 0, sizeof(c));
	memset(mask, 0, 16 * sizeof(*mask));
	mask[cpu / 64] |= 1ULL << (cpu % 64);
	c.abi_version = RTNOISE_ABI_VERSION;
	c.period_ns = 1000000;
	c.threshold_ns = 50000;
	c.hist_buckets = 1000;
	c.spike_capacity = 64;
	c.prio = 90;
	c.cpumask_bytes = 16 * sizeof(*mask);
	c.cpumask_ptr = (uintptr_t)mask;
	return c;
}

/* effective_sys_admin - raise or drop CAP_SYS_ADMIN, keeping it permitted */
static int effective_sys_admin(int on)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	if (on)
		d[0].effective |= 1U << CAP_SYS_ADMIN;
	else
		d[0].effective &= ~(1U << CAP_SYS_ADMIN);
	return syscall(SYS_capset, &h, d);
}

int main(int argc, char **argv)
{
	struct rtnoise_config c;
	struct rtnoise_info info;
	struct rtnoise_cpu_stats st;
	struct rtnoise_spikes sp;
	uint64_t mask[16];
	unsigned int cpu, bad_cpu;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: %s <online-cpu> <offline-cpu>\n", argv[0]);
		return 2;
	}
	cpu = atoi(argv[1]);
	bad_cpu = atoi(argv[2]);

	fd = open("/dev/rtnoise", O_RDWR);
	if (fd < 0) {
		perror("open /dev/rtnoise");
		return 1;
	}

	expect("unknown ioctl", ioctl(fd, _IO(RTNOISE_IOC_MAGIC, 42)), ENOTTY);
	expect("foreign ioctl", ioctl(fd, _IOR('T', 1, int), &cpu), ENOTTY);
	expect("INFO NULL", ioctl(fd, RTNOISE_IOC_INFO, NULL), EFAULT);
	memset(&info, 0, sizeof(info));
	info.abi_version = 999;
	expect("INFO wrong ABI", ioctl(fd, RTNOISE_IOC_INFO, &info), EPROTO);
	if (info.abi_version != RTNOISE_ABI_VERSION) {
		fprintf(stderr, "FAIL INFO wrong ABI: the module's ABI %u not "
			"written back\n", info.abi_version);
		failures++;
	} else {
		passes++;
	}
	info.abi_version = RTNOISE_ABI_VERSION;
	expect("INFO", ioctl(fd, RTNOISE_IOC_INFO, &info), 0);
	if (info.state != RTNOISE_STATE_IDLE) {
		fprintf(stderr, "FAIL sampler not idle at start\n");
		failures++;
	}

	/* Reads and stops before anything runs. */
	memset(&st, 0, sizeof(st));
	st.abi_version = RTNOISE_ABI_VERSION;
	expect("CPU_STATS idle", ioctl(fd, RTNOISE_IOC_CPU_STATS, &st), ENODATA);
	expect("STOP idle", ioctl(fd, RTNOISE_IOC_STOP), ENODATA);

	/* START with each field wrong in turn. */
	expect("START NULL", ioctl(fd, RTNOISE_IOC_START, NULL), EFAULT);
#define BAD_START(field, value, err)                                          \
	do {                                                                  \
		c = good_config(mask, cpu);                                   \
		c.field = value;                                              \
		expect("START " #field "=" #value,                            \
		       ioctl(fd, RTNOISE_IOC_START, &c), err);                \
	} while (0)
	BAD_START(abi_version, 0, EPROTO);
	BAD_START(flags, 1, EINVAL);
	BAD_START(period_ns, 1000, EINVAL);
	BAD_START(period_ns, 5000000000ULL, EINVAL);
	BAD_START(threshold_ns, 0, EINVAL);
	BAD_START(hist_buckets, 0, EINVAL);
	BAD_START(hist_buckets, RTNOISE_HIST_MAX_BUCKETS + 1, EINVAL);
	BAD_START(spike_capacity, 100, EINVAL);
	BAD_START(spike_capacity, 8, EINVAL);
	BAD_START(prio, 0, EINVAL);
	BAD_START(prio, 100, EINVAL);
	BAD_START(cpumask_bytes, 0, EINVAL);
	BAD_START(cpumask_bytes, 7, EINVAL);
	BAD_START(cpumask_bytes, RTNOISE_CPUMASK_MAX_BYTES + 8, EINVAL);
	BAD_START(cpumask_ptr, 0, EFAULT);
	BAD_START(cpumask_ptr, 16, EFAULT);

	c = good_config(mask, cpu);
	memset(mask, 0, sizeof(mask));
	expect("START empty mask", ioctl(fd, RTNOISE_IOC_START, &c), EINVAL);
	c = good_config(mask, cpu);
	mask[15] = 1ULL << 63;	/* CPU 1023 */
	expect("START CPU >= nr_cpu_ids", ioctl(fd, RTNOISE_IOC_START, &c),
	       info.nr_cpu_ids > 1023 ? ENODEV : EINVAL);
	c = good_config(mask, bad_cpu);
	expect("START offline CPU", ioctl(fd, RTNOISE_IOC_START, &c),
	       bad_cpu < info.nr_cpu_ids ? ENODEV : EINVAL);

	/* A good start, then everything a running sampler must refuse. */
	c = good_config(mask, cpu);
	expect("START good", ioctl(fd, RTNOISE_IOC_START, &c), 0);
	expect("START twice", ioctl(fd, RTNOISE_IOC_START, &c), EBUSY);
	usleep(200000);

	memset(&st, 0, sizeof(st));
	st.abi_version = RTNOISE_ABI_VERSION;
	st.cpu = 99999;
	expect("CPU_STATS cpu 99999", ioctl(fd, RTNOISE_IOC_CPU_STATS, &st), EINVAL);
	st.cpu = cpu;
	st.type = 7;
	expect("CPU_STATS type 7", ioctl(fd, RTNOISE_IOC_CPU_STATS, &st), EINVAL);
	st.type = RTNOISE_LAT_THREAD;
	st.hist_ptr = 16;
	st.hist_len = 10;
	expect("CPU_STATS bad hist_ptr", ioctl(fd, RTNOISE_IOC_CPU_STATS, &st), EFAULT);
	st.hist_ptr = 0;
	expect("CPU_STATS no hist", ioctl(fd, RTNOISE_IOC_CPU_STATS, &st), 0);
	if (st.count == 0 || st.hist_len != 0 || !(st.flags & RTNOISE_CPU_ONLINE)) {
		fprintf(stderr, "FAIL CPU_STATS: count %llu hist_len %u flags %#x\n",
			(unsigned long long)st.count, st.hist_len, st.flags);
		failures++;
	}
	st.cpu = cpu == 0 ? 1 : 0;
	expect("CPU_STATS unwatched", ioctl(fd, RTNOISE_IOC_CPU_STATS, &st), ENOENT);

	memset(&sp, 0, sizeof(sp));
	sp.abi_version = RTNOISE_ABI_VERSION;
	sp.cpu = cpu;
	sp.max = 10;
	expect("SPIKES NULL buf", ioctl(fd, RTNOISE_IOC_SPIKES, &sp), EINVAL);
	sp.buf_ptr = 16;
	sp.max = 0;
	expect("SPIKES max 0", ioctl(fd, RTNOISE_IOC_SPIKES, &sp), 0);
	sp.type = 2;
	expect("SPIKES type 2", ioctl(fd, RTNOISE_IOC_SPIKES, &sp), EINVAL);
	sp.abi_version = 0;
	expect("SPIKES wrong ABI", ioctl(fd, RTNOISE_IOC_SPIKES, &sp), EPROTO);

	/* An open fd without CAP_SYS_ADMIN reads, but controls nothing. */
	if (effective_sys_admin(0)) {
		fprintf(stderr, "FAIL cannot drop CAP_SYS_ADMIN: %s\n", strerror(errno));
		failures++;
	}
	expect("STOP without CAP_SYS_ADMIN", ioctl(fd, RTNOISE_IOC_STOP), EPERM);
	expect("RESET without CAP_SYS_ADMIN", ioctl(fd, RTNOISE_IOC_RESET), EPERM);
	c = good_config(mask, cpu);
	expect("START without CAP_SYS_ADMIN", ioctl(fd, RTNOISE_IOC_START, &c), EPERM);
	st.type = RTNOISE_LAT_IRQ;
	st.cpu = cpu;
	st.hist_ptr = 0;
	st.abi_version = RTNOISE_ABI_VERSION;
	expect("CPU_STATS without CAP_SYS_ADMIN", ioctl(fd, RTNOISE_IOC_CPU_STATS, &st), 0);
	effective_sys_admin(1);

	expect("STOP", ioctl(fd, RTNOISE_IOC_STOP), 0);
	expect("STOP again", ioctl(fd, RTNOISE_IOC_STOP), 0);
	expect("RESET", ioctl(fd, RTNOISE_IOC_RESET), 0);
	expect("RESET again", ioctl(fd, RTNOISE_IOC_RESET), 0);
	close(fd);

	printf("ioctl_abuse: %d passed, %d failed\n", passes, failures);
	return failures ? 1 : 0;
}
