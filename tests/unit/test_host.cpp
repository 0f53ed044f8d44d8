// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <fstream>

#include "host/host.hpp"
#include "host/procfs.hpp"
#include "util/error.hpp"

using namespace rtnoise;

namespace {

// A fake root with the files the readers look at.
class HostTree : public ::testing::Test {
protected:
	void SetUp() override
	{
		root_ = fs::temp_directory_path() /
			("rtnoise-host-" + std::to_string(::getpid()) + "-" +
			 ::testing::UnitTest::GetInstance()->current_test_info()->name());
		fs::remove_all(root_);
		write("sys/devices/system/cpu/possible", "0-3\n");
		write("sys/devices/system/cpu/online", "0-2\n");
		write("sys/devices/system/cpu/isolated", "\n");
		write("proc/self/status", "Name:\tx\nCapEff:\t000001ffffffffff\n");
	}
	void TearDown() override { fs::remove_all(root_); }

	void write(const std::string& rel, const std::string& text)
	{
		fs::create_directories((root_ / rel).parent_path());
		std::ofstream(root_ / rel) << text;
	}

	fs::path root_;
};

}  // namespace

TEST_F(HostTree, ReadsCpuLists)
{
	EXPECT_EQ(cpu_list_file(root_, "possible"), (CpuSet{0, 1, 2, 3}));
	EXPECT_EQ(cpu_list_file(root_, "online"), (CpuSet{0, 1, 2}));
	EXPECT_TRUE(cpu_list_file(root_, "isolated").empty());
	EXPECT_TRUE(cpu_list_file(root_, "nohz_full").empty());
}

TEST_F(HostTree, WatchableCpusMustExistAndBeOnline)
{
	EXPECT_NO_THROW(check_watchable(root_, {1, 2}));
	try {
		check_watchable(root_, {3});
		FAIL();
	} catch (const Error& e) {
		EXPECT_EQ(std::string(e.what()),
			  "CPU 3 is offline: bring it online (echo 1 > "
			  "/sys/devices/system/cpu/cpu3/online) or drop it from --cpus");
	}
	try {
		check_watchable(root_, {2, 7});
		FAIL();
	} catch (const Error& e) {
		EXPECT_EQ(std::string(e.what()),
			  "CPU 7 does not exist (this machine has CPUs 0-3)");
	}
}

TEST_F(HostTree, CapSysAdminFromCapEff)
{
	EXPECT_TRUE(has_cap_sys_admin(root_));
	write("proc/self/status", "CapEff:\t0000000000000000\n");
	EXPECT_FALSE(has_cap_sys_admin(root_));
	write("proc/self/status", "CapEff:\t0000000000200000\n");
	EXPECT_TRUE(has_cap_sys_admin(root_));
}

// Found by tests/fuzz/fuzz_stat: a comm is any bytes but NUL, a newline
// too (prctl(PR_SET_NAME)), and /proc/<pid>/stat prints it as it is. Read
// up to the first newline, the line did not parse and the task was left
// out of check and partition.
TEST_F(HostTree, ListsATaskWithANewlineInItsComm)
{
	std::string fields;
	for (int n = 4; n <= 52; n++) {
		fields += ' ';
		fields += std::to_string(n == 22 ? 777 : n == 39 ? 2 : 0);
	}
	write("proc/7/task/7/stat", "7 (evil\nname) R" + fields + "\n");
	write("proc/7/task/7/status", "Name:\tevil\\nname\nCpus_allowed_list:\t0-3\n");
	std::vector<Task> tasks = list_tasks(root_);
	ASSERT_EQ(tasks.size(), 1u);
	EXPECT_EQ(tasks[0].tid, 7);
	EXPECT_EQ(tasks[0].comm, "evil\\x0aname");
	EXPECT_EQ(tasks[0].start_time, 777u);
	EXPECT_EQ(tasks[0].processor, 2);
	EXPECT_EQ(tasks[0].allowed, (CpuSet{0, 1, 2, 3}));
}

