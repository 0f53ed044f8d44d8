// SPDX-License-Identifier: GPL-2.0
/*
 * disturb.c - known disturbances for the attribution VM tests.
 *
 *   disturb hog CPU ON_MS OFF_MS SECONDS [PRIO [FILE]]
 *                                           SCHED_FIFO PRIO (99) busy bursts
 *                                           on CPU, named noise-hog once
 *                                           there; prints the number of
 *                                           bursts, and writes each one's
 *                                           CLOCK_MONOTONIC start and end
 *                                           (ns) as a line of FILE
 *   disturb timer CPU PERIOD_US SECONDS     a thread on CPU woken by an
 *                                            hrtimer every PERIOD_US
 *   disturb pingpong CPU FROM SECONDS       wake a thread on CPU from CPU
 *                                            FROM as fast as possible (IPIs)
 *   disturb spin CPU SECONDS [NAME]         a SCHED_OTHER busy loop on CPU
 *                                            that never sleeps (0: until
 *                                            killed), named NAME if given
 *
 * Each names itself (comm) after its mode: noise-hog, noise-timer,
 * noise-pong (the thread on CPU), noise-ping and noise-spin.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void spin_ms(double ms)
{
	double end = now_s() + ms / 1e3;

	while (now_s() < end)
		;
}

static int hog(int cpu, int on_ms, int off_ms, int secs, int prio,
	       const char *path)
{
	struct sched_param sp = { .sched_priority = prio };
	double end = now_s() + secs;
	unsigned long long start;
	FILE *log = NULL;
	int bursts = 0;

	if (path) {
		log = fopen(path, "w");
		if (!log)
			die(path);
		setvbuf(log, NULL, _IOLBF, 0);	/* it may be killed */
	}

	/*
	 * Name itself only once on the CPU, as QEMU's vCPU threads and
	 * DPDK's lcores do: it is first seen there under the program's name.
	 */
	pin(cpu);
	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		die("sched_setscheduler");
	usleep(1000);
	prctl(PR_SET_NAME, "noise-hog");
	while (now_s() < end) {
		start = now_ns();
		spin_ms(on_ms);
		if (log)
			fprintf(log, "%llu %llu\n", start, now_ns());
		bursts++;
		usleep(off_ms * 1000);
	}
	if (log && fclose(log))
		die(path);
	printf("%d\n", bursts);
	return 0;
}

static int timer(int cpu, int period_us, int secs)
{
	struct timespec next;
	double end = now_s() + secs;

	prctl(PR_SET_NAME, "noise-timer");
	pin(cpu);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (now_s() < end) {
		next.tv_nsec += period_us * 1000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		spin_ms(0.05);
	}
	return 0;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static unsigned long posted, seen;
static int done;
static int pong_cpu;

static void *pong(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "noise-pong");
	pin(pong_cpu);
	pthread_mutex_lock(&lock);
	while (!done) {
		while (seen == posted && !done)
			pthread_cond_wait(&cond, &lock);
		seen = posted;
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

static int pingpong(int cpu, int from, int secs)
{
	double end = now_s() + secs;
	pthread_t t;

	prctl(PR_SET_NAME, "noise-ping");
	pong_cpu = cpu;
	pin(from);
	if (pthread_create(&t, NULL, pong, NULL))
		die("pthread_create");
	while (now_s() < end) {
		pthread_mutex_lock(&lock);
		posted++;
		pthread_cond_signal(&cond);
		pthread_mutex_unlock(&lock);
		usleep(500);
	}
	pthread_mutex_lock(&lock);
	done = 1;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(t, NULL);
	printf("pingpong: %lu wakeups posted\n", posted);
	return 0;
}

static int spin(int cpu, int secs, const char *name)
{
	prctl(PR_SET_NAME, name);
	pin(cpu);
	if (secs > 0)
		spin_ms(secs * 1e3);
	else
		for (;;)
			;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && argc <= 8 && !strcmp(argv[1], "hog"))
		return hog(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
			   argc > 6 ? atoi(argv[6]) : 99, argc > 7 ? argv[7] : NULL);
	if (argc == 5 && !strcmp(argv[1], "timer"))
		return timer(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "pingpong"))
		return pingpong(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "spin"))
		return spin(atoi(argv[2]), atoi(argv[3]),
			    argc == 5 ? argv[4] : "noise-spin");
	fprintf(stderr, "usage: disturb hog CPU ON_MS OFF_MS SECONDS [PRIO [FILE]] | "
		"timer CPU PERIOD_US SECONDS | pingpong CPU FROM SECONDS | "
		"spin CPU SECONDS [NAME]\n");
	return 2;
}
