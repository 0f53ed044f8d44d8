// SPDX-License-Identifier: GPL-2.0
/*
 * plant_parked.c - put a stale entry in an attached tracer's parked map,
 * as a kworker that slept in a work item on CPU and finished it elsewhere
 * (or a task that died, its pid now another's) leaves one behind.
 *
 *   plant_parked PIN_DIR PID CPU ID
 *
 * The entry says PID slept on CPU inside a work item whose function is
 * ID, with an identity no live task has (start_time 0): the tracer must
 * drop it when PID next runs there, not charge PID's time to the item.
 * Counts it in CPU's ring head as the tracer counts what it parks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "rtnoise_bpf.h"

static int map(const char *dir, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "plant_parked: %s: %s\n", path, strerror(errno));
	return fd;
}

int main(int argc, char **argv)
{
	struct rtnoise_parked p = { .n = 1 };
	struct rtnoise_ring_head *heads;
	struct rtnoise_meta meta;
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info), zero = 0, pid, cpu, s;
	int meta_fd, parked_fd, heads_fd;
	size_t bytes;

	if (argc != 5) {
		fprintf(stderr, "usage: plant_parked PIN_DIR PID CPU ID\n");
		return 2;
	}
	pid = strtoul(argv[2], NULL, 0);
	cpu = strtoul(argv[3], NULL, 0);
	meta_fd = map(argv[1], "meta");
	parked_fd = map(argv[1], "parked");
	heads_fd = map(argv[1], "heads");
	if (meta_fd < 0 || parked_fd < 0 || heads_fd < 0)
		return 1;
	if (bpf_map_lookup_elem(meta_fd, &zero, &meta)) {
		perror("plant_parked: meta");
		return 1;
	}
	for (s = 0; s < meta.nr_slots && s < RTNOISE_BPF_MAX_CPUS; s++)
		if (meta.slot_cpu[s] == cpu)
			break;
	if (s == meta.nr_slots || s == RTNOISE_BPF_MAX_CPUS) {
		fprintf(stderr, "plant_parked: CPU %u is not watched\n", cpu);
		return 1;
	}
	if (bpf_obj_get_info_by_fd(heads_fd, &info, &len)) {
		perror("plant_parked: heads");
		return 1;
	}
	bytes = (size_t)info.max_entries * info.value_size;
	bytes = (bytes + 4095) & ~(size_t)4095;
	heads = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, heads_fd, 0);
	if (heads == MAP_FAILED) {
		perror("plant_parked: mmap heads");
		return 1;
	}

	p.cpu = cpu;
	p.f[0].kind = RTNOISE_KIND_WORKQUEUE;
	p.f[0].id = strtoull(argv[4], NULL, 0);
	if (bpf_map_update_elem(parked_fd, &pid, &p, BPF_NOEXIST)) {
		perror("plant_parked: parked");
		return 1;
	}
	__atomic_fetch_add(&heads[s].parked, 1, __ATOMIC_SEQ_CST);
	return 0;
}
