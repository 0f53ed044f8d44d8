// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include "util/error.hpp"
#include "util/units.hpp"

using namespace rtnoise;

TEST(Units, ParsesEveryUnit)
{
	EXPECT_EQ(parse_duration_ns("1ms", kNsPerUs), 1000000u);
	EXPECT_EQ(parse_duration_ns("50us", kNsPerUs), 50000u);
	EXPECT_EQ(parse_duration_ns("250ns", kNsPerUs), 250u);
	EXPECT_EQ(parse_duration_ns("1.5s", kNsPerUs), 1500000000u);
	EXPECT_EQ(parse_duration_ns("2m", kNsPerUs), 120000000000u);
	EXPECT_EQ(parse_duration_ns("1h", kNsPerUs), 3600000000000u);
}

TEST(Units, BareNumberTakesTheDefaultUnit)
{
	EXPECT_EQ(parse_duration_ns("100", kNsPerUs), 100000u);
	EXPECT_EQ(parse_duration_ns("30", kNsPerSec), 30000000000u);
}

// Found by tests/fuzz/fuzz_duration: past 2^63 ns (292 years) the result
// went through llround(), whose long long overflowed to 2^63. Durations
// end at 2^63 ns, so that every user of one (std::chrono::nanoseconds
// is signed 64 bits) has it whole.
TEST(Units, DurationsEndAt2To63Ns)
{
	EXPECT_EQ(parse_duration_ns("9000000000", kNsPerSec), 9000000000000000000u);
	EXPECT_EQ(parse_duration_ns("2562047h", kNsPerUs), 9223369200000000000u);
	for (const char* too_long : {"9599999999", "2562048h", "17999999999s", "18000000000s"})
		EXPECT_THROW(parse_duration_ns(too_long, kNsPerSec), Error) << too_long;
}

TEST(Units, RejectsGarbage)
{
	for (const char* bad : {"", "ms", "1xs", "1.2.3s", "-1ms", "1 ms", "1e3"})
		EXPECT_THROW(parse_duration_ns(bad, kNsPerUs), Error) << bad;
}

TEST(Units, FormatsShort)
{
	EXPECT_EQ(format_duration(850), "850 ns");
	EXPECT_EQ(format_duration(50000), "50 us");
	EXPECT_EQ(format_duration(1000000), "1 ms");
	EXPECT_EQ(format_duration(1500000), "1.5 ms");
	EXPECT_EQ(format_duration(12000000000), "12.0 s");
	EXPECT_EQ(ns_to_us(1999), 1u);
}

TEST(FormatBytes, BinaryUnits)
{
	EXPECT_EQ(format_bytes(0), "0 B");
	EXPECT_EQ(format_bytes(1023), "1023 B");
	EXPECT_EQ(format_bytes(4096), "4.0 KiB");
	EXPECT_EQ(format_bytes(2516582), "2.4 MiB");
	EXPECT_EQ(format_bytes(1ULL << 30), "1.0 GiB");
}
