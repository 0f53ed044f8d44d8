// SPDX-License-Identifier: GPL-2.0
// A workload thread's accounting (bpf/rtnoise_workload.h, compiled here
// as it is in the BPF programs) on recorded sequences of its scheduler
// events: a timer wakeup, a wakeup from another CPU, preemption before
// and after the first run, a migration between wakeup and run, a stale
// mark, system calls across a switch, and a thread that exits.
#include <gtest/gtest.h>

#include <memory>

extern "C" {
#include "rtnoise_workload.h"
}

namespace {

constexpr __u64 kUs = 1000;
constexpr __u64 kThreshold = 100 * kUs;

std::unique_ptr<rtnoise_wl_thread> thread()
{
	auto w = std::make_unique<rtnoise_wl_thread>();
	*w = {};
	w->cpu = ~0u;
	return w;
}

// Thread - one thread's events, as the BPF programs feed them.
struct Thread {
	std::unique_ptr<rtnoise_wl_thread> w = thread();
	__u64 switches = 0;  // nvcsw + nivcsw
	__u64 in = 0;	     // when it last got a CPU
	rtnoise_wl_hit hit{};

	void waking(__u64 now, __u64 due = 0) { rtnoise_wl_waking(w.get(), now, due, switches); }
	int run(__u32 cpu, __u64 now)
	{
		in = now;
		return rtnoise_wl_in(w.get(), cpu, now, switches, kThreshold, &hit);
	}
	// The scheduler counts the switch before sched_switch fires.
	int sleep(__u64 now)
	{
		return rtnoise_wl_out(w.get(), in, now, 0, ++switches, kThreshold, &hit);
	}
	int preempt(__u64 now)
	{
		return rtnoise_wl_out(w.get(), in, now, 1, ++switches, kThreshold, &hit);
	}
	std::uint32_t bucket(__u64 us) const { return w->hist[us]; }
};

TEST(Workload, TimerWakeupIsFromWhenTheTimerWasDue)
{
	Thread t;
	t.run(3, 0);
	t.sleep(10 * kUs);
	// Due at 1000 us, its expiry ran at 1004 us, it ran at 1020 us.
	t.waking(1004 * kUs, 1000 * kUs);
	EXPECT_EQ(t.run(3, 1020 * kUs), 0);
	EXPECT_EQ(t.w->wakeups, 1u);
	EXPECT_EQ(t.w->timer_wakeups, 1u);
	EXPECT_EQ(t.w->min_ns, 20 * kUs);
	EXPECT_EQ(t.w->max_ns, 20 * kUs);
	EXPECT_EQ(t.bucket(20), 1u);
	EXPECT_EQ(t.w->cpu, 3u);
	EXPECT_EQ(t.w->voluntary, 1u);
	EXPECT_EQ(t.w->run_ns, 10 * kUs);
}

TEST(Workload, WakeupFromAnotherCpuIsFromSchedWaking)
{
	Thread t;
	t.run(3, 0);
	t.sleep(1 * kUs);
	t.waking(500 * kUs);  // no timer expiring where it was woken
	t.run(3, 507 * kUs);
	EXPECT_EQ(t.w->wakeups, 1u);
	EXPECT_EQ(t.w->timer_wakeups, 0u);
	EXPECT_EQ(t.bucket(7), 1u);
	// A "due" after the wakeup is not its timer's.
	t.sleep(510 * kUs);
	t.waking(600 * kUs, 650 * kUs);
	t.run(3, 603 * kUs);
	EXPECT_EQ(t.w->timer_wakeups, 0u);
	EXPECT_EQ(t.bucket(3), 1u);
}

TEST(Workload, WokenBeforeItSleptGoesOnAtTheWakeup)
{
	Thread t;
	t.run(3, 0);
	// Its timer, due at 50 us, expires at 300 us, before it has left
	// the CPU (it ran late): it never sleeps, and gets no switch in.
	t.waking(300 * kUs, 50 * kUs);
	// It switches out later, asleep until its next period.
	ASSERT_EQ(t.sleep(900 * kUs), 1);
	EXPECT_EQ(t.w->wakeups, 1u);
	EXPECT_EQ(t.w->timer_wakeups, 1u);
	EXPECT_EQ(t.w->max_ns, 250 * kUs);
	EXPECT_EQ(t.hit.from, 50 * kUs);
	EXPECT_EQ(t.hit.to, 300 * kUs);
	// Its next wakeup is counted once, at its switch in.
	t.waking(1000 * kUs, 1000 * kUs);
	t.run(3, 1010 * kUs);
	EXPECT_EQ(t.w->wakeups, 2u);
	EXPECT_EQ(t.bucket(10), 1u);
}

TEST(Workload, LateWakeupIsASpikeWithItsWindow)
{
	Thread t;
	t.run(3, 0);
	t.sleep(1 * kUs);
	t.waking(2001 * kUs, 2000 * kUs);
	ASSERT_EQ(t.run(3, 2250 * kUs), 1);
	EXPECT_EQ(t.hit.type, static_cast<__u32>(RTNOISE_WL_WAKEUP));
	EXPECT_EQ(t.hit.timer, 1u);
	EXPECT_EQ(t.hit.from, 2000 * kUs);
	EXPECT_EQ(t.hit.to, 2250 * kUs);
	EXPECT_EQ(t.w->spikes, 1u);
}

TEST(Workload, PreemptedBeforeItsFirstRunIsLatencyThenTakenTime)
{
	Thread t;
	t.run(3, 0);
	t.sleep(1 * kUs);
	// Woken at 100 us; a higher-priority thread runs until 160 us: one
	// latency of 60 us, no preemption (it had not run yet).
	t.waking(100 * kUs);
	t.run(3, 160 * kUs);
	EXPECT_EQ(t.bucket(60), 1u);
	EXPECT_EQ(t.w->preemptions, 0u);
	// Then preempted while running, for 150 us: taken time, a spike of
	// its own kind, no second wakeup.
	t.preempt(200 * kUs);
	ASSERT_EQ(t.run(3, 350 * kUs), 1);
	EXPECT_EQ(t.hit.type, static_cast<__u32>(RTNOISE_WL_TAKEN));
	EXPECT_EQ(t.hit.from, 200 * kUs);
	EXPECT_EQ(t.w->wakeups, 1u);
	EXPECT_EQ(t.w->preemptions, 1u);
	EXPECT_EQ(t.w->preempted_ns, 150 * kUs);
	EXPECT_EQ(t.w->max_taken_ns, 150 * kUs);
	EXPECT_EQ(t.w->involuntary, 1u);
}

TEST(Workload, InterruptionsWhileRunningAreTakenTime)
{
	Thread t;
	t.run(3, 0);
	rtnoise_wl_hit hit{};
	EXPECT_EQ(rtnoise_wl_interrupted(t.w.get(), 10 * kUs, 14 * kUs, kThreshold, &hit), 0);
	EXPECT_EQ(rtnoise_wl_interrupted(t.w.get(), 50 * kUs, 250 * kUs, kThreshold, &hit), 1);
	EXPECT_EQ(hit.type, static_cast<__u32>(RTNOISE_WL_TAKEN));
	EXPECT_EQ(t.w->interrupts, 2u);
	EXPECT_EQ(t.w->interrupted_ns, 204 * kUs);
	EXPECT_EQ(t.w->max_taken_ns, 200 * kUs);
}

TEST(Workload, MigrationBetweenWakeupAndRunCounts)
{
	Thread t;
	t.run(2, 0);
	t.sleep(1 * kUs);
	t.waking(100 * kUs);  // woken for CPU 2, runs on CPU 3
	t.run(3, 130 * kUs);
	EXPECT_EQ(t.w->wakeups, 1u);
	EXPECT_EQ(t.bucket(30), 1u);
	EXPECT_EQ(t.w->cpu, 3u);
}

TEST(Workload, AMarkLeftWhileItRanElsewhereIsStale)
{
	Thread t;
	t.run(3, 0);
	t.sleep(1 * kUs);
	t.waking(100 * kUs);
	// It ran on an unwatched CPU (unseen) and was preempted there: its
	// switches moved on. Getting CPU 3 later is no wakeup of 900 us.
	t.switches++;
	t.run(3, 1000 * kUs);
	EXPECT_EQ(t.w->wakeups, 0u);
	EXPECT_EQ(t.w->spikes, 0u);
	// Preempted here, ran elsewhere, back: no 500 us taken either.
	t.preempt(1010 * kUs);
	t.switches++;
	t.run(3, 1510 * kUs);
	EXPECT_EQ(t.w->preemptions, 0u);
}

TEST(Workload, SystemCallTimeIsOnTheCpuOnly)
{
	Thread t;
	t.run(3, 0);
	rtnoise_wl_sys_enter(t.w.get(), 10 * kUs);
	t.sleep(15 * kUs);  // blocks in it: 5 us so far
	t.waking(500 * kUs);
	t.run(3, 510 * kUs);
	rtnoise_wl_sys_exit(t.w.get(), 513 * kUs);  // 3 us more
	EXPECT_EQ(t.w->syscalls, 1u);
	EXPECT_EQ(t.w->syscall_ns, 8 * kUs);
	rtnoise_wl_sys_exit(t.w.get(), 600 * kUs);  // an exit without entry
	EXPECT_EQ(t.w->syscall_ns, 8 * kUs);
}

TEST(Workload, OverflowsBeyondTheLastBucket)
{
	Thread t;
	t.run(3, 0);
	t.sleep(1 * kUs);
	t.waking(10 * kUs);
	t.run(3, (10 + RTNOISE_WL_BUCKETS) * kUs);
	EXPECT_EQ(t.w->overflows, 1u);
	EXPECT_EQ(t.w->wakeups, 1u);
}

TEST(Workload, AThreadThatExitedIsNoLongerCounted)
{
	Thread t;
	t.run(3, 0);
	t.sleep(1 * kUs);
	t.waking(10 * kUs);
	t.run(3, 20 * kUs);
	t.sleep(30 * kUs);
	t.w->flags |= RTNOISE_WL_EXITED;  // sched_process_exit
	t.waking(40 * kUs);
	EXPECT_EQ(t.run(3, 900 * kUs), 0);
	EXPECT_EQ(t.w->wakeups, 1u);
	EXPECT_EQ(t.w->cpu, 3u);
}

}  // namespace
