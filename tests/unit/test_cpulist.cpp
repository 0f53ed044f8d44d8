// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include "util/cpulist.hpp"
#include "util/error.hpp"

using namespace rtnoise;

TEST(CpuList, ParsesSinglesRangesAndStrides)
{
	EXPECT_EQ(parse_cpulist("3"), (CpuSet{3}));
	EXPECT_EQ(parse_cpulist("0-3"), (CpuSet{0, 1, 2, 3}));
	EXPECT_EQ(parse_cpulist("1,4-5,9"), (CpuSet{1, 4, 5, 9}));
	EXPECT_EQ(parse_cpulist("0-7:2"), (CpuSet{0, 2, 4, 6}));
	EXPECT_EQ(parse_cpulist("0-11:2/4"), (CpuSet{0, 1, 4, 5, 8, 9}));
	EXPECT_EQ(parse_cpulist("2-2"), (CpuSet{2}));
	EXPECT_EQ(parse_cpulist(" 2,3\n"), (CpuSet{2, 3}));
	EXPECT_EQ(parse_cpulist("3,1-2,2"), (CpuSet{1, 2, 3}));
}

TEST(CpuList, RejectsMalformedLists)
{
	for (const char* bad : {"3-1", "a", "1,,2", "99999", "", ",", "1,", "-1", "1-", "1-a",
				"0-7:0", "0-7:3/2", "4:2", "1 2", "0x3"}) {
		EXPECT_THROW(parse_cpulist(bad), Error) << "'" << bad << "'";
	}
}

TEST(CpuList, ErrorsNameTheProblem)
{
	try {
		parse_cpulist("3-1");
		FAIL();
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::usage);
		EXPECT_NE(std::string(e.what()).find("'3-1'"), std::string::npos);
	}
	try {
		parse_cpulist("99999");
		FAIL();
	} catch (const Error& e) {
		EXPECT_NE(std::string(e.what()).find("99999"), std::string::npos);
	}
}

TEST(CpuList, EmptyAllowedForSysfsFiles)
{
	EXPECT_TRUE(parse_cpulist("\n", true).empty());
	EXPECT_THROW(parse_cpulist("\n"), Error);
}

TEST(CpuList, FormatsShortest)
{
	EXPECT_EQ(format_cpulist({}), "");
	EXPECT_EQ(format_cpulist({5}), "5");
	EXPECT_EQ(format_cpulist({0, 1, 2, 5, 7, 8}), "0-2,5,7-8");
	for (const char* s : {"0-3", "1,3,5", "0-1,8-15,63-64"})
		EXPECT_EQ(format_cpulist(parse_cpulist(s)), s);
}

TEST(CpuList, BitmapMatchesKernelLayout)
{
	auto words = to_bitmap({0, 2, 63, 64, 130});
	ASSERT_EQ(words.size(), 3u);
	EXPECT_EQ(words[0], (1ULL << 0) | (1ULL << 2) | (1ULL << 63));
	EXPECT_EQ(words[1], 1ULL << 0);
	EXPECT_EQ(words[2], 1ULL << 2);
}
