// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl_fuzz.c - random ioctls on /dev/rtnoise, from a seed.
 *
 * Each call is one of the real RTNOISE_IOC_* commands or a random command
 * number (random _IOC direction, type, number and size), with an argument
 * that is NULL, unmapped, read-only, straddling the end of a mapping, a
 * kernel or non-canonical address, or valid, and, inside the structures,
 * random knobs, ABI versions, CPU masks (0 bytes to huge, bits for absent
 * and offline CPUs) and inner pointers of the same kinds. START, STOP and
 * RESET come in random order among the reads.
 *
 * Any errno is accepted where more than one could apply; where only one
 * can, it must be that one: ENOTTY for an unknown command, EPERM for
 * START, STOP and RESET without CAP_SYS_ADMIN, EPROTO for INFO with
 * another ABI version (and the module's written back), and in root mode
 * ENODATA for STOP and the reads before any run. What is checked is what
 * must not happen: a success that could not have happened (a request whose
 * structure the kernel could not read or write, an invalid configuration
 * accepted, an unknown command), and a success that returned garbage:
 * INFO not filling its structure or disagreeing with what was started,
 * CPU_STATS or SPIKES writing past what they say they returned or less
 * than that, spike records out of sequence or under the threshold, the
 * state after START, STOP and RESET (read back with INFO) not the one
 * they promise. A request that should have succeeded may fail only with
 * ENOMEM.
 *
 *   ioctl_fuzz [-s SEED] [-n CALLS] [-m root|capset|setuid] [-o CPU]
 *              [-O EVERY] [-v]
 *
 * -m root (the default): every call with CAP_SYS_ADMIN, in one process;
 *    the outcome of each call is predicted from a model of the sampler.
 * -m capset: the device is opened, then CAP_SYS_ADMIN dropped from every
 *    set (the process stays uid 0): open must now fail with EPERM, and
 *    START, STOP and RESET with EPERM; reads go on.
 * -m setuid: the device is opened, then the process becomes nobody.
 * In both unprivileged modes a privileged parent starts, stops and resets
 * the sampler with random configurations meanwhile, so that the reads
 * meet every state.
 * -o CPU: in root mode, take CPU offline and online again about every
 *    EVERY calls (-O, 10000 by default), so that masks name an offline
 *    CPU and sampling meets hotplug; CPU is left online.
 * -v: print each call before making it (a failure names the call's index:
 *    the same seed with -n index+1 -v shows how it was reached).
 *
 * Run as root inside a VM with rtnoise.ko loaded and nothing else using
 * the sampler. On exit the sampler is stopped and reset (state IDLE).
 * Exit status: 0 if nothing unexpected, 1 otherwise, 2 on usage or setup
 * errors, 3 if a call made no progress for a minute.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../kmod/rtnoise_abi.h"

#define MAX_CPUS	64		/* CPUs the model tracks */
#define DATA_BYTES	(1024 * 1024 + 65536)	/* > 100000 buckets */
#define CANARY		0xa5a5a5a5a5a5a5a5ULL
#define STALL_SECONDS	60

/* ---- random numbers --------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)	/* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static int one_in(uint64_t n)
{
	return below(n) == 0;
}

static uint64_t between(uint64_t lo, uint64_t hi)	/* inclusive */
{
	return hi - lo == UINT64_MAX ? rnd() : lo + below(hi - lo + 1);
}

/* ---- what was called, what happened ----------------------------------- */

enum kind { K_INFO, K_START, K_STOP, K_RESET, K_STATS, K_SPIKES, K_OTHER, K_NR };
static const char *const kind_name[K_NR] = {
	"INFO", "START", "STOP", "RESET", "CPU_STATS", "SPIKES", "other",
};

/* Pointer kinds, for arguments and for the pointers inside them. */
enum ptr { P_VALID, P_NULL, P_UNMAPPED, P_RO, P_STRADDLE, P_KERNEL,
	   P_NONCANON, P_LOW, P_TOP, P_RANDOM, P_NR };
static const char *const ptr_name[P_NR] = {
	"valid", "NULL", "unmapped", "read-only", "straddling", "kernel",
	"non-canonical", "low", "top-of-user", "random",
};

/* What a call must do. */
enum expect {
	E_ANY,		/* success or any errno */
	E_OK,		/* success (ENOMEM tolerated) */
	E_FAIL,		/* any errno, never success */
	E_ERRNO,	/* exactly want_errno */
};

static struct {
	unsigned long idx;
	unsigned int cmd;
	enum kind kind;
	enum ptr argp, inner;
	uint64_t arg;
} cur;
static volatile sig_atomic_t in_call;
static volatile unsigned long progress;
static volatile pid_t child_pid;	/* the unprivileged fuzzer, in its parent */

static const char *mode = "root";
static uint64_t seed;
static unsigned long ncalls = 100000;
static int verbose;
static unsigned long calls[K_NR], oks[K_NR];
static double kind_time[K_NR];	/* seconds in the calls of each kind */
static unsigned long unexpected;
static unsigned long errnos[256];
static unsigned long hotplugs, verify_calls;
static long page;

static void describe(FILE *f)
{
	fprintf(f, "call #%lu: %s cmd %#x arg %s %#" PRIx64 " inner %s",
		cur.idx, kind_name[cur.kind], cur.cmd, ptr_name[cur.argp],
		cur.arg, ptr_name[cur.inner]);
}

static void bad(const char *fmt, ...)
{
	va_list ap;

	unexpected++;
	if (unexpected > 30)
		return;
	fprintf(stderr, "UNEXPECTED seed %" PRIu64 " ", seed);
	describe(stderr);
	fputs(": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- memory: where arguments point ------------------------------------ */

static uint8_t *arg_page;	/* RW page, then a PROT_NONE guard */
static uint8_t *ro_page;	/* PROT_READ */
static uint8_t *hole;		/* a page mapped, then unmapped */
static uint8_t *data;		/* DATA_BYTES RW, then a PROT_NONE guard */

static int setup_memory(void)
{
	uint8_t *m;

	page = sysconf(_SC_PAGESIZE);
	/* [arg][guard] [ro] [guard][hole][guard] [data...][guard] */
	m = mmap(NULL, 6 * page + DATA_BYTES + page, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	arg_page = m;
	ro_page = m + 2 * page;
	hole = m + 4 * page;
	data = m + 6 * page;
	if (mprotect(arg_page, page, PROT_READ | PROT_WRITE) ||
	    mprotect(ro_page, page, PROT_READ | PROT_WRITE) ||
	    mprotect(data, DATA_BYTES, PROT_READ | PROT_WRITE))
		return -1;
	memset(ro_page, 0x5a, page);
	if (mprotect(ro_page, page, PROT_READ))
		return -1;
	/* The hole: mapped once, then unmapped, between two guards. */
	if (mprotect(hole, page, PROT_READ | PROT_WRITE))
		return -1;
	hole[0] = 1;
	return munmap(hole, page);
}

/* range_ok - whether [p, p+len) is readable (and writable if @write) */
static int range_ok(uint64_t p, uint64_t len, int write)
{
	uint64_t a = (uintptr_t)arg_page, r = (uintptr_t)ro_page,
		 d = (uintptr_t)data;

	if (!len)
		return 1;
	if (p + len < p)
		return 0;
	if (p >= a && p + len <= a + page)
		return 1;
	if (p >= d && p + len <= d + DATA_BYTES)
		return 1;
	return !write && p >= r && p + len <= r + page;
}

/*
 * place_arg - put @len bytes of @src where a pointer of kind @k points,
 * and return the pointer. Structures go in the arg page or the read-only
 * page (whose protection is lifted for the copy).
 */
static uint64_t place_arg(enum ptr k, const void *src, size_t len)
{
	uint8_t *p;
	size_t cut;

	switch (k) {
	case P_VALID:
		p = arg_page + below(page - len + 1);
		memcpy(p, src, len);
		return (uintptr_t)p;
	case P_RO:
		p = ro_page + below(page - len + 1);
		mprotect(ro_page, page, PROT_READ | PROT_WRITE);
		memcpy(p, src, len);
		mprotect(ro_page, page, PROT_READ);
		return (uintptr_t)p;
	case P_STRADDLE:
		if (len < 2)
			len = 2;
		cut = between(1, len - 1);	/* bytes before the guard */
		p = arg_page + page - cut;
		memcpy(p, src, cut);
		return (uintptr_t)p;
	case P_NULL:
		return 0;
	case P_UNMAPPED:
		return (uintptr_t)hole + below(page - len + 1);
	case P_KERNEL:
		return one_in(2) ? 0xffffffff81000000ULL + below(1 << 20)
				 : 0xffff888000000000ULL + below(1 << 30);
	case P_NONCANON:
		return 0x8000000000000000ULL + below(1 << 20);
	case P_LOW:
		return between(1, 65535);
	case P_TOP:	/* crosses the end of user space */
		return 0x00007ffffffff000ULL + page - between(1, len ? len : 1);
	case P_RANDOM:
		return rnd();
	default:
		return 0;
	}
}

/* pick_ptr - a pointer kind, valid most of the time */
static enum ptr pick_ptr(void)
{
	return one_in(3) ? (enum ptr)below(P_NR) : P_VALID;
}

/*
 * data_ptr - a pointer of kind @k for an inner buffer of @need bytes in
 * the data area (valid: all of it fits; straddling: its end crosses the
 * guard after the area).
 */
static uint64_t data_ptr(enum ptr k, uint64_t need)
{
	uint64_t n = need < DATA_BYTES ? need : DATA_BYTES, off;

	switch (k) {
	case P_VALID:	/* 8-byte aligned, or not */
		off = below((DATA_BYTES - n) / 8 + 1) * 8;
		if (one_in(8) && off + n + 8 <= DATA_BYTES)
			off += below(8);
		return (uintptr_t)data + off;
	case P_STRADDLE:
		return (uintptr_t)data + DATA_BYTES - between(1, n > 1 ? n - 1 : 1);
	case P_RO:
		return (uintptr_t)ro_page + below(page);
	default:
		return place_arg(k, NULL, need ? (need < (uint64_t)page ? need : (uint64_t)page) : 1);
	}
}

/* ---- the model of the sampler (root mode) ----------------------------- */

static struct {
	int known;		/* root mode: we are the only controller */
	uint32_t state;
	struct rtnoise_config cfg;
	uint64_t watched;	/* CPUs < MAX_CPUS */
	uint32_t nr_watched;
	uint64_t online;	/* CPUs < MAX_CPUS online now */
	uint32_t nr_cpu_ids;
	uint64_t next_seq[MAX_CPUS][2];
} m;

static uint64_t read_cpulist(const char *path, unsigned int *last)
{
	char buf[256], *s;
	uint64_t mask = 0;
	FILE *f = fopen(path, "r");

	*last = 0;
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	for (s = buf; *s && *s != '\n';) {
		unsigned long lo = strtoul(s, &s, 10), hi = lo, c;

		if (*s == '-')
			hi = strtoul(s + 1, &s, 10);
		for (c = lo; c <= hi; c++) {
			if (c < MAX_CPUS)
				mask |= 1ULL << c;
			*last = c;
		}
		if (*s == ',')
			s++;
	}
	return mask;
}

static void read_online(void)
{
	unsigned int last;

	m.online = read_cpulist("/sys/devices/system/cpu/online", &last);
}

/* ---- one call --------------------------------------------------------- */

static int fd;
static double now_s(void);

static long do_ioctl(unsigned int cmd, uint64_t arg)
{
	double t;
	long ret;
	int err;

	if (verbose) {
		describe(stderr);
		fputc('\n', stderr);
	}
	in_call = 1;
	t = now_s();
	ret = ioctl(fd, cmd, (unsigned long)arg);
	err = errno;
	kind_time[cur.kind] += now_s() - t;
	in_call = 0;
	progress++;
	errno = err;
	return ret;
}

/* outcome - count a call's result and check it against @e */
static int outcome(long ret, int err, enum expect e, int want_errno)
{
	calls[cur.kind]++;
	if (ret == 0)
		oks[cur.kind]++;
	else if (ret == -1)
		errnos[err & 255]++;
	else
		bad("returned %ld", ret);

	if (ret == 0 && (e == E_FAIL || e == E_ERRNO)) {
		bad("succeeded; want %s", e == E_ERRNO ? strerror(want_errno) : "a failure");
		return -1;
	}
	if (ret && e == E_OK && err != ENOMEM) {
		bad("failed with %s; want success", strerror(err));
		return -1;
	}
	if (ret && e == E_ERRNO && err != want_errno) {
		bad("failed with %s; want %s", strerror(err), strerror(want_errno));
		return -1;
	}
	return 0;
}

/* info_now - INFO with a good argument, outside the counted calls */
static int info_now(struct rtnoise_info *i)
{
	memset(i, 0, sizeof(*i));
	i->abi_version = RTNOISE_ABI_VERSION;
	verify_calls++;
	return ioctl(fd, RTNOISE_IOC_INFO, i);
}

/* check_info - what a successful INFO returned */
static void check_info(const struct rtnoise_info *i)
{
	if (i->abi_version != RTNOISE_ABI_VERSION || i->flags != 0 ||
	    i->nr_cpu_ids != m.nr_cpu_ids || i->state > RTNOISE_STATE_STOPPED) {
		bad("INFO: abi %u flags %#x nr_cpu_ids %u (want %u) state %u",
		    i->abi_version, i->flags, i->nr_cpu_ids, m.nr_cpu_ids, i->state);
		return;
	}
	/* Invariants of any snapshot (INFO is taken under the lock). */
	if ((i->state == RTNOISE_STATE_IDLE &&
	     (i->nr_watched || i->start_ns || i->stop_ns)) ||
	    (i->state == RTNOISE_STATE_RUNNING &&
	     (!i->nr_watched || !i->start_ns || i->stop_ns)) ||
	    (i->state == RTNOISE_STATE_STOPPED &&
	     (!i->nr_watched || !i->start_ns || i->stop_ns < i->start_ns)) ||
	    i->nr_watched > i->nr_cpu_ids) {
		bad("INFO state %u: nr_watched %u start %llu stop %llu",
		    i->state, i->nr_watched, (unsigned long long)i->start_ns,
		    (unsigned long long)i->stop_ns);
		return;
	}
	if (i->state != RTNOISE_STATE_IDLE &&
	    (i->period_ns < RTNOISE_PERIOD_MIN_NS || i->period_ns > RTNOISE_PERIOD_MAX_NS ||
	     i->threshold_ns < RTNOISE_THRESHOLD_MIN_NS ||
	     i->threshold_ns > RTNOISE_THRESHOLD_MAX_NS ||
	     !i->hist_buckets || i->hist_buckets > RTNOISE_HIST_MAX_BUCKETS ||
	     i->spike_capacity < RTNOISE_SPIKES_MIN ||
	     i->spike_capacity > RTNOISE_SPIKES_MAX ||
	     (i->spike_capacity & (i->spike_capacity - 1)) ||
	     i->prio < RTNOISE_PRIO_MIN || i->prio > RTNOISE_PRIO_MAX)) {
		bad("INFO: a running configuration out of bounds");
		return;
	}
	if (!m.known)
		return;
	if (i->state != m.state) {
		bad("INFO state %u, want %u", i->state, m.state);
		return;
	}
	if (m.state != RTNOISE_STATE_IDLE &&
	    (i->period_ns != m.cfg.period_ns || i->threshold_ns != m.cfg.threshold_ns ||
	     i->hist_buckets != m.cfg.hist_buckets ||
	     i->spike_capacity != m.cfg.spike_capacity || i->prio != m.cfg.prio ||
	     i->nr_watched != m.nr_watched))
		bad("INFO: configuration differs from the one started "
		    "(period %llu/%llu buckets %u/%u spikes %u/%u prio %u/%u watched %u/%u)",
		    (unsigned long long)i->period_ns, (unsigned long long)m.cfg.period_ns,
		    i->hist_buckets, m.cfg.hist_buckets, i->spike_capacity,
		    m.cfg.spike_capacity, i->prio, m.cfg.prio, i->nr_watched, m.nr_watched);
}

/* verify_state - after a control call in root mode, INFO must agree */
static void verify_state(void)
{
	struct rtnoise_info i;

	if (!m.known)
		return;
	if (info_now(&i)) {
		bad("INFO after the call failed: %s", strerror(errno));
		return;
	}
	check_info(&i);
}

/* resync - after an outcome the model cannot tell, believe INFO */
static void resync(void)
{
	struct rtnoise_info i;

	if (!m.known || info_now(&i))
		return;
	m.state = i.state;
	if (i.state == RTNOISE_STATE_IDLE)
		m.watched = m.nr_watched = 0;
}

static uint32_t pick_abi(void)
{
	static const uint32_t v[] = { 0, 1, 3, RTNOISE_ABI_VERSION + 1, 0xffffffff,
				      0x80000002, 0x00010002 };

	return one_in(4) ? (uint32_t)rnd() : v[below(sizeof(v) / sizeof(v[0]))];
}

static uint32_t abi_field(void)
{
	return one_in(12) ? pick_abi() : RTNOISE_ABI_VERSION;
}

static uint32_t u32_odd(void)
{
	static const uint32_t v[] = { 0, 1, 2, 0x7fffffff, 0x80000000, 0xfffffffe,
				      0xffffffff, 0x10000, 0xffff };

	return one_in(3) ? (uint32_t)rnd() : v[below(sizeof(v) / sizeof(v[0]))];
}

static uint64_t u64_odd(void)
{
	static const uint64_t v[] = { 0, 1, UINT64_MAX, INT64_MAX, 1ULL << 63,
				      1ULL << 32, 0xffffffffULL };

	return one_in(3) ? rnd() : v[below(sizeof(v) / sizeof(v[0]))];
}

/* a CPU for a read: a watched one, any, absent or absurd */
static uint32_t pick_cpu(void)
{
	unsigned int c;

	switch (below(8)) {
	case 0: case 1: case 2:
		if (m.watched) {
			do
				c = below(MAX_CPUS);
			while (!(m.watched & (1ULL << c)));
			return c;
		}
		/* fall through */
	case 3: case 4:
		return below(m.nr_cpu_ids);
	case 5:
		return m.nr_cpu_ids + below(3);
	case 6:
		return between(m.nr_cpu_ids, 8191);
	default:
		return u32_odd();
	}
}

static uint32_t pick_type(void)
{
	return one_in(10) ? u32_odd() : (uint32_t)below(2);
}

/* ---- START ------------------------------------------------------------ */

/*
 * Knob values: mostly within bounds. The guest is TCG: periods of 1 ms or
 * more but rarely, and the largest buffers (100000 buckets, 65536 spikes,
 * 10 MB per CPU to zero) rarely too.
 */
static void gen_config(struct rtnoise_config *c, int good)
{
	static const uint64_t periods[] = { 1000000, 1000000, 2000000, 10000000,
					    100000000, RTNOISE_PERIOD_MAX_NS };
	static const uint64_t thresholds[] = { 1000, 20000, 50000, 500000 };
	static const uint32_t buckets[] = { 1000, 1000, 1, 100, 20000 };
	int bad_odds = good ? 14 : 2;	/* each knob bad one time in this */

	memset(c, 0, sizeof(*c));
	c->abi_version = one_in(bad_odds * 2) ? pick_abi() : RTNOISE_ABI_VERSION;
	c->flags = one_in(bad_odds * 2) ? u32_odd() | 1 : 0;

	if (one_in(bad_odds))
		c->period_ns = one_in(2) ? u64_odd()
			     : one_in(2) ? RTNOISE_PERIOD_MIN_NS - 1 : RTNOISE_PERIOD_MAX_NS + 1;
	else if (one_in(40))	/* rarely: the fastest period */
		c->period_ns = RTNOISE_PERIOD_MIN_NS + below(50000);
	else
		c->period_ns = one_in(4) ? between(1000000, RTNOISE_PERIOD_MAX_NS)
					 : periods[below(6)];

	if (one_in(bad_odds))
		c->threshold_ns = one_in(2) ? u64_odd()
				: one_in(2) ? RTNOISE_THRESHOLD_MIN_NS - 1
					    : RTNOISE_THRESHOLD_MAX_NS + 1;
	else
		c->threshold_ns = one_in(4) ? between(RTNOISE_THRESHOLD_MIN_NS,
						      RTNOISE_THRESHOLD_MAX_NS)
					    : thresholds[below(4)];

	if (one_in(bad_odds))
		c->hist_buckets = one_in(2) ? u32_odd() : RTNOISE_HIST_MAX_BUCKETS + 1;
	else
		c->hist_buckets = one_in(30) ? RTNOISE_HIST_MAX_BUCKETS
				: one_in(3) ? between(1, 5000) : buckets[below(5)];

	if (one_in(bad_odds))
		c->spike_capacity = one_in(2) ? u32_odd()
				  : (uint32_t[]){ 8, 15, 17, 100, 1U << 17, 48 }[below(6)];
	else
		c->spike_capacity = one_in(30) ? RTNOISE_SPIKES_MAX
				  : RTNOISE_SPIKES_MIN << below(7);	/* 16..1024 */

	if (one_in(bad_odds))
		c->prio = one_in(2) ? u32_odd() : (one_in(2) ? 0 : RTNOISE_PRIO_MAX + 1);
	else
		c->prio = one_in(2) ? 90 : between(RTNOISE_PRIO_MIN, RTNOISE_PRIO_MAX);
}

/* gen_mask - cpumask_bytes and the bitmap it points at */
static void gen_mask(struct rtnoise_config *c, int good, enum ptr *kind)
{
	uint64_t p[RTNOISE_CPUMASK_MAX_BYTES / 8 + 1];
	uint64_t words, w, bits;

	if (!good || one_in(10))
		c->cpumask_bytes = (uint32_t[]){ 0, 7, 9, 12, RTNOISE_CPUMASK_MAX_BYTES + 8,
						 0xffffffff, 0x80000000, 1 << 20,
						 RTNOISE_CPUMASK_MAX_BYTES,
						 (uint32_t)rnd() }[below(10)];
	else
		c->cpumask_bytes = one_in(5) ? RTNOISE_CPUMASK_MAX_BYTES
					     : 8 * (uint32_t)between(1, 4);

	*kind = one_in(6) ? pick_ptr() : P_VALID;
	c->cpumask_ptr = data_ptr(*kind, c->cpumask_bytes);
	if (*kind != P_VALID || c->cpumask_bytes > RTNOISE_CPUMASK_MAX_BYTES + 8)
		return;

	/* The bitmap: some online CPUs, perhaps an offline or absent one. */
	words = c->cpumask_bytes / 8;
	memset(p, 0, sizeof(p));
	if (!words) {
		memcpy((void *)(uintptr_t)c->cpumask_ptr, p, c->cpumask_bytes);
		return;
	}
	bits = m.online;
	if (one_in(2) && (bits & ~1ULL))
		bits &= ~1ULL;		/* leave CPU 0 alone, mostly */
	do
		w = rnd() & bits;
	while (!w && bits);
	if (one_in(4))	/* just one CPU: cheaper in TCG */
		w &= -w;
	p[0] = w;
	switch (good ? below(20) : below(6)) {
	case 0:		/* an offline CPU, if there is one */
		bits = ~m.online & ((m.nr_cpu_ids >= 64) ? UINT64_MAX
							  : (1ULL << m.nr_cpu_ids) - 1);
		if (bits)
			p[0] |= bits & -bits;
		break;
	case 1:		/* absent: past nr_cpu_ids, in the last word */
		p[words - 1] |= 1ULL << 63;
		break;
	case 2:
		p[0] = 0;
		break;
	case 3:
		p[below(words)] = rnd();
		break;
	case 4:
		if (m.nr_cpu_ids < 64 * words)
			p[m.nr_cpu_ids / 64] |= 1ULL << (m.nr_cpu_ids % 64);
		break;
	}
	memcpy((void *)(uintptr_t)c->cpumask_ptr, p, c->cpumask_bytes);
}

/* start_valid - whether START with @c at an argument of kind @k can work */
static int start_valid(const struct rtnoise_config *c, uint64_t *mask, uint32_t *nr)
{
	const uint64_t *p = (const uint64_t *)(uintptr_t)c->cpumask_ptr;
	uint64_t words, w, cpus = 0, bits;
	uint64_t lo = 0;

	if (c->abi_version != RTNOISE_ABI_VERSION || c->flags ||
	    c->period_ns < RTNOISE_PERIOD_MIN_NS || c->period_ns > RTNOISE_PERIOD_MAX_NS ||
	    c->threshold_ns < RTNOISE_THRESHOLD_MIN_NS ||
	    c->threshold_ns > RTNOISE_THRESHOLD_MAX_NS ||
	    !c->hist_buckets || c->hist_buckets > RTNOISE_HIST_MAX_BUCKETS ||
	    c->spike_capacity < RTNOISE_SPIKES_MIN || c->spike_capacity > RTNOISE_SPIKES_MAX ||
	    (c->spike_capacity & (c->spike_capacity - 1)) ||
	    c->prio < RTNOISE_PRIO_MIN || c->prio > RTNOISE_PRIO_MAX)
		return 0;
	if (!c->cpumask_bytes || c->cpumask_bytes % 8 ||
	    c->cpumask_bytes > RTNOISE_CPUMASK_MAX_BYTES ||
	    !range_ok(c->cpumask_ptr, c->cpumask_bytes, 0))
		return 0;
	words = c->cpumask_bytes / 8;
	for (w = 0; w < words; w++) {
		uint64_t v;

		memcpy(&v, p + w, sizeof(v));	/* may be misaligned */
		for (bits = v; bits; bits &= bits - 1) {
			uint64_t cpu = w * 64 + __builtin_ctzll(bits);

			if (cpu >= m.nr_cpu_ids || cpu >= MAX_CPUS)
				return 0;
			cpus++;
		}
		if (w == 0)
			lo = v;
	}
	if (!cpus)
		return 0;
	if ((uint64_t)RTNOISE_CPU_BYTES(c->hist_buckets, c->spike_capacity) * cpus >
	    RTNOISE_MEMORY_MAX_BYTES)
		return 0;
	if (lo & ~m.online)
		return 0;
	*mask = lo;
	*nr = cpus;
	return 1;
}

static void call_start(int priv)
{
	struct rtnoise_config c;
	enum ptr inner;
	uint64_t mask = 0;
	uint32_t nr = 0;
	enum expect e;
	int good = !one_in(3), valid;
	long ret;

	gen_config(&c, good);
	gen_mask(&c, good, &inner);
	cur.inner = inner;
	cur.argp = pick_ptr();
	cur.arg = place_arg(cur.argp, &c, sizeof(c));

	valid = range_ok(cur.arg, sizeof(c), 0) && start_valid(&c, &mask, &nr);
	if (!priv)
		e = E_ERRNO;
	else if (!m.known)
		e = E_ANY;
	else if (valid && m.state != RTNOISE_STATE_RUNNING)
		e = E_OK;
	else
		e = E_FAIL;

	ret = do_ioctl(RTNOISE_IOC_START, cur.arg);
	if (outcome(ret, errno, e, EPERM) || !m.known)
		return;
	if (ret == 0) {
		m.state = RTNOISE_STATE_RUNNING;
		m.cfg = c;
		m.watched = mask;
		m.nr_watched = nr;
		memset(m.next_seq, 0, sizeof(m.next_seq));
		verify_state();
		return;
	}
	/* A start that failed after its checks left the sampler reset. */
	if (errno != EFAULT && errno != EPROTO && errno != EINVAL &&
	    errno != EBUSY && errno != ENODEV && errno != E2BIG)
		resync();
	else
		verify_state();
}

/* ---- STOP, RESET ------------------------------------------------------ */

static void call_control(enum kind k, int priv)
{
	enum expect e = E_ANY;
	int want = 0;
	long ret;

	cur.argp = (enum ptr)below(P_NR);	/* ignored by the module */
	cur.arg = place_arg(cur.argp, "argument", 8);
	if (!priv) {
		e = E_ERRNO;
		want = EPERM;
	} else if (m.known && k == K_RESET) {
		e = E_OK;
	} else if (m.known) {
		e = m.state == RTNOISE_STATE_IDLE ? E_ERRNO : E_OK;
		want = ENODATA;
	}
	ret = do_ioctl(k == K_STOP ? RTNOISE_IOC_STOP : RTNOISE_IOC_RESET, cur.arg);
	if (outcome(ret, errno, e, want) || !m.known)
		return;
	if (ret == 0) {
		if (k == K_RESET) {
			m.state = RTNOISE_STATE_IDLE;
			m.watched = m.nr_watched = 0;
		} else {
			m.state = RTNOISE_STATE_STOPPED;
		}
	}
	verify_state();
}

/* ---- INFO ------------------------------------------------------------- */

static void call_info(void)
{
	struct rtnoise_info i;
	enum expect e;
	long ret;
	int rw, err;

	memset(&i, 0xa5, sizeof(i));
	i.abi_version = abi_field();
	cur.argp = pick_ptr();
	cur.arg = place_arg(cur.argp, &i, sizeof(i));
	rw = range_ok(cur.arg, sizeof(i), 1);
	if (!rw)
		e = E_FAIL;
	else if (i.abi_version != RTNOISE_ABI_VERSION)
		e = E_ERRNO;
	else
		e = E_OK;
	ret = do_ioctl(RTNOISE_IOC_INFO, cur.arg);
	err = errno;
	if (outcome(ret, err, e, EPROTO) || !rw)
		return;
	memcpy(&i, (void *)(uintptr_t)cur.arg, sizeof(i));
	if (ret && err == EPROTO && i.abi_version != RTNOISE_ABI_VERSION)
		bad("INFO EPROTO: the module's ABI not written back (%u)", i.abi_version);
	if (ret == 0)
		check_info(&i);
}

/* ---- CPU_STATS -------------------------------------------------------- */

/* canaries - mark some entries of an output array, check them after */
struct canaries {
	uint64_t pos[40];	/* addresses of marked u64s */
	uint64_t idx[40];	/* their entry index */
	int n;
};

static void mark(struct canaries *cn, uint64_t base, uint64_t entry_bytes,
		 uint64_t from, uint64_t count)
{
	uint64_t i, p, v = CANARY;

	for (i = from; i < from + count && cn->n < 40; i++) {
		p = base + i * entry_bytes;
		if (p < base || !range_ok(p, 8, 1))
			continue;
		memcpy((void *)(uintptr_t)p, &v, 8);
		cn->pos[cn->n] = p;
		cn->idx[cn->n++] = i;
	}
}

/* check_marks - entries below @used must be written, the others not */
static void check_marks(const struct canaries *cn, uint64_t used, const char *what)
{
	int i;

	for (i = 0; i < cn->n; i++) {
		uint64_t v;
		int intact;

		memcpy(&v, (void *)(uintptr_t)cn->pos[i], 8);
		intact = v == CANARY;

		if (cn->idx[i] < used && intact)
			bad("%s: entry %" PRIu64 " of %" PRIu64 " returned not written",
			    what, cn->idx[i], used);
		else if (cn->idx[i] >= used && !intact)
			bad("%s: entry %" PRIu64 " written past the %" PRIu64 " returned",
			    what, cn->idx[i], used);
	}
}

static void call_stats(void)
{
	struct rtnoise_cpu_stats s, o;
	struct canaries cn = { .n = 0 };
	uint64_t room, copy, need, hist_sum, i;
	int rw, hist_ok, watched;
	enum expect e = E_ANY;
	long ret;

	memset(&s, 0xa5, sizeof(s));
	s.abi_version = abi_field();
	s.cpu = pick_cpu();
	s.type = pick_type();
	/* The module allocates room for min(hist_len, 100000): rarely huge. */
	switch (below(40)) {
	case 0: case 1: case 2: case 3: s.hist_len = 0; break;
	case 4: case 5: case 6: s.hist_len = 1; break;
	case 7: case 8: case 9: case 10: s.hist_len = m.cfg.hist_buckets; break;
	case 11: case 12: s.hist_len = m.cfg.hist_buckets + 1; break;
	case 13: case 14: s.hist_len = m.cfg.hist_buckets - 1; break;
	case 15: s.hist_len = RTNOISE_HIST_MAX_BUCKETS; break;
	case 16: s.hist_len = RTNOISE_HIST_MAX_BUCKETS + 1; break;
	case 17: s.hist_len = u32_odd(); break;
	default: s.hist_len = below(2000); break;
	}
	room = s.hist_len < RTNOISE_HIST_MAX_BUCKETS ? s.hist_len : RTNOISE_HIST_MAX_BUCKETS;
	need = room * 8;
	cur.inner = one_in(4) ? (enum ptr)below(P_NR) : P_VALID;
	s.hist_ptr = data_ptr(cur.inner, need);
	if (!s.hist_ptr)
		room = 0;
	/* Marks at the start, where the histogram should end, past the room. */
	mark(&cn, s.hist_ptr, 8, 0, 8);
	if (m.known && m.state != RTNOISE_STATE_IDLE) {
		copy = room < m.cfg.hist_buckets ? room : m.cfg.hist_buckets;
		mark(&cn, s.hist_ptr, 8, copy > 4 ? copy - 4 : 0, 8);
	}
	mark(&cn, s.hist_ptr, 8, room, 8);

	cur.argp = pick_ptr();
	cur.arg = place_arg(cur.argp, &s, sizeof(s));
	rw = range_ok(cur.arg, sizeof(s), 1);
	if (!rw || s.abi_version != RTNOISE_ABI_VERSION)
		e = E_FAIL;
	else if (m.known) {
		watched = m.state != RTNOISE_STATE_IDLE && s.cpu < MAX_CPUS &&
			  s.type < RTNOISE_LAT_NR && (m.watched & (1ULL << s.cpu));
		copy = room < m.cfg.hist_buckets ? room : m.cfg.hist_buckets;
		hist_ok = range_ok(s.hist_ptr, copy * 8, 1);
		e = watched && hist_ok ? E_OK : E_FAIL;
		if (m.state == RTNOISE_STATE_IDLE)
			e = E_ERRNO;
	}
	ret = do_ioctl(RTNOISE_IOC_CPU_STATS, cur.arg);
	if (outcome(ret, errno, e, ENODATA) || ret)
		return;

	memcpy(&o, (void *)(uintptr_t)cur.arg, sizeof(o));
	if (o.hist_len > room || !range_ok(s.hist_ptr, (uint64_t)o.hist_len * 8, 1)) {
		bad("CPU_STATS: hist_len %u for room %" PRIu64, o.hist_len, room);
		return;
	}
	check_marks(&cn, o.hist_len, "CPU_STATS histogram");
	if (o.cpu != s.cpu || o.type != s.type || o.hist_ptr != s.hist_ptr ||
	    o.abi_version != s.abi_version)
		bad("CPU_STATS: input fields changed");
	if (!(o.flags & RTNOISE_CPU_WATCHED) ||
	    (o.flags & ~(RTNOISE_CPU_WATCHED | RTNOISE_CPU_ONLINE)) ||
	    !(o.flags & RTNOISE_CPU_ONLINE) != !o.pid ||
	    ((o.flags & RTNOISE_CPU_ONLINE) && o.start_error))
		bad("CPU_STATS: flags %#x pid %u start_error %u", o.flags, o.pid,
		    o.start_error);
	if (o.type == RTNOISE_LAT_IRQ && o.missed)
		bad("CPU_STATS: %llu missed periods for IRQ latency",
		    (unsigned long long)o.missed);
	if (!m.known)
		return;
	copy = room < m.cfg.hist_buckets ? room : m.cfg.hist_buckets;
	if (o.hist_len != copy)
		bad("CPU_STATS: hist_len %u, want %" PRIu64, o.hist_len, copy);
	if (m.state == RTNOISE_STATE_RUNNING && s.cpu < MAX_CPUS &&
	    (m.online & (1ULL << s.cpu)) && !o.start_error &&
	    !(o.flags & RTNOISE_CPU_ONLINE))
		bad("CPU_STATS: an online watched CPU not sampled while running");
	if (m.state != RTNOISE_STATE_STOPPED)
		return;
	/* Stopped: nothing moves, the figures must add up. */
	if (o.flags & RTNOISE_CPU_ONLINE)
		bad("CPU_STATS: sampling after STOP");
	if (o.count == 0 ? (o.min_ns || o.max_ns || o.sum_ns || o.overflows)
			 : (o.min_ns > o.max_ns ||
			    o.sum_ns / o.count < o.min_ns || o.sum_ns / o.count > o.max_ns))
		bad("CPU_STATS stopped: count %llu min %llu max %llu sum %llu",
		    (unsigned long long)o.count, (unsigned long long)o.min_ns,
		    (unsigned long long)o.max_ns, (unsigned long long)o.sum_ns);
	if (o.hist_len == m.cfg.hist_buckets) {
		const uint64_t *h = (const uint64_t *)(uintptr_t)o.hist_ptr;

		for (hist_sum = 0, i = 0; i < o.hist_len; i++) {
			uint64_t v;

			memcpy(&v, h + i, sizeof(v));
			hist_sum += v;
		}
		if (hist_sum + o.overflows != o.count)
			bad("CPU_STATS stopped: histogram %llu + overflows %llu != count %llu",
			    (unsigned long long)hist_sum, (unsigned long long)o.overflows,
			    (unsigned long long)o.count);
	}
}

/* ---- SPIKES ----------------------------------------------------------- */

static void call_spikes(void)
{
	struct rtnoise_spikes s, o;
	struct canaries cn = { .n = 0 };
	const struct rtnoise_spike *r;
	uint64_t *last = NULL, maxn, i;
	int rw, watched;
	enum expect e = E_ANY;
	long ret;

	memset(&s, 0xa5, sizeof(s));
	s.abi_version = abi_field();
	s.cpu = pick_cpu();
	s.type = pick_type();
	if (s.cpu < MAX_CPUS && s.type < 2)
		last = &m.next_seq[s.cpu][s.type];
	switch (below(9)) {
	case 0: s.max = 0; break;
	case 1: s.max = 1; break;
	case 2: s.max = 4096; break;
	case 3: s.max = 4097; break;
	case 4: s.max = u32_odd(); break;
	default: s.max = between(1, 300); break;
	}
	switch (below(8)) {
	case 0: s.from_seq = 0; break;
	case 1: s.from_seq = u64_odd(); break;
	case 2: s.from_seq = last && *last ? *last - 1 : 0; break;
	case 3: s.from_seq = below(100000); break;
	default: s.from_seq = last ? *last : 0; break;
	}
	maxn = s.max < 4096 ? s.max : 4096;
	cur.inner = one_in(4) ? (enum ptr)below(P_NR) : P_VALID;
	s.buf_ptr = data_ptr(cur.inner, maxn * sizeof(struct rtnoise_spike));
	mark(&cn, s.buf_ptr, sizeof(struct rtnoise_spike), 0, 4);
	mark(&cn, s.buf_ptr, sizeof(struct rtnoise_spike), maxn, 4);

	cur.argp = pick_ptr();
	cur.arg = place_arg(cur.argp, &s, sizeof(s));
	rw = range_ok(cur.arg, sizeof(s), 1);
	if (!rw || s.abi_version != RTNOISE_ABI_VERSION || (s.max && !s.buf_ptr))
		e = E_FAIL;
	else if (m.known) {
		watched = m.state != RTNOISE_STATE_IDLE && s.cpu < MAX_CPUS &&
			  s.type < RTNOISE_LAT_NR && (m.watched & (1ULL << s.cpu));
		if (m.state == RTNOISE_STATE_IDLE)
			e = E_ERRNO;
		else if (!watched)
			e = E_FAIL;
		else if (range_ok(s.buf_ptr, maxn * sizeof(struct rtnoise_spike), 1))
			e = E_OK;
	}
	ret = do_ioctl(RTNOISE_IOC_SPIKES, cur.arg);
	if (outcome(ret, errno, e, ENODATA) || ret)
		return;

	memcpy(&o, (void *)(uintptr_t)cur.arg, sizeof(o));
	if (o.returned > maxn ||
	    !range_ok(s.buf_ptr, (uint64_t)o.returned * sizeof(*r), 1)) {
		bad("SPIKES: returned %u for max %u", o.returned, s.max);
		return;
	}
	check_marks(&cn, o.returned, "SPIKES buffer");
	if (o.reserved || o.cpu != s.cpu || o.type != s.type || o.max != s.max ||
	    o.from_seq != s.from_seq || o.buf_ptr != s.buf_ptr)
		bad("SPIKES: input fields changed or reserved %u", o.reserved);
	if (o.from_seq <= o.next_seq ? o.lost + o.returned != o.next_seq - o.from_seq
				     : o.lost || o.returned)
		bad("SPIKES: from %llu next %llu lost %llu returned %u",
		    (unsigned long long)o.from_seq, (unsigned long long)o.next_seq,
		    (unsigned long long)o.lost, o.returned);
	r = (const struct rtnoise_spike *)(uintptr_t)o.buf_ptr;
	for (i = 0; i < o.returned; i++) {
		struct rtnoise_spike x;

		memcpy(&x, r + i, sizeof(x));
		if (x.seq != o.next_seq - o.returned + i || x.cpu != o.cpu ||
		    x.type != o.type || x.observed_ns < x.expected_ns ||
		    x.observed_ns - x.expected_ns < RTNOISE_THRESHOLD_MIN_NS ||
		    (m.known && x.observed_ns - x.expected_ns < m.cfg.threshold_ns)) {
			bad("SPIKES: record %" PRIu64 ": seq %llu (want %llu) cpu %u type %u "
			    "latency %lld", i, (unsigned long long)x.seq,
			    (unsigned long long)(o.next_seq - o.returned + i), x.cpu,
			    x.type, (long long)(x.observed_ns - x.expected_ns));
			break;
		}
	}
	if (last)
		*last = o.next_seq;
}

/* ---- anything else ---------------------------------------------------- */

static const unsigned int real_cmds[] = {
	RTNOISE_IOC_INFO, RTNOISE_IOC_START, RTNOISE_IOC_STOP,
	RTNOISE_IOC_RESET, RTNOISE_IOC_CPU_STATS, RTNOISE_IOC_SPIKES,
};

/*
 * Types the VFS handles before the driver (FIOCLEX, FIONBIO, FIFREEZE,
 * FICLONE, FS_IOC_*, FIBMAP...): a command of theirs might rightly
 * succeed, or change the file.
 */
static int vfs_type(unsigned int type)
{
	return type == 0 || type == 0x12 || type == 0x15 || type == 'T' ||
	       type == 'X' || type == 'f' || type == 0x94;
}

/* random_cmd - a command number that is not one of the module's */
static unsigned int random_cmd(void)
{
	unsigned int cmd, i, type, nr, size;

	for (;;) {
		size = one_in(2) ? (unsigned int)below(1 << _IOC_SIZEBITS)
				 : (unsigned int[]){ 0, 4, 8, sizeof(struct rtnoise_info),
						     sizeof(struct rtnoise_config),
						     sizeof(struct rtnoise_cpu_stats),
						     sizeof(struct rtnoise_spikes) }[below(7)];
		switch (below(4)) {
		case 0:		/* a real number, another direction or size */
			type = RTNOISE_IOC_MAGIC;
			nr = below(8);
			break;
		case 1:
			type = RTNOISE_IOC_MAGIC;
			nr = below(256);
			break;
		case 2:
			type = below(256);
			nr = below(256);
			break;
		default:
			cmd = (unsigned int)rnd();
			type = _IOC_TYPE(cmd);
			nr = _IOC_NR(cmd);
			size = _IOC_SIZE(cmd);
			break;
		}
		if (vfs_type(type))
			continue;
		cmd = _IOC(below(4), type, nr, size);
		for (i = 0; i < sizeof(real_cmds) / sizeof(real_cmds[0]); i++)
			if (cmd == real_cmds[i])
				break;
		if (i == sizeof(real_cmds) / sizeof(real_cmds[0]))
			return cmd;
	}
}

static void call_other(void)
{
	uint8_t junk[256];
	unsigned int i;
	long ret;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)rnd();
	cur.cmd = random_cmd();
	cur.argp = one_in(4) ? P_VALID : (enum ptr)below(P_NR);
	cur.arg = place_arg(cur.argp, junk, 64);
	ret = do_ioctl(cur.cmd, cur.arg);
	outcome(ret, errno, E_ERRNO, ENOTTY);
}

/* ---- hotplug ---------------------------------------------------------- */

static int hp_cpu = -1;

static int set_online(int cpu, int on)
{
	char path[96];
	int f, ok;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	f = open(path, O_WRONLY);
	if (f < 0)
		return -1;
	ok = write(f, on ? "1" : "0", 1) == 1;
	close(f);
	read_online();
	return ok ? 0 : -1;
}

static void toggle_cpu(void)
{
	int on = !(m.online & (1ULL << hp_cpu));

	if (set_online(hp_cpu, on))
		bad("cannot take CPU %d %s: %s", hp_cpu, on ? "online" : "offline",
		    strerror(errno));
	hotplugs++;
	if (m.known && on && m.state == RTNOISE_STATE_RUNNING &&
	    (m.watched & (1ULL << hp_cpu))) {
		/* The sampler must be back on it (or say why not). */
		struct rtnoise_cpu_stats s;

		memset(&s, 0, sizeof(s));
		s.abi_version = RTNOISE_ABI_VERSION;
		s.cpu = hp_cpu;
		verify_calls++;
		if (ioctl(fd, RTNOISE_IOC_CPU_STATS, &s))
			bad("CPU_STATS after onlining CPU %d: %s", hp_cpu, strerror(errno));
		else if (!(s.flags & RTNOISE_CPU_ONLINE) && !s.start_error)
			bad("CPU %d back online, its sampler not restarted", hp_cpu);
	}
}

/* ---- the run ---------------------------------------------------------- */

static void one_call(int priv, unsigned long every)
{
	unsigned int w = below(100);

	cur.inner = P_VALID;
	if (w < 14) {
		cur.kind = K_INFO;
		cur.cmd = RTNOISE_IOC_INFO;
		call_info();
	} else if (w < 20) {
		cur.kind = K_START;
		cur.cmd = RTNOISE_IOC_START;
		call_start(priv);
	} else if (w < 22) {
		cur.kind = K_STOP;
		cur.cmd = RTNOISE_IOC_STOP;
		call_control(K_STOP, priv);
	} else if (w < 23) {
		cur.kind = K_RESET;
		cur.cmd = RTNOISE_IOC_RESET;
		call_control(K_RESET, priv);
	} else if (w < 50) {
		cur.kind = K_STATS;
		cur.cmd = RTNOISE_IOC_CPU_STATS;
		call_stats();
	} else if (w < 85) {
		cur.kind = K_SPIKES;
		cur.cmd = RTNOISE_IOC_SPIKES;
		call_spikes();
	} else {
		cur.kind = K_OTHER;
		call_other();
	}
	if (hp_cpu >= 0 && priv && one_in(every))
		toggle_cpu();
}

static void on_alarm(int sig)
{
	static unsigned long seen = -1UL;
	char msg[160];
	int n;

	if (sig == SIGALRM && (!in_call || progress != seen)) {
		seen = progress;
		return;
	}
	if (child_pid > 0)
		kill(child_pid, SIGKILL);
	n = snprintf(msg, sizeof(msg), "ioctl_fuzz: %s in call #%lu (cmd %#x, seed %" PRIu64
		     ")\n", sig == SIGALRM ? "no progress for a minute" : "killed",
		     cur.idx, cur.cmd, seed);
	if (write(2, msg, n) < 0)
		_exit(3);
	_exit(3);
}

/* drop_sys_admin - remove CAP_SYS_ADMIN from every capability set */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[0].effective &= ~(1U << CAP_SYS_ADMIN);
	d[0].permitted &= ~(1U << CAP_SYS_ADMIN);
	d[0].inheritable &= ~(1U << CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &h, d) || syscall(SYS_capget, &h, d))
		return -1;
	return d[0].effective & (1U << CAP_SYS_ADMIN) ? -1 : 0;
}

static int become_nobody(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return -1;
	if (syscall(SYS_capget, &h, d))
		return -1;
	return d[0].effective || d[1].effective ? -1 : 0;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* stop_and_reset - leave the sampler idle; 0 when it is */
static int stop_and_reset(void)
{
	struct rtnoise_info i;

	if (ioctl(fd, RTNOISE_IOC_STOP) && errno != ENODATA)
		fprintf(stderr, "ioctl_fuzz: STOP at the end: %s\n", strerror(errno));
	if (ioctl(fd, RTNOISE_IOC_RESET))
		fprintf(stderr, "ioctl_fuzz: RESET at the end: %s\n", strerror(errno));
	if (info_now(&i) || i.state != RTNOISE_STATE_IDLE) {
		fprintf(stderr, "ioctl_fuzz: sampler not idle at the end\n");
		return -1;
	}
	return 0;
}

/*
 * controller - while the unprivileged child @child fuzzes, start, stop
 * and reset the sampler with random configurations. Returns the child's
 * wait status.
 */
static int controller(pid_t child, unsigned long *ops)
{
	struct rtnoise_config c;
	enum ptr inner;
	int status;
	pid_t r;

	while ((r = waitpid(child, &status, WNOHANG)) == 0) {
		switch (below(4)) {
		case 0:
		case 1:
			gen_config(&c, 1);
			gen_mask(&c, 1, &inner);
			if (!ioctl(fd, RTNOISE_IOC_START, &c))
				ops[0]++;
			break;
		case 2:
			if (!ioctl(fd, RTNOISE_IOC_STOP))
				ops[1]++;
			break;
		default:
			if (!ioctl(fd, RTNOISE_IOC_RESET))
				ops[2]++;
			break;
		}
		usleep(below(20000));
	}
	return r < 0 ? -1 : status;
}

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-s SEED] [-n CALLS] [-m root|capset|setuid] "
		"[-o CPU] [-O EVERY] [-v]\n", argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long every = 10000, ops[3] = { 0, 0, 0 };
	struct itimerval it = { { STALL_SECONDS, 0 }, { STALL_SECONDS, 0 } };
	struct rtnoise_info info;
	int opt, priv, status = 0, i, f;
	unsigned int last;
	double t0, t;
	pid_t child = 0;
	char line[1024];
	size_t len;

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	while ((opt = getopt(argc, argv, "s:n:m:o:O:v")) != -1) {
		switch (opt) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': ncalls = strtoul(optarg, NULL, 0); break;
		case 'm': mode = optarg; break;
		case 'o': hp_cpu = atoi(optarg); break;
		case 'O': every = strtoul(optarg, NULL, 0); break;
		case 'v': verbose = 1; break;
		default: usage(argv[0]);
		}
	}
	if (optind != argc || (strcmp(mode, "root") && strcmp(mode, "capset") &&
			       strcmp(mode, "setuid")) || hp_cpu >= MAX_CPUS || !every)
		usage(argv[0]);
	priv = !strcmp(mode, "root");
	printf("ioctl_fuzz: seed %" PRIu64 " mode %s calls %lu\n", seed, mode, ncalls);
	fflush(stdout);
	rng_state = seed;

	if (setup_memory()) {
		perror("ioctl_fuzz: mmap");
		return 2;
	}
	fd = open("/dev/rtnoise", O_RDWR);
	if (fd < 0) {
		perror("ioctl_fuzz: open /dev/rtnoise");
		return 2;
	}
	read_cpulist("/sys/devices/system/cpu/possible", &last);
	m.nr_cpu_ids = last + 1;
	if (m.nr_cpu_ids > MAX_CPUS) {
		fprintf(stderr, "ioctl_fuzz: %u possible CPUs; the model knows %d\n",
			m.nr_cpu_ids, MAX_CPUS);
		return 2;
	}
	read_online();
	if (info_now(&info) || info.nr_cpu_ids != m.nr_cpu_ids) {
		fprintf(stderr, "ioctl_fuzz: INFO: %s, nr_cpu_ids %u, %u possible\n",
			strerror(errno), info.nr_cpu_ids, m.nr_cpu_ids);
		return 2;
	}
	if (info.state != RTNOISE_STATE_IDLE) {
		fprintf(stderr, "ioctl_fuzz: the sampler is in use (state %u)\n", info.state);
		return 2;
	}
	m.known = priv;
	m.state = RTNOISE_STATE_IDLE;
	if (hp_cpu >= 0 && !(m.online & (1ULL << hp_cpu)) && set_online(hp_cpu, 1)) {
		fprintf(stderr, "ioctl_fuzz: CPU %d cannot come online\n", hp_cpu);
		return 2;
	}
	signal(SIGALRM, on_alarm);
	signal(SIGTERM, on_alarm);

	if (!priv) {
		/* The parent keeps the capability and drives the sampler. */
		fflush(stdout);
		child = fork();
		child_pid = child;
		if (child < 0) {
			perror("ioctl_fuzz: fork");
			return 2;
		}
		if (child > 0) {
			uint64_t s = seed;

			rng_state = seed ^ 0x5bd1e995;
			status = controller(child, ops);
			rng_state = s;
			f = stop_and_reset();
			printf("ioctl_fuzz: controller: %lu starts, %lu stops, %lu resets\n",
			       ops[0], ops[1], ops[2]);
			if (status < 0 || !WIFEXITED(status)) {
				fprintf(stderr, "ioctl_fuzz: the unprivileged child %s %d\n",
					WIFSIGNALED(status) ? "was killed by signal" : "ended",
					WIFSIGNALED(status) ? WTERMSIG(status) : status);
				return 1;
			}
			return f ? 1 : WEXITSTATUS(status);
		}
		if (!strcmp(mode, "capset") ? drop_sys_admin() : become_nobody()) {
			perror("ioctl_fuzz: dropping privileges");
			return 2;
		}
		/* open needs the capability, whatever the file's mode says. */
		f = open("/dev/rtnoise", O_RDWR);
		if (f >= 0) {
			bad("open /dev/rtnoise succeeded without CAP_SYS_ADMIN");
			close(f);
		} else if (!strcmp(mode, "capset") && errno != EPERM) {
			bad("open without CAP_SYS_ADMIN: %s, want EPERM", strerror(errno));
		}
	}

	setitimer(ITIMER_REAL, &it, NULL);
	t0 = now_s();
	for (cur.idx = 0; cur.idx < ncalls; cur.idx++)
		one_call(priv, every);
	t = now_s() - t0;
	it.it_value.tv_sec = it.it_interval.tv_sec = 0;
	setitimer(ITIMER_REAL, &it, NULL);

	if (priv) {
		if (hp_cpu >= 0 && !(m.online & (1ULL << hp_cpu)) && set_online(hp_cpu, 1))
			bad("CPU %d not back online at the end", hp_cpu);
		if (stop_and_reset())
			unexpected++;
	}

	len = snprintf(line, sizeof(line), "ioctl_fuzz: seed %" PRIu64 " mode %s: %lu calls"
		       " in %.1f s (%.0f/s), successes:", seed, mode, ncalls, t,
		       t > 0 ? ncalls / t : 0.0);
	for (i = 0; i < K_NR; i++)
		len += snprintf(line + len, sizeof(line) - len, " %s %lu/%lu",
				kind_name[i], oks[i], calls[i]);
	len += snprintf(line + len, sizeof(line) - len,
			"; INFO checks %lu; hotplug %lu; unexpected %lu",
			verify_calls, hotplugs, unexpected);
	puts(line);
	len = snprintf(line, sizeof(line), "ioctl_fuzz: errnos:");
	for (i = 0; i < 256; i++)
		if (errnos[i])
			len += snprintf(line + len, sizeof(line) - len, " %s %lu",
					strerrorname_np(i) ? strerrorname_np(i) : "?",
					errnos[i]);
	puts(line);
	len = snprintf(line, sizeof(line), "ioctl_fuzz: mean us per call:");
	for (i = 0, t0 = 0; i < K_NR; i++) {
		len += snprintf(line + len, sizeof(line) - len, " %s %.0f", kind_name[i],
				calls[i] ? kind_time[i] * 1e6 / calls[i] : 0.0);
		t0 += kind_time[i];
	}
	snprintf(line + len, sizeof(line) - len, "; %.0f%% of the time in the calls",
		 t > 0 ? 100 * t0 / t : 0.0);
	puts(line);
	return unexpected ? 1 : 0;
}