// /proc/<pid>/stat: the comm may hold spaces and parentheses; a line
// that is not a stat line is refused, never thrown on.
TEST(ProcStat, ParsesAndRefusesWithoutThrowing)
{
	std::string fields;
	for (int n = 3; n <= 52; n++) {
		fields += ' ';
		fields += std::to_string(n == 9	   ? 0x00200040
					 : n == 22 ? 777
					 : n == 39 ? 3
					 : n == 40 ? 50
					 : n == 41 ? 1
						   : 0);
	}
	Task t;
	ASSERT_TRUE(parse_stat("42 (a (b) c)" + fields, t));
	EXPECT_EQ(t.comm, "a (b) c");
	EXPECT_TRUE(t.kthread);
	EXPECT_EQ(t.start_time, 777u);
	EXPECT_EQ(t.processor, 3);
	EXPECT_EQ(t.rt_priority, 50u);
	EXPECT_EQ(t.policy, 1u);

	std::string bad = "42 (x)" + fields;
	bad.replace(bad.find(" 2097216"), 8, " flags!!");
	EXPECT_NO_THROW(EXPECT_FALSE(parse_stat(bad, t)));
	std::string huge = "42 (x)" + fields;
	huge.replace(huge.find(" 2097216"), 8, " 99999999999999999999999");
	EXPECT_NO_THROW(EXPECT_FALSE(parse_stat(huge, t)));
	EXPECT_NO_THROW(EXPECT_FALSE(parse_stat("42 x)", t)));
	EXPECT_NO_THROW(EXPECT_FALSE(parse_stat("", t)));
}

// Found by tests/fuzz/fuzz_swaps: swap_show() escapes only space, tab,
// newline and backslash in a path (as \ooo) and separates the fields with
// spaces and tabs; any other byte, \v, \f and \r among them, is the
// path's. Split at those as blanks, such a swap was not seen (and not
// turned off by partition).
TEST(ProcSwaps, KeepsEveryByteThePathHas)
{
	const std::string path = "/swap\vfile\f\r\x85 x\\";
	const std::vector<Swap> swaps = parse_swaps(
		"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
		"/swap\vfile\f\r\x85\\040x\\134                  file\t\t1048572\t\t0\t\t-2\n"
		"/dev/vda2                               partition\t2097148\t\t0\t\t5\n");
	ASSERT_EQ(swaps.size(), 2u);
	EXPECT_EQ(swaps[0].path, path);
	EXPECT_EQ(swaps[0].type, "file");
	EXPECT_EQ(swaps[0].priority, -2);
	EXPECT_EQ(swaps[1].path, "/dev/vda2");
	EXPECT_EQ(swaps[1].type, "partition");
	EXPECT_EQ(swaps[1].priority, 5);
}

TEST(ProcCmdline, SplitsAsTheKernelDoes)
{
	// The kernel's next_arg(): double quotes keep blanks in a word and are
	// dropped around a value; "--" ends the kernel's parameters (the rest
	// is init's). A key given twice keeps its last value.
	Cmdline c = parse_cmdline("BOOT_IMAGE=/vmlinuz dyndbg=\"file foo.c +p\" quiet "
				  "isolcpus=1 \"acpi=off\" isolcpus=2-3 -- nohz_full=2\n");
	EXPECT_EQ(c, (Cmdline{{"BOOT_IMAGE", "/vmlinuz"},
			      {"dyndbg", "file foo.c +p"},
			      {"quiet", ""},
			      {"acpi", "off"},
			      {"isolcpus", "2-3"}}));
	// A quote left open runs to the end, as in the kernel.
	EXPECT_EQ(parse_cmdline("a=\"b c"), (Cmdline{{"a", "b c"}}));
	EXPECT_EQ(parse_cmdline("  \t\n"), Cmdline{});
}
