// SPDX-License-Identifier: GPL-2.0
// golden.hpp - outputs compared byte for byte with their golden files,
// all in tests/fixtures/golden/ (names are relative to tests/fixtures/,
// whose other files are inputs, also read here).
// RTNOISE_UPDATE_GOLDEN=1 rewrites the golden files instead (then review
// them with git diff).
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace golden {

inline std::string path(const std::string& name)
{
	return std::string(RTNOISE_FIXTURES) + "/" + name;
}

inline std::string read(const std::string& name)
{
	std::ifstream in(path(name), std::ios::binary);
	std::ostringstream out;
	out << in.rdbuf();
	return out.str();
}

// count - how many times what stands in text, not overlapping.
inline std::size_t count(const std::string& text, const std::string& what)
{
	std::size_t n = 0;
	for (std::size_t at = text.find(what); at != std::string::npos;
	     at = text.find(what, at + what.size()))
		n++;
	return n;
}

inline void expect(const std::string& name, const std::string& actual)
{
	const char* update = std::getenv("RTNOISE_UPDATE_GOLDEN");
	if (update && *update == '1') {
		std::ofstream out(path(name), std::ios::binary | std::ios::trunc);
		out << actual;
		return;
	}
	EXPECT_EQ(actual, read(name)) << "differs from tests/fixtures/" << name
				      << " (RTNOISE_UPDATE_GOLDEN=1 rewrites it)";
}

}  // namespace golden
