// SPDX-License-Identifier: GPL-2.0
/*
 * plant.c - put in an attached tracer's maps what the kernel leaves
 * behind only by chance, so that the tracer's handling of it is tested
 * every run.
 *
 *   plant parked PIN_DIR PID CPU ID
 *	a stale entry in the parked map, as a kworker that slept in a work
 *	item on CPU and finished it elsewhere (or a task that died, its pid
 *	now another's) leaves one: PID slept on CPU inside a work item
 *	whose function is ID, with an identity no live task has
 *	(start_time 0). The tracer must drop it when PID next runs there,
 *	not charge PID's time to the item. Counted in CPU's ring head as
 *	the tracer counts what it parks.
 *
 *   plant frame PIN_DIR CPU IPI
 *	an open IPI frame (RTNOISE_IPI_*) on top of CPU's contexts, as an
 *	IPI leaves one whose entry ran while attach was enabling the exit's
 *	tracepoint (the IPIs that patch its code): its exit never comes.
 *	The tracer must drop it at the next system vector, not charge it
 *	the CPU's time from then on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rtnoise_bpf.h"

static int map(const char *dir, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "plant: %s: %s\n", path, strerror(errno));
	return fd;
}

/* slot_of - @cpu's slot in the tracer pinned at @dir, or -1 */
static int slot_of(const char *dir, __u32 cpu)
{
	struct rtnoise_meta meta;
	__u32 zero = 0, s;
	int fd = map(dir, "meta");

	if (fd < 0)
		return -1;
	if (bpf_map_lookup_elem(fd, &zero, &meta)) {
		perror("plant: meta");
		return -1;
	}
	for (s = 0; s < meta.nr_slots && s < RTNOISE_BPF_MAX_CPUS; s++)
		if (meta.slot_cpu[s] == cpu)
			return (int)s;
	fprintf(stderr, "plant: CPU %u is not watched\n", cpu);
	return -1;
}

static int plant_parked(const char *dir, __u32 pid, __u32 cpu, __u64 id)
{
	struct rtnoise_parked p = { .n = 1 };
	struct rtnoise_ring_head *heads;
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	int s = slot_of(dir, cpu), parked_fd = map(dir, "parked");
	int heads_fd = map(dir, "heads");
	size_t bytes;

	if (s < 0 || parked_fd < 0 || heads_fd < 0)
		return 1;
	if (bpf_obj_get_info_by_fd(heads_fd, &info, &len)) {
		perror("plant: heads");
		return 1;
	}
	bytes = (size_t)info.max_entries * info.value_size;
	bytes = (bytes + 4095) & ~(size_t)4095;
	heads = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, heads_fd, 0);
	if (heads == MAP_FAILED) {
		perror("plant: mmap heads");
		return 1;
	}
	p.cpu = cpu;
	p.f[0].kind = RTNOISE_KIND_WORKQUEUE;
	p.f[0].id = id;
	if (bpf_map_update_elem(parked_fd, &pid, &p, BPF_NOEXIST)) {
		perror("plant: parked");
		return 1;
	}
	__atomic_fetch_add(&heads[s].parked, 1, __ATOMIC_SEQ_CST);
	return 0;
}

/*
 * plant_frame - the per-CPU state is read, changed on @cpu and written
 * back whole: a program that runs on @cpu meanwhile (an interrupt of the
 * spin there, a few a tick) may see its change lost, which the check
 * after it tolerates.
 */
static int plant_frame(const char *dir, __u32 cpu, __u64 ipi)
{
	int ncpus = libbpf_num_possible_cpus(), fd = map(dir, "state");
	struct rtnoise_cpu_state *all, *st;
	struct timespec now;
	__u32 zero = 0;

	if (fd < 0 || ncpus <= 0 || (int)cpu >= ncpus)
		return 1;
	all = calloc((size_t)ncpus, sizeof(*all));
	if (!all || bpf_map_lookup_elem(fd, &zero, all)) {
		perror("plant: state");
		return 1;
	}
	st = &all[cpu];
	if (st->depth < 1 || st->depth >= RTNOISE_BPF_MAX_DEPTH) {
		fprintf(stderr, "plant: CPU %u has %u contexts open\n", cpu, st->depth);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	st->f[st->depth] = (struct rtnoise_frame){
		.start = (__u64)now.tv_sec * 1000000000ULL + (__u64)now.tv_nsec,
		.kind = RTNOISE_KIND_IPI,
		.id = ipi,
	};
	st->depth++;
	if (bpf_map_update_elem(fd, &zero, all, BPF_EXIST)) {
		perror("plant: state");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "parked"))
		return plant_parked(argv[2], strtoul(argv[3], NULL, 0),
				    strtoul(argv[4], NULL, 0),
				    strtoull(argv[5], NULL, 0));
	if (argc == 5 && !strcmp(argv[1], "frame"))
		return plant_frame(argv[2], strtoul(argv[3], NULL, 0),
				   strtoull(argv[4], NULL, 0));
	fprintf(stderr, "usage: plant parked PIN_DIR PID CPU ID\n"
			"       plant frame PIN_DIR CPU IPI\n");
	return 2;
}
