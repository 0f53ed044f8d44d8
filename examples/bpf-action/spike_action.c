// SPDX-License-Identifier: GPL-2.0
/*
 * spike_action.c - load spike_action.bpf.c on rtnoise.ko's spike
 * tracepoint and print a line for each spike it sends, until COUNT
 * spikes, SECONDS, SIGINT or SIGTERM.
 *
 *   rtnoise_spike_action [-t THRESHOLD_US] [-n COUNT] [-d SECONDS]
 *
 * rtnoise.ko must be loaded (its tracepoint is the module's); the
 * sampler may start before or after. Prints "attached" once the program
 * is on the tracepoint, then per spike:
 *   spike cpu=3 type=thread seq=12 latency_us=1234 pid=87 comm=noise-hog
 *     stack=0xffffffff81234567,...
 * Exits 0 when it saw COUNT spikes (or was stopped), 1 when -d ran out
 * first or on an error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "spike_action.h"
#include "spike_action.skel.h"

static volatile sig_atomic_t stop;
static unsigned long seen, count;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* on_event - one spike from the ring buffer, as a line on stdout */
static int on_event(void *ctx, void *data, size_t size)
{
	const struct spike_action_event *e = data;
	char comm[sizeof(e->comm) + 1];
	unsigned int i;

	(void)ctx;
	/* A poll hands over every record it finds: none past COUNT. */
	if (size < sizeof(*e) || (count && seen >= count))
		return 0;
	/* A comm is bytes: print what is printable, '?' for the rest. */
	for (i = 0; i < sizeof(e->comm) && e->comm[i]; i++)
		comm[i] = e->comm[i] > 0x20 && e->comm[i] < 0x7f ? e->comm[i] : '?';
	comm[i] = 0;
	printf("spike cpu=%u type=%s seq=%llu latency_us=%llu pid=%u comm=%s stack=",
	       e->cpu, e->type ? "thread" : "irq", (unsigned long long)e->seq,
	       (unsigned long long)(e->latency_ns / 1000), e->pid, comm);
	for (i = 0; i < e->nr_frames && i < SPIKE_ACTION_STACK; i++)
		printf("%s0x%llx", i ? "," : "", (unsigned long long)e->stack[i]);
	printf("\n");
	fflush(stdout);
	if (count && ++seen >= count)
		stop = 1;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long threshold_us = 0;
	unsigned long seconds = 0;
	struct spike_action_bpf *skel;
	struct ring_buffer *rb = NULL;
	time_t end;
	int opt, err = 1;

	while ((opt = getopt(argc, argv, "t:n:d:")) != -1) {
		switch (opt) {
		case 't': threshold_us = strtoull(optarg, NULL, 10); break;
		case 'n': count = strtoul(optarg, NULL, 10); break;
		case 'd': seconds = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: rtnoise_spike_action [-t THRESHOLD_US] "
					"[-n COUNT] [-d SECONDS]\n");
			return 2;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	skel = spike_action_bpf__open();
	if (!skel) {
		fprintf(stderr, "rtnoise_spike_action: open: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->min_latency_ns = threshold_us * 1000;
	if (spike_action_bpf__load(skel)) {
		fprintf(stderr, "rtnoise_spike_action: load: %s\n", strerror(errno));
		goto cleanup;
	}
	if (spike_action_bpf__attach(skel)) {
		fprintf(stderr, "rtnoise_spike_action: attach to rtnoise_spike: %s "
				"(is rtnoise.ko loaded?)\n", strerror(errno));
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "rtnoise_spike_action: ring buffer: %s\n", strerror(errno));
		goto cleanup;
	}
	printf("attached\n");
	fflush(stdout);
	end = time(NULL) + (time_t)seconds;
	while (!stop && (!seconds || time(NULL) < end)) {
		int n = ring_buffer__poll(rb, 200);

		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "rtnoise_spike_action: poll: %s\n", strerror(-n));
			goto cleanup;
		}
	}
	err = stop ? 0 : 1;
cleanup:
	ring_buffer__free(rb);
	spike_action_bpf__destroy(skel);
	return err;
}
