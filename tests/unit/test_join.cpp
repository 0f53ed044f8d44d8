// SPDX-License-Identifier: GPL-2.0
// The kernel-side spike join (bpf/rtnoise_join.h, compiled here as it is
// in the BPF program) against the user-space join (explain_window()), on
// recorded event sequences: nesting, preemption, the sampler's own
// contexts, windows cut by the ring's edge; and the event ring's
// seqcount reader against a concurrent writer.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "analysis/attribution.hpp"
#include "events.hpp"

extern "C" {
#include "rtnoise_join.h"
}

using namespace rtnoise;
using rtnoise::test::ev;

namespace {

// A CPU's timeline as the BPF side records it: every context an event
// when it ends, so the list is in end order.
struct Timeline {
	std::vector<TraceEvent> events;	 // end order, as in the ring
	std::mt19937_64 rng;

	explicit Timeline(std::uint64_t seed) : rng(seed) {}

	std::uint64_t pick(std::uint64_t lo, std::uint64_t hi)
	{
		return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
	}

	// nest - fill [start, end) at depth with children, then end itself.
	void nest(unsigned kind, std::uint64_t id, unsigned depth, std::uint64_t start,
		  std::uint64_t end, unsigned flags)
	{
		std::uint64_t t = start;
		while (depth + 1 < RTNOISE_BPF_MAX_DEPTH && depth < 4 && end - t > 20 &&
		       pick(0, 2)) {
			std::uint64_t a = pick(t, end - 10),
				      b = pick(a + 1, std::min(end, a + (end - start) / 2 + 2));
			if (b > end)
				b = end;
			static constexpr unsigned kinds[] = {
				RTNOISE_KIND_IRQ,     RTNOISE_KIND_SOFTIRQ,
				RTNOISE_KIND_IPI,     RTNOISE_KIND_LOCAL_TIMER,
				RTNOISE_KIND_HRTIMER, RTNOISE_KIND_WORKQUEUE};
			unsigned k = kinds[pick(0, 5)];
			// The sampler's own contexts shape the nesting, blame nothing.
			unsigned f = pick(0, 9) == 0 ? RTNOISE_EV_NOT_CAUSE : 0;
			nest(k, pick(1, 2), depth + 1, a, b, f);
			t = b;
		}
		events.push_back(ev(kind, id, depth, start, end, 0, flags));
	}

	// threads - back-to-back threads (and idle) at depth 0 over [0, len).
	// At most 16 distinct causes (6 kinds x 2 + 3 threads + idle): the
	// kernel join's slots hold them all, so the two joins compare exactly.
	void threads(std::uint64_t len)
	{
		std::uint64_t t = 0;
		while (t < len) {
			std::uint64_t next = std::min(len, t + pick(50, 400));
			unsigned kind = pick(0, 4) == 0 ? RTNOISE_KIND_IDLE : RTNOISE_KIND_THREAD;
			unsigned f = kind == RTNOISE_KIND_THREAD && pick(0, 6) == 0
					     ? RTNOISE_EV_NOT_CAUSE  // the sampler's thread
					     : 0;
			nest(kind, kind == RTNOISE_KIND_IDLE ? 1 : pick(100, 102), 0, t, next, f);
			t = next;
		}
	}
};

using Causes = std::map<std::pair<unsigned, std::uint64_t>, std::uint64_t>;

void feed(rtnoise_join* j, unsigned kind, std::uint64_t id, std::uint64_t start, std::uint64_t end,
	  unsigned depth, unsigned flags)
{
	rtnoise_join_ev e{};
	e.kind = kind;
	e.id = id;
	e.start = start;
	e.end = end;
	e.depth = depth;
	e.flags = flags;
	rtnoise_join_event(j, &e);
}

// kernel_join - what explain_spike() computes at time `to`: the ring's
// events that have ended, walked back to the window's start (or to the
// ring's edge: `kept` events at most), then the contexts still open,
// innermost first, ending at `to`.
rtnoise_join kernel_join(const std::vector<TraceEvent>& all, std::uint64_t from, std::uint64_t to,
			 std::size_t kept, bool* cut)
{
	std::vector<const TraceEvent*> ring, open;
	for (const TraceEvent& e : all) {
		if (e.end_ns <= to)
			ring.push_back(&e);
		else if (e.start_ns < to)
			open.push_back(&e);
	}
	if (ring.size() > kept)
		ring.erase(ring.begin(), ring.end() - static_cast<long>(kept));
	std::size_t first = ring.size();
	*cut = false;
	while (first > 0 && ring[first - 1]->end_ns > from)
		first--;
	if (first == 0 && ring.size() == kept && !ring.empty() && ring[0]->end_ns > from)
		*cut = true;

	rtnoise_join j;
	rtnoise_join_init(&j, from, to);
	for (std::size_t i = first; i < ring.size(); i++) {
		const TraceEvent& e = *ring[i];
		feed(&j, e.kind, e.id, e.start_ns, e.end_ns, e.depth, e.flags);
	}
	std::sort(open.begin(), open.end(),
		  [](const TraceEvent* a, const TraceEvent* b) { return a->depth > b->depth; });
	for (const TraceEvent* e : open)
		feed(&j, e->kind, e->id, e->start_ns, to, e->depth, e->flags);
	return j;
}

rtnoise_spike_causes finish(rtnoise_join j)
{
	rtnoise_spike_causes out{};
	rtnoise_join_finish(&j, &out);
	return out;
}

Causes of(const rtnoise_spike_causes& c)
{
	Causes m;
	for (std::uint32_t i = 0; i < c.nr; i++)
		m[{c.c[i].kind, c.c[i].id}] += c.c[i].ns;
	return m;
}

// of - every cause the join summed, before the largest are picked.
Causes of(const rtnoise_join& j)
{
	Causes m;
	for (std::uint32_t i = 0; i < j.nr; i++)
		if (j.c[i].ns)
			m[{j.c[i].kind, j.c[i].id}] += j.c[i].ns;
	return m;
}

Causes of(const Explanation& x)
{
	Causes m;
	for (const auto& p : x.parts)
		m[{p.kind, p.id}] += p.ns;
	return m;
}

}  // namespace

