// SPDX-License-Identifier: GPL-2.0
// The spike ring's reader (kmod/rtnoise_ring.h) against every interleaving
// with its writer, on a small ring: the records a read returns are whole,
// in order, at the positions it claims, and it counts the rest as lost.
//
// A model of the protocol, sequentially consistent: it checks the
// arithmetic on sequence numbers, not the barriers that order the stores
// on a real CPU (the VM test's rtnoise_spike_ring reads a real ring while
// the sampler laps it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "../../kmod/rtnoise_ring.h"

namespace {

constexpr std::uint64_t kCap = 4;

struct Slot {
	std::uint64_t seq = 0;
	bool whole = false;  // the writer's stores to it are all done
};

// The writer as a sequence of steps: begin writing record head (its
// slot is torn until the end), end (publish head + 1).
struct Writer {
	std::vector<Slot> ring = std::vector<Slot>(kCap);
	std::uint64_t head = 0;
	bool mid = false;

	void step()
	{
		Slot& s = ring[head & (kCap - 1)];
		if (!mid) {
			s.seq = head;  // the first store; the rest not yet
			s.whole = false;
			mid = true;
		} else {
			s.whole = true;
			++head;
			mid = false;
		}
	}
};

// One read as the ioctl does it, with the writer taking steps[i] steps
// before the reader copies record i (and steps.back() before the head is
// read again). Returns what went wrong, or "".
std::string read_once(Writer w, std::uint64_t from, std::uint64_t max,
		      const std::vector<int>& steps)
{
	const std::uint64_t head = w.head;
	const rtnoise_ring_window win = rtnoise_ring_plan(head, kCap, 1, from, max);
	std::vector<Slot> copy;
	for (std::uint64_t i = 0; i < win.n; i++) {
		for (int k = 0; k < steps[i]; k++)
			w.step();
		copy.push_back(w.ring[(win.first + i) & (kCap - 1)]);
	}
	for (int k = 0; k < steps.back(); k++)
		w.step();
	const std::uint64_t drop = rtnoise_ring_drop(win, w.head, kCap, 1);
	if (drop > win.n)
		return "drops more than it copied";
	for (std::uint64_t i = drop; i < win.n; i++) {
		const Slot& s = copy[i];
		const std::uint64_t pos = win.first + i;
		if (!s.whole || s.seq != pos)
			return "returned record " + std::to_string(pos) + " as slot seq " +
			       std::to_string(s.seq) + (s.whole ? "" : " (being written)");
	}
	// No record the ring could still give at the first head read is
	// skipped: the read starts at from or at the oldest whole record.
	if (win.first > from && win.first > head + 1 - std::min(head + 1, kCap))
		return "skipped records the ring still held";
	return "";
}

// Every way the writer can advance during one read of up to n records,
// each gap taking 0, 1, 2 or a whole ring's worth of steps.
void for_each_schedule(std::uint64_t n, const auto& f)
{
	const int choices[] = {0, 1, 2, static_cast<int>(2 * kCap)};
	std::vector<int> steps(n + 1, 0);
	std::vector<int> idx(n + 1, 0);
	for (;;) {
		for (std::size_t i = 0; i <= n; i++)
			steps[i] = choices[idx[i]];
		f(steps);
		std::size_t i = 0;
		while (i <= n && ++idx[i] == 4)
			idx[i++] = 0;
		if (i > n)
			return;
	}
}

}  // namespace

TEST(SpikeRing, NoReadReturnsARecordTheWriterIsRewriting)
{
	int reads = 0;
	// Writers stopped at every step of the first three laps, mid-write
	// or not; reads from every position, for one record and a whole ring.
	for (int pre = 0; pre < static_cast<int>(6 * kCap); pre++) {
		Writer w;
		for (int k = 0; k < pre; k++)
			w.step();
		for (std::uint64_t from = 0; from <= w.head + 1; from++) {
			for (std::uint64_t max : {std::uint64_t{1}, kCap}) {
				const std::uint64_t n =
					rtnoise_ring_plan(w.head, kCap, 1, from, max).n;
				for_each_schedule(n, [&](const std::vector<int>& steps) {
					reads++;
					const std::string why = read_once(w, from, max, steps);
					ASSERT_EQ(why, "")
						<< "writer at head " << w.head
						<< (w.mid ? " (mid-write)" : "") << ", read from "
						<< from << " max " << max;
				});
			}
		}
	}
	EXPECT_GT(reads, 10000);
}

TEST(SpikeRing, AStoppedRingIsReadWhole)
{
	// No writer: all cap records are trusted, the oldest included.
	EXPECT_EQ(rtnoise_ring_oldest(10, kCap, 0), 6u);
	rtnoise_ring_window w = rtnoise_ring_plan(10, kCap, 0, 0, 100);
	EXPECT_EQ(w.first, 6u);
	EXPECT_EQ(w.n, kCap);
	EXPECT_EQ(rtnoise_ring_drop(w, 10, kCap, 0), 0u);
	// While sampling one fewer: record head - cap shares the next slot.
	w = rtnoise_ring_plan(10, kCap, 1, 0, 100);
	EXPECT_EQ(w.first, 7u);
	EXPECT_EQ(w.n, kCap - 1);
	// Reading from the future returns nothing and loses nothing.
	w = rtnoise_ring_plan(10, kCap, 1, 12, 100);
	EXPECT_EQ(w.first, 10u);
	EXPECT_EQ(w.n, 0u);
}
