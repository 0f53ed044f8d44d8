// SPDX-License-Identifier: GPL-2.0
// escape_name(): valid printable UTF-8 kept, every other byte \xNN, and
// unescape_name() its exact inverse.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "util/utf8.hpp"

using namespace rtnoise;

TEST(Utf8, ValidAsRfc3629Says)
{
	EXPECT_TRUE(valid_utf8(""));
	EXPECT_TRUE(valid_utf8("kworker/3:1"));
	EXPECT_TRUE(valid_utf8("gr\xc3\xbc\xc3\x9f"));	// grüß
	EXPECT_TRUE(valid_utf8("\xe4\xb8\xad"));	// 中
	EXPECT_TRUE(valid_utf8("\xf0\x9f\x98\x80"));	// U+1F600
	EXPECT_TRUE(valid_utf8("\xf4\x8f\xbf\xbf"));	// U+10FFFF
	EXPECT_FALSE(valid_utf8("bad\xff\xfe"));
	EXPECT_FALSE(valid_utf8("\xe4\xb8"));	       // cut
	EXPECT_FALSE(valid_utf8("\xc0\xaf"));	       // overlong '/'
	EXPECT_FALSE(valid_utf8("\xe0\x80\xaf"));      // overlong
	EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
	EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
	EXPECT_FALSE(valid_utf8("\x80"));	       // lone continuation
}

TEST(Utf8, EscapesWhatIsNotPrintableUtf8)
{
	EXPECT_EQ(escape_name("kworker/3:1"), "kworker/3:1");
	EXPECT_EQ(escape_name("gr\xc3\xbc\xc3\x9f"), "gr\xc3\xbc\xc3\x9f");
	EXPECT_EQ(escape_name("bad\xff\xfe"), "bad\\xff\\xfe");
	// A comm the kernel cut at 15 bytes, in the middle of "中".
	EXPECT_EQ(escape_name("abcdefghijklm\xe4\xb8"), "abcdefghijklm\\xe4\\xb8");
	// A cut sequence does not swallow the valid character after it.
	EXPECT_EQ(escape_name("\xe4\xc3\xbc"), "\\xe4\xc3\xbc");
	EXPECT_EQ(escape_name("a\x1b[2Jb\x7f"), "a\\x1b[2Jb\\x7f");
	EXPECT_EQ(escape_name("\xc2\x9b"), "\\xc2\\x9b");  // C1 CSI
	EXPECT_EQ(escape_name(std::string("nul\0x", 5)), "nul\\x00x");
	EXPECT_EQ(escape_name("a\\b"), "a\\\\b");
}

TEST(Utf8, EscapedIsValidJsonAndUnescapesExactly)
{
	std::mt19937 rng(9);
	for (int round = 0; round < 2000; round++) {
		std::string bytes(rng() % 24, '\0');
		for (char& c : bytes)
			c = static_cast<char>(round < 256 ? round : rng());
		std::string e = escape_name(bytes);
		ASSERT_TRUE(valid_utf8(e)) << e;
		ASSERT_NO_THROW((void)nlohmann::json(e).dump());
		ASSERT_EQ(unescape_name(e), bytes);
	}
	EXPECT_EQ(unescape_name("\\x4"), "\\x4");  // no escape: kept
	EXPECT_EQ(unescape_name("a\\qb"), "a\\qb");
}