TEST(KernelJoin, EqualsTheUserSpaceJoinOnRecordedTimelines)
{
	unsigned windows = 0, nonempty = 0;
	for (std::uint64_t seed = 1; seed <= 200; seed++) {
		Timeline tl(seed);
		tl.threads(5000);
		for (int w = 0; w < 20; w++) {
			std::uint64_t from = tl.pick(0, 4800), to = tl.pick(from + 1, from + 600);
			bool cut;
			rtnoise_join k = kernel_join(tl.events, from, to, 1u << 20, &cut);
			Explanation u = explain_window(tl.events, from, to);
			ASSERT_FALSE(cut);
			ASSERT_EQ(k.other_ns, 0u) << "seed " << seed;
			ASSERT_EQ(of(k), of(u))
				<< "seed " << seed << " window " << from << "-" << to;
			rtnoise_spike_causes out = finish(k);
			ASSERT_EQ(out.unexplained_ns, u.unexplained_ns) << "seed " << seed;
			windows++;
			nonempty += k.nr > 0;
		}
	}
	EXPECT_EQ(windows, 4000u);
	EXPECT_GT(nonempty, 3000u);  // the windows did hit events
}

TEST(KernelJoin, PreemptedThreadsAndTheSamplersOwnContexts)
{
	// Thread 100 runs [0,50), is preempted by the hog 200 [50,300), the
	// sampler thread runs [300,320). Inside the hog, the sampler's timer
	// interrupt [100,110) (not a cause) with an hrtimer 77 [102,104)
	// inside it. Window [90,310): the hog's 210 minus the hrtimer's 2,
	// the hrtimer 2; the sampler's thread 10 is unexplained.
	std::vector<TraceEvent> evs{
		ev(RTNOISE_KIND_THREAD, 100, 0, 0, 50),
		ev(RTNOISE_KIND_HRTIMER, 77, 2, 102, 104),
		ev(RTNOISE_KIND_LOCAL_TIMER, 0, 1, 100, 110, 0, RTNOISE_EV_NOT_CAUSE),
		ev(RTNOISE_KIND_THREAD, 200, 0, 50, 300),
		ev(RTNOISE_KIND_THREAD, 300, 0, 300, 320, 0, RTNOISE_EV_NOT_CAUSE),
	};
	bool cut;
	rtnoise_spike_causes k = finish(kernel_join(evs, 90, 310, 1024, &cut));
	ASSERT_EQ(k.nr, 2u);
	EXPECT_EQ(k.c[0].kind, static_cast<unsigned>(RTNOISE_KIND_THREAD));
	EXPECT_EQ(k.c[0].id, 200u);
	EXPECT_EQ(k.c[0].ns, 208u);
	EXPECT_EQ(k.c[1].id, 77u);
	EXPECT_EQ(k.c[1].ns, 2u);
	EXPECT_EQ(k.unexplained_ns, 10u);
	EXPECT_EQ(of(k), of(explain_window(evs, 90, 310)));
}

