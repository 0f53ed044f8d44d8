// SPDX-License-Identifier: GPL-2.0
// fuzz_swaps - parse_swaps() of /proc/swaps (host/procfs).
//
// Two properties on each input:
//  - the input as the file: parse_swaps() never throws, and every swap
//    it returns has a path and a type;
//  - the input as swaps: the file the kernel would print for them
//    (swap_show() in mm/swapfile.c: the path through seq_file_path()
//    with " \t\n\\" as \ooo, padded with spaces to 40 columns, then
//    tab-separated "partition" or "file", size, used, priority) parses
//    back to exactly those paths (any bytes but NUL after the '/'),
//    types and priorities.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "fuzz.hpp"
#include "host/procfs.hpp"

using namespace rtnoise;

namespace {

// mangle - mangle_path(): each of esc as a backslash and three octal digits.
std::string mangle(const std::string& path, std::string_view esc)
{
	std::string out;
	for (char c : path) {
		if (esc.find(c) == std::string_view::npos) {
			out += c;
			continue;
		}
		char buf[8];
		std::snprintf(buf, sizeof(buf), "\\%03o", static_cast<unsigned char>(c));
		out += buf;
	}
	return out;
}

void as_file(const std::string& text)
{
	std::vector<Swap> swaps;
	fuzz::only_errors("parse_swaps", {}, text, [&] { swaps = parse_swaps(text); });
	for (const Swap& s : swaps)
		FUZZ_CHECK(!s.path.empty() && !s.type.empty(),
			   "a swap without a path or type in " + fuzz::shown(text));
}

void as_swaps(const std::uint8_t* data, std::size_t size)
{
	FuzzedDataProvider in(data, size);
	std::vector<Swap> want;
	std::string text = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
	const int n = in.ConsumeIntegralInRange(0, 4);
	for (int i = 0; i < n; i++) {
		Swap s;
		s.path = "/" + in.ConsumeRandomLengthString(48);
		for (char& c : s.path)
			if (c == '\0')
				c = '/';
		const bool partition = in.ConsumeBool();
		s.type = partition ? "partition" : "file";
		s.priority = in.ConsumeIntegralInRange<int>(-32768, 32767);
		const unsigned long bytes = in.ConsumeIntegral<std::uint32_t>();
		const unsigned long inuse = in.ConsumeIntegralInRange<unsigned long>(0, bytes);

		const std::string path = mangle(s.path, " \t\n\\");
		const int len = static_cast<int>(path.size());
		char buf[128];
		std::snprintf(buf, sizeof(buf), "%*s%s\t%lu\t%s%lu\t%s%d\n",
			      len < 40 ? 40 - len : 1, " ", partition ? "partition" : "file\t",
			      bytes, bytes < 10000000 ? "\t" : "", inuse,
			      inuse < 10000000 ? "\t" : "", s.priority);
		text += path + buf;
		want.push_back(s);
	}
	std::vector<Swap> got;
	fuzz::only_errors("parse_swaps", {}, text, [&] { got = parse_swaps(text); });
	FUZZ_CHECK(got.size() == want.size(), "read " + std::to_string(got.size()) + " of " +
						      std::to_string(want.size()) + " swaps in " +
						      fuzz::shown(text));
	for (std::size_t i = 0; i < want.size(); i++) {
		FUZZ_CHECK(got[i].path == want[i].path, "path " + fuzz::shown(got[i].path) +
								", not " +
								fuzz::shown(want[i].path));
		FUZZ_CHECK(got[i].type == want[i].type,
			   "type " + fuzz::shown(got[i].type) + " of " + fuzz::shown(want[i].path));
		FUZZ_CHECK(got[i].priority == want[i].priority,
			   "priority " + std::to_string(got[i].priority) + " of " +
				   fuzz::shown(want[i].path));
	}
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	as_file(std::string(reinterpret_cast<const char*>(data), size));
	as_swaps(data, size);
	return 0;
}
