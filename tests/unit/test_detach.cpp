// SPDX-License-Identifier: GPL-2.0
// detach stops every side it can, whatever became of the others: a
// damaged or newer state file, a side that refuses. The BPF and sampler
// steps are fakes; the partition side runs on a temporary tree.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "cli/commands.hpp"
#include "host/host.hpp"
#include "host/procfs.hpp"
#include "isolation/partition.hpp"

using namespace rtnoise;

namespace {

struct Detach : ::testing::Test {
	fs::path root =
		fs::temp_directory_path() / ("rtnoise-detach-" + std::to_string(::getpid()));
	fs::path state = root / "run/rtnoise/partition.json";
	std::vector<std::string> calls;
	DetachSteps steps;

	void SetUp() override
	{
		fs::remove_all(root);
		fs::create_directories(state.parent_path());
		steps.tracer = [this] {
			calls.push_back("tracer");
			return true;
		};
		steps.sampler = [this] {
			calls.push_back("sampler");
			return true;
		};
		steps.unload = [this] { calls.push_back("unload"); };
	}
	void TearDown() override { fs::remove_all(root); }

	void put(const fs::path& p, const std::string& text)
	{
		fs::create_directories(p.parent_path());
		std::ofstream(p) << text;
	}
};

}  // namespace

TEST_F(Detach, DamagedStateFileStillStopsTheSampler)
{
	put(state, "{\"version\": 2, \"by\": \"att");
	DetachResult r;
	ASSERT_NO_THROW(r = detach_all(steps, root, state));
	EXPECT_EQ(calls, (std::vector<std::string>{"tracer", "sampler", "unload"}));
	ASSERT_EQ(r.errors.size(), 1u);
	EXPECT_NE(r.errors[0].find("damaged"), std::string::npos) << r.errors[0];
	EXPECT_TRUE(fs::exists(state));	 // the only record: kept for a person
}

TEST_F(Detach, NewerStateFileStillStopsTheSampler)
{
	put(state, R"({"version": 99, "by": "attach"})");
	DetachResult r;
	ASSERT_NO_THROW(r = detach_all(steps, root, state));
	EXPECT_EQ(calls, (std::vector<std::string>{"tracer", "sampler", "unload"}));
	ASSERT_EQ(r.errors.size(), 1u);
	EXPECT_NE(r.errors[0].find("version 99"), std::string::npos) << r.errors[0];
}

TEST_F(Detach, ASideThatRefusesDoesNotStopTheOthers)
{
	steps.tracer = [this]() -> bool {
		calls.push_back("tracer");
		throw std::runtime_error(
			"cannot remove /sys/fs/bpf/rtnoise: Device or resource busy");
	};
	DetachResult r;
	ASSERT_NO_THROW(r = detach_all(steps, root, state));
	EXPECT_EQ(calls, (std::vector<std::string>{"tracer", "sampler", "unload"}));
	ASSERT_EQ(r.errors.size(), 1u);
	EXPECT_NE(r.errors[0].find("busy"), std::string::npos);
	EXPECT_TRUE(r.any);
}

TEST_F(Detach, UndoesOnlyAPartitionThatAttachMade)
{
	const fs::path knob = root / "proc/sys/kernel/watchdog";
	put(knob, "0\n");
	State s;
	s.by = "partition";
	s.plan.cpus = {2, 3};
	s.plan.housekeeping = {0, 1};
	s.plan.changes = {
		{Change::Kind::file, "proc/sys/kernel/watchdog", "1", "0", "kernel.watchdog=0"}};
	write_state(state, s);
	DetachResult r = detach_all(steps, root, state);
	EXPECT_TRUE(r.errors.empty());
	EXPECT_EQ(read_line(knob), "0");  // 'partition --restore' undoes it
	EXPECT_TRUE(fs::exists(state));

	s.by = "attach";
	write_state(state, s);
	r = detach_all(steps, root, state);
	EXPECT_TRUE(r.errors.empty());
	EXPECT_EQ(read_line(knob), "1");
	EXPECT_FALSE(fs::exists(state));
}

TEST_F(Detach, APartitionValueThatCannotBeRestoredIsAnError)
{
	const fs::path knob = root / "proc/sys/kernel/watchdog";
	fs::create_directories(knob);  // cannot be written
	State s;
	s.by = "attach";
	s.plan.cpus = {2, 3};
	s.plan.housekeeping = {0, 1};
	s.plan.changes = {
		{Change::Kind::file, "proc/sys/kernel/watchdog", "1", "0", "kernel.watchdog=0"}};
	write_state(state, s);
	DetachResult r = detach_all(steps, root, state);
	EXPECT_EQ(calls, (std::vector<std::string>{"tracer", "sampler", "unload"}));
	ASSERT_EQ(r.errors.size(), 1u);
	EXPECT_NE(r.errors[0].find("partition --restore"), std::string::npos) << r.errors[0];
	EXPECT_TRUE(fs::exists(state));
}