TEST(KernelJoin, AWindowOlderThanTheRingIsCutAndStillAddsUp)
{
	Timeline tl(7);
	tl.threads(20000);
	const std::size_t kept = 8;
	// The ring's retained events, as the user-space join would see them.
	std::vector<TraceEvent> retained;
	unsigned cuts = 0;
	for (std::uint64_t to = 1000; to < 20000; to += 700) {
		std::uint64_t from = to - 900;
		std::vector<TraceEvent> ended;
		for (const TraceEvent& e : tl.events)
			if (e.end_ns <= to)
				ended.push_back(e);
		retained.assign(ended.end() - static_cast<long>(std::min(kept, ended.size())),
				ended.end());
		bool cut;
		rtnoise_join kj = kernel_join(tl.events, from, to, kept, &cut);
		rtnoise_spike_causes k = finish(kj);
		cuts += cut;
		std::uint64_t sum = k.other_ns + k.unexplained_ns;
		for (std::uint32_t i = 0; i < k.nr; i++)
			sum += k.c[i].ns;
		EXPECT_EQ(sum, to - from);
		if (!cut)
			continue;
		// What the kernel painted is what the retained events paint,
		// once the contexts still open at `to` are among them.
		for (const TraceEvent& e : tl.events)
			if (e.start_ns < to && e.end_ns > to)
				retained.push_back(e);
		EXPECT_EQ(of(kj), of(explain_window(retained, from, to))) << "to " << to;
	}
	EXPECT_GT(cuts, 0u);
}

TEST(KernelJoin, KeepsTheLargestCausesAndSumsTheRest)
{
	rtnoise_join j;
	rtnoise_join_init(&j, 0, 1000);
	// 20 IRQs of 1..20 ns back to back at depth 1 inside one thread.
	std::uint64_t t = 0;
	for (unsigned i = 1; i <= 20; i++) {
		feed(&j, RTNOISE_KIND_IRQ, i, t, t + i, 1, 0);
		t += i;
	}
	feed(&j, RTNOISE_KIND_THREAD, 9, 0, 1000, 0, 0);
	rtnoise_spike_causes out{};
	rtnoise_join_finish(&j, &out);
	ASSERT_EQ(out.nr, static_cast<unsigned>(RTNOISE_SPIKE_CAUSES));
	EXPECT_EQ(out.c[0].kind, static_cast<unsigned>(RTNOISE_KIND_THREAD));
	EXPECT_EQ(out.c[0].ns, 1000u - 210u);
	for (std::uint32_t i = 1; i < out.nr; i++)
		EXPECT_GE(out.c[i - 1].ns, out.c[i].ns);
	std::uint64_t sum = out.other_ns + out.unexplained_ns;
	for (std::uint32_t i = 0; i < out.nr; i++)
		sum += out.c[i].ns;
	EXPECT_EQ(sum, 1000u);
	EXPECT_EQ(out.unexplained_ns, 0u);
	EXPECT_EQ(out.events, 21u);
}

TEST(KernelJoin, EvidenceSplitsTheRemainder)
{
	rtnoise_spike_causes out{};
	out.unexplained_ns = 100;
	rtnoise_join_evidence(&out, 30, 0);
	EXPECT_EQ(out.steal_ns, 30u);
	EXPECT_EQ(out.unexplained_ns, 70u);
	rtnoise_join_evidence(&out, 0, 2);
	EXPECT_EQ(out.smis, 2u);
	EXPECT_EQ(out.smi_ns, 70u);
	EXPECT_EQ(out.unexplained_ns, 0u);

	rtnoise_spike_causes big{};
	big.unexplained_ns = 10;
	rtnoise_join_evidence(&big, 500, 0);  // never more than is left
	EXPECT_EQ(big.steal_ns, 10u);
	EXPECT_EQ(big.unexplained_ns, 0u);
}

