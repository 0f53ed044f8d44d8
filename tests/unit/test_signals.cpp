// SPDX-License-Identifier: GPL-2.0
// What keeps attach --duration safe: signals wait for a point where it
// can stop, the undo runs on every way out, and the exit status says
// which signal ended the run.
#include <gtest/gtest.h>
#include <pthread.h>

#include <stdexcept>

#include "app/signals.hpp"

using namespace rtnoise;

namespace {

bool blocked(int sig)
{
	sigset_t now;
	pthread_sigmask(SIG_BLOCK, nullptr, &now);
	return sigismember(&now, sig);
}

}  // namespace

TEST(Signals, ExitStatusAsShellsExpect)
{
	EXPECT_EQ(static_cast<int>(exit_for_signal(SIGINT)), 130);
	EXPECT_EQ(static_cast<int>(exit_for_signal(SIGTERM)), 143);
	EXPECT_EQ(static_cast<int>(exit_for_signal(SIGHUP)), 129);
	Error e = interrupted(SIGHUP, "detached");
	EXPECT_EQ(static_cast<int>(e.code()), 129);
	EXPECT_STREQ(e.what(), "interrupted by SIGHUP: detached");
}

TEST(Signals, ArriveOnlyWhereTaken)
{
	ASSERT_FALSE(blocked(SIGTERM));
	{
		SignalBlock block;
		EXPECT_TRUE(blocked(SIGINT) && blocked(SIGTERM) && blocked(SIGHUP));
		EXPECT_EQ(block.take(), 0);
		// Would end this process if it were not blocked.
		ASSERT_EQ(raise(SIGTERM), 0);
		ASSERT_EQ(raise(SIGHUP), 0);
		int first = block.take(), second = block.take();
		EXPECT_TRUE((first == SIGTERM && second == SIGHUP) ||
			    (first == SIGHUP && second == SIGTERM));
		EXPECT_EQ(block.take(std::chrono::milliseconds(20)), 0);
	}
	EXPECT_FALSE(blocked(SIGTERM));
}

TEST(Signals, UndoRunsOnEveryWayOut)
{
	int runs = 0;
	try {
		Undo undo([&] { runs++; });
		throw std::runtime_error("collect failed");
	} catch (const std::runtime_error&) {
	}
	EXPECT_EQ(runs, 1);
	{
		Undo undo([&] { runs++; });
	}
	EXPECT_EQ(runs, 2);
	{
		Undo undo([&] { runs++; });
		undo.dismiss();
	}
	EXPECT_EQ(runs, 2);
	// An undo that fails is said, not thrown out of a destructor.
	testing::internal::CaptureStderr();
	EXPECT_NO_THROW({ Undo undo([] { throw std::runtime_error("cannot reset"); }); });
	EXPECT_EQ(testing::internal::GetCapturedStderr(), "rtnoise: cannot reset\n");
}

// SIGQUIT (Ctrl-\) ends attach --isolate --duration as SIGINT does: taken
// where attach can stop, so the partition is undone, and 131 for it.
TEST(Signals, QuitIsTakenAsTheOthers)
{
	ASSERT_FALSE(blocked(SIGQUIT));
	{
		SignalBlock block;
		EXPECT_TRUE(blocked(SIGQUIT));
		// Would end this process, with a core, if it were not blocked.
		ASSERT_EQ(raise(SIGQUIT), 0);
		EXPECT_EQ(block.take(), SIGQUIT);
	}
	EXPECT_FALSE(blocked(SIGQUIT));
	EXPECT_EQ(static_cast<int>(exit_for_signal(SIGQUIT)), 131);
	EXPECT_STREQ(interrupted(SIGQUIT, "detached").what(), "interrupted by SIGQUIT: detached");
}
