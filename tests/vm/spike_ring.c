// SPDX-License-Identifier: GPL-2.0
/*
 * spike_ring.c - read the spike rings of /dev/rtnoise while the sampler
 * laps them, and check that no record a read returns is one the writer
 * was rewriting.
 *
 * Every sample is a spike (threshold 1 us), every period is the shortest
 * (50 us) and each ring holds the fewest records (16), so the writer
 * overwrites the oldest record of a ring all the time; readers ask for
 * the whole ring from sequence 0, i.e. start at the oldest record, the
 * one whose slot the writer takes next. A record is intact when its seq
 * is the position the read says it has, its CPU and type are the ring's,
 * it was observed no earlier than expected, and the records of one read
 * follow each other in seq, cycle and expected time. Every read must
 * also account for all sequence numbers before next_seq: lost +
 * returned = next_seq.
 *
 * Run as root inside a VM with rtnoise.ko loaded and the sampler idle.
 * Usage: spike_ring <cpu> <seconds>
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../../kmod/rtnoise_abi.h"

#define RING 16U
#define READERS 2

static int fd;
static unsigned int cpu;
static atomic_int stop;

struct tally {
	unsigned long long reads, records, torn, miscounted, errors;
	char first[256];	/* the first bad record, described */
};

static void bad(struct tally *t, unsigned long long *what, const char *fmt,
		unsigned long long a, unsigned long long b)
{
	(*what)++;
	if (!t->first[0])
		snprintf(t->first, sizeof(t->first), fmt, a, b);
}

/* check_read - one read's records, returned at positions next - n .. */
static void check_read(struct tally *t, const struct rtnoise_spikes *r,
		       const struct rtnoise_spike *buf, unsigned int type)
{
	uint64_t pos = r->next_seq - r->returned;
	uint32_t i;

	if (r->lost + r->returned != r->next_seq)
		bad(t, &t->miscounted, "lost + returned = %llu, next_seq %llu",
		    r->lost + r->returned, r->next_seq);
	for (i = 0; i < r->returned; i++) {
		const struct rtnoise_spike *s = &buf[i];

		t->records++;
		if (s->seq != pos + i)
			bad(t, &t->torn, "record at position %llu has seq %llu",
			    pos + i, s->seq);
		else if (s->cpu != cpu || s->type != type)
			bad(t, &t->torn, "record %llu names CPU/type %llu", s->seq,
			    (unsigned long long)s->cpu << 8 | s->type);
		else if (s->observed_ns < s->expected_ns)
			bad(t, &t->torn, "record %llu observed before expected by %llu ns",
			    s->seq, s->expected_ns - s->observed_ns);
		else if (i && (s->cycle <= buf[i - 1].cycle ||
			       s->expected_ns <= buf[i - 1].expected_ns))
			bad(t, &t->torn, "record %llu not after record %llu", s->seq,
			    buf[i - 1].seq);
	}
}

static void *reader(void *arg)
{
	struct tally *t = arg;
	struct rtnoise_spike buf[RING];
	unsigned int type = 0;

	while (!atomic_load(&stop)) {
		struct rtnoise_spikes r;

		memset(&r, 0, sizeof(r));
		r.abi_version = RTNOISE_ABI_VERSION;
		r.cpu = cpu;
		r.type = type;
		r.max = RING;
		r.from_seq = 0;
		r.buf_ptr = (uintptr_t)buf;
		if (ioctl(fd, RTNOISE_IOC_SPIKES, &r)) {
			bad(t, &t->errors, "SPIKES failed: errno %llu (type %llu)",
			    (unsigned long long)errno, type);
			break;
		}
		t->reads++;
		check_read(t, &r, buf, type);
		type ^= 1;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct tally tally[READERS];
	pthread_t th[READERS];
	struct rtnoise_config c;
	struct rtnoise_cpu_stats st;
	uint64_t mask[16];
	unsigned long long spikes = 0;
	int seconds, i, fail = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s <cpu> <seconds>\n", argv[0]);
		return 2;
	}
	cpu = atoi(argv[1]);
	seconds = atoi(argv[2]);
	fd = open("/dev/rtnoise", O_RDWR);
	if (fd < 0) {
		perror("spike_ring: open /dev/rtnoise");
		return 1;
	}

	memset(&c, 0, sizeof(c));
	memset(mask, 0, sizeof(mask));
	mask[cpu / 64] |= 1ULL << (cpu % 64);
	c.abi_version = RTNOISE_ABI_VERSION;
	c.period_ns = RTNOISE_PERIOD_MIN_NS;
	c.threshold_ns = RTNOISE_THRESHOLD_MIN_NS;
	c.hist_buckets = 100;
	c.spike_capacity = RING;
	c.prio = 90;
	c.cpumask_bytes = sizeof(mask);
	c.cpumask_ptr = (uintptr_t)mask;
	if (ioctl(fd, RTNOISE_IOC_START, &c)) {
		perror("spike_ring: START");
		return 1;
	}

	memset(tally, 0, sizeof(tally));
	for (i = 0; i < READERS; i++)
		pthread_create(&th[i], NULL, reader, &tally[i]);
	sleep(seconds);
	atomic_store(&stop, 1);
	for (i = 0; i < READERS; i++)
		pthread_join(th[i], NULL);

	for (unsigned int type = 0; type < RTNOISE_LAT_NR; type++) {
		memset(&st, 0, sizeof(st));
		st.abi_version = RTNOISE_ABI_VERSION;
		st.cpu = cpu;
		st.type = type;
		if (!ioctl(fd, RTNOISE_IOC_CPU_STATS, &st))
			spikes += st.spikes;
	}
	if (ioctl(fd, RTNOISE_IOC_STOP) || ioctl(fd, RTNOISE_IOC_RESET)) {
		perror("spike_ring: STOP/RESET");
		fail = 1;
	}
	close(fd);

	for (i = 0; i < READERS; i++) {
		struct tally *t = &tally[i];

		printf("spike_ring: reader %d: %llu reads, %llu records, %llu torn, "
		       "%llu miscounted, %llu errors%s%s\n",
		       i, t->reads, t->records, t->torn, t->miscounted, t->errors,
		       t->first[0] ? "; first: " : "", t->first);
		if (t->torn || t->miscounted || t->errors || !t->records)
			fail = 1;
	}
	/* The rings must have been lapped many times for this to mean much. */
	printf("spike_ring: %llu spikes written into rings of %u\n", spikes, RING);
	if (spikes < 100ULL * RING)
		fail = 1;
	return fail;
}