// The BPF programs' ring_store(), as the BPF side runs it: the record is
// marked incomplete, written, then marked complete.
static void ring_store(volatile rtnoise_event& e, std::uint64_t seq)
{
	__atomic_store_n(&e.seq, 0, __ATOMIC_RELAXED);
	std::atomic_signal_fence(std::memory_order_seq_cst);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	// Every field derived from seq: a torn copy shows.
	e.start_ns = seq * 3;
	e.end_ns = seq * 3 + 1;
	e.net_ns = seq * 5;
	e.id = seq * 7;
	e.kind = static_cast<std::uint32_t>(seq % 9);
	e.depth = static_cast<std::uint16_t>(seq % 8);
	e.flags = static_cast<std::uint16_t>(seq % 3);
	__atomic_store_n(&e.seq, seq + 1, __ATOMIC_RELEASE);
}

TEST(EventRing, TheReaderNeverKeepsATornRecord)
{
	// A ring of 4 records rewritten as fast as one thread can, read by
	// another: every record read_event() keeps is whole.
	static volatile rtnoise_event ring[4];
	std::atomic<std::uint64_t> head{0};
	std::atomic<bool> stop{false};
	std::thread writer([&] {
		for (std::uint64_t seq = 0; !stop.load(std::memory_order_relaxed); seq++) {
			ring_store(ring[seq & 3], seq);
			head.store(seq + 1, std::memory_order_release);
		}
	});
	std::uint64_t kept = 0, refused = 0, bad = 0;
	// Until the writer has overtaken the reader and many records were
	// kept: on a loaded host the two threads may take turns on one CPU
	// for a while. At most 20 s.
	const auto start = std::chrono::steady_clock::now();
	const auto until = start + std::chrono::seconds(20);
	while (std::chrono::steady_clock::now() < until &&
	       (std::chrono::steady_clock::now() < start + std::chrono::milliseconds(300) ||
		kept <= 1000 || refused == 0)) {
		std::uint64_t h = head.load(std::memory_order_acquire);
		for (std::uint64_t seq = h > 4 ? h - 4 : 0; seq < h; seq++) {
			TraceEvent e;
			if (!read_event(ring[seq & 3], seq, e)) {
				refused++;
				continue;
			}
			kept++;
			if (e.start_ns != seq * 3 || e.end_ns != seq * 3 + 1 ||
			    e.net_ns != seq * 5 || e.id != seq * 7 || e.kind != seq % 9 ||
			    e.depth != seq % 8 || e.flags != seq % 3)
				bad++;
		}
	}
	stop = true;
	writer.join();
	EXPECT_EQ(bad, 0u);
	EXPECT_GT(kept, 1000u);
	EXPECT_GT(refused, 0u);	 // the writer did overtake the reader
}

// A CPU's own source table is direct-mapped: threads with neighbouring
// pids, and one source of each kind, must land in distinct entries, or
// they fall back to the shared hash on the hot path.
TEST(CpuSources, NeighbouringSourcesTakeDistinctEntries)
{
	for (std::uint64_t first : {1ULL, 4000ULL, 300000ULL, 4194000ULL}) {
		std::set<std::uint32_t> entries;
		for (std::uint64_t pid = first; pid < first + 64; pid++) {
			const std::uint32_t e = rtnoise_src_hash(RTNOISE_KIND_THREAD, pid);
			EXPECT_LT(e, RTNOISE_BPF_SRC_SLOTS);
			entries.insert(e);
		}
		EXPECT_EQ(entries.size(), 64u) << "pids from " << first;
	}
	std::set<std::uint32_t> kinds;
	for (std::uint32_t kind = 0; kind < RTNOISE_KIND_NR; kind++)
		kinds.insert(rtnoise_src_hash(kind, 0));
	EXPECT_EQ(kinds.size(), std::size_t{RTNOISE_KIND_NR});
	// 512 pids spread over the whole table, as a CPU's threads would.
	std::set<std::uint32_t> spread;
	for (std::uint64_t pid = 1000; pid < 1000 + RTNOISE_BPF_SRC_SLOTS; pid++)
		spread.insert(rtnoise_src_hash(RTNOISE_KIND_THREAD, pid));
	EXPECT_GT(spread.size(), RTNOISE_BPF_SRC_SLOTS / 2);
}
