// SPDX-License-Identifier: GPL-2.0
/*
 * pingpong.c - a context-switch-heavy load: two processes pinned to one
 * CPU pass a byte back and forth through two pipes. Every round trip is
 * two context switches on that CPU, so the rate shows what tracing
 * sched_switch (and what it wakes) costs.
 *
 *   pingpong CPU SECONDS    prints "round_trips_per_sec N"
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		exit(1);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int ping[2], pong[2], cpu, secs;
	unsigned long trips = 0;
	double start, end;
	char c = 0;
	pid_t child;

	if (argc != 3) {
		fprintf(stderr, "usage: %s CPU SECONDS\n", argv[0]);
		return 2;
	}
	cpu = atoi(argv[1]);
	secs = atoi(argv[2]);
	if (pipe(ping) || pipe(pong)) {
		perror("pipe");
		return 1;
	}
	pin(cpu);
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		while (read(ping[0], &c, 1) == 1)
			if (write(pong[1], &c, 1) != 1)
				break;
		_exit(0);
	}

	start = now_s();
	end = start + secs;
	do {
		for (int i = 0; i < 1000; i++) {
			if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1) {
				perror("pipe");
				return 1;
			}
		}
		trips += 1000;
	} while (now_s() < end);
	end = now_s();

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	printf("round_trips_per_sec %.0f\n", trips / (end - start));
	return 0;
}
