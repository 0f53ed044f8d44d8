// SPDX-License-Identifier: GPL-2.0
// fuzz_utf8 - valid_utf8(), escape_name() and unescape_name() (util/utf8):
// names are bytes, and come back byte for byte.
//
// Properties, for any bytes x:
//  - valid_utf8(x) agrees with a decoder written here from RFC 3629's
//    definition (code points, not byte tables: no overlong form, no
//    surrogate, nothing above U+10FFFF);
//  - e = escape_name(x) is valid UTF-8 with no control character (C0,
//    DEL, C1), JSON takes it, and unescape_name(e) == x;
//  - e == x exactly when x is valid, printable and has no backslash;
//  - unescape_name() of text without a backslash is that text, and never
//    makes anything longer.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "fuzz.hpp"
#include "util/utf8.hpp"

using namespace rtnoise;

namespace {

// decode - the code points of s, or false if s is not UTF-8.
bool decode(std::string_view s, std::u32string* out)
{
	for (std::size_t i = 0; i < s.size();) {
		const auto b = static_cast<unsigned char>(s[i]);
		std::size_t n;
		char32_t cp, min;
		if (b < 0x80) {
			n = 1, cp = b, min = 0;
		} else if ((b & 0xe0) == 0xc0) {
			n = 2, cp = b & 0x1f, min = 0x80;
		} else if ((b & 0xf0) == 0xe0) {
			n = 3, cp = b & 0x0f, min = 0x800;
		} else if ((b & 0xf8) == 0xf0) {
			n = 4, cp = b & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (i + n > s.size())
			return false;
		for (std::size_t k = 1; k < n; k++) {
			const auto c = static_cast<unsigned char>(s[i + k]);
			if ((c & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (c & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		if (out)
			out->push_back(cp);
		i += n;
	}
	return true;
}

bool control(char32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string x(reinterpret_cast<const char*>(data), size);
	FUZZ_CHECK(valid_utf8(x) == decode(x, nullptr),
		   "valid_utf8 says " + std::to_string(valid_utf8(x)) + " for " + fuzz::shown(x));

	std::string e;
	fuzz::only_errors("escape_name", {}, x, [&] { e = escape_name(x); });
	std::u32string cps;
	FUZZ_CHECK(decode(e, &cps),
		   "escape_name gave bytes that are not UTF-8 for " + fuzz::shown(x));
	for (char32_t cp : cps)
		FUZZ_CHECK(!control(cp),
			   "escape_name left a control character in " + fuzz::shown(x));
	try {
		(void)nlohmann::json(e).dump();
	} catch (const nlohmann::json::exception& ex) {
		FUZZ_CHECK(false, std::string("JSON refuses the escaped name: ") + ex.what());
	}
	FUZZ_CHECK(unescape_name(e) == x, "unescape(escape(x)) != x for " + fuzz::shown(x));

	std::u32string xs;
	bool printable = decode(x, &xs) && x.find('\\') == std::string::npos;
	for (char32_t cp : xs)
		printable &= !control(cp);
	FUZZ_CHECK((e == x) == printable,
		   "escape_name changed " + fuzz::shown(x) + " (or left it) wrongly: " + e);

	std::string u;
	fuzz::only_errors("unescape_name", {}, x, [&] { u = unescape_name(x); });
	FUZZ_CHECK(u.size() <= x.size(), "unescape_name made " + fuzz::shown(x) + " longer");
	if (x.find('\\') == std::string::npos)
		FUZZ_CHECK(u == x,
			   "unescape_name changed " + fuzz::shown(x) + " without a backslash");
	return 0;
}
