// SPDX-License-Identifier: GPL-2.0
/*
 * floor.c - load one rung of floor.bpf.c's ladder on sched_switch, with
 * CPU watched, and hold it until SIGINT or SIGTERM (bench/bench-floor.sh).
 *
 *   rtnoise_floor empty|count|clock|filter|ring CPU
 *
 * Prints "attached floor_LEVEL" once the program is on the tracepoint.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "floor.skel.h"

int main(int argc, char **argv)
{
	struct bpf_program *prog, *chosen = NULL;
	struct floor_bpf *skel;
	struct bpf_link *link;
	char name[32], *end;
	unsigned long cpu;
	sigset_t quit;
	int err, sig;

	if (argc != 3) {
		fprintf(stderr, "usage: rtnoise_floor empty|count|clock|filter|ring CPU\n");
		return 2;
	}
	snprintf(name, sizeof(name), "floor_%s", argv[1]);
	/* Taken by sigwait() below, from the start: none is lost. */
	sigemptyset(&quit);
	sigaddset(&quit, SIGINT);
	sigaddset(&quit, SIGTERM);
	sigprocmask(SIG_BLOCK, &quit, NULL);

	skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "rtnoise_floor: open: %s\n", strerror(errno));
		return 1;
	}
	/* As many CPUs as the programs' slot table has. */
	errno = 0;
	cpu = strtoul(argv[2], &end, 10);
	if (errno || end == argv[2] || *end ||
	    cpu >= sizeof(skel->rodata->slot_of) / sizeof(skel->rodata->slot_of[0])) {
		fprintf(stderr, "rtnoise_floor: bad CPU '%s'\n", argv[2]);
		floor_bpf__destroy(skel);
		return 2;
	}
	skel->rodata->slot_of[cpu] = 1;
	bpf_object__for_each_program(prog, skel->obj) {
		bool mine = !strcmp(bpf_program__name(prog), name);

		bpf_program__set_autoload(prog, mine);
		if (mine)
			chosen = prog;
	}
	/* The levels are the object's programs, floor_LEVEL. */
	if (!chosen) {
		fprintf(stderr, "rtnoise_floor: unknown level '%s'\n", argv[1]);
		floor_bpf__destroy(skel);
		return 2;
	}
	err = floor_bpf__load(skel);
	if (err) {
		fprintf(stderr, "rtnoise_floor: load: %s\n", strerror(-err));
		floor_bpf__destroy(skel);
		return 1;
	}
	link = bpf_program__attach(chosen);
	if (!link) {
		fprintf(stderr, "rtnoise_floor: attach %s: %s\n", name, strerror(errno));
		floor_bpf__destroy(skel);
		return 1;
	}
	printf("attached %s\n", name);
	fflush(stdout);
	sigwait(&quit, &sig);
	bpf_link__destroy(link);
	floor_bpf__destroy(skel);
	return 0;
}
