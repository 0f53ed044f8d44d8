// SPDX-License-Identifier: GPL-2.0
#include "util/utf8.hpp"

namespace rtnoise {

namespace {

// sequence_length - the length of the well-formed UTF-8 sequence at
// s[i], or 0 if there is none (RFC 3629, section 4).
std::size_t sequence_length(std::string_view s, std::size_t i)
{
	auto at = [&](std::size_t k) -> unsigned {
		return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100;
	};
	auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xbf) {
		unsigned b = at(k);
		return b >= lo && b <= hi;
	};
	const unsigned b = at(0);
	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		return cont(1) ? 2 : 0;
	if (b == 0xe0)
		return cont(1, 0xa0) && cont(2) ? 3 : 0;
	if (b == 0xed)	// U+D800-U+DFFF are surrogates
		return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
	if (b >= 0xe1 && b <= 0xef)
		return cont(1) && cont(2) ? 3 : 0;
	if (b == 0xf0)
		return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
	if (b >= 0xf1 && b <= 0xf3)
		return cont(1) && cont(2) && cont(3) ? 4 : 0;
	if (b == 0xf4)	// nothing above U+10FFFF
		return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
	return 0;
}

// is_control - C0, DEL, and C1 (U+0080-U+009F, encoded c2 80-9f).
bool is_control(std::string_view s, std::size_t i, std::size_t len)
{
	const auto b = static_cast<unsigned char>(s[i]);
	if (len == 1)
		return b < 0x20 || b == 0x7f;
	return len == 2 && b == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0;
}

int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

}  // namespace

bool valid_utf8(std::string_view bytes)
{
	for (std::size_t i = 0; i < bytes.size();) {
		std::size_t len = sequence_length(bytes, i);
		if (!len)
			return false;
		i += len;
	}
	return true;
}

std::string escape_name(std::string_view bytes)
{
	static const char hex[] = "0123456789abcdef";
	std::string out;
	out.reserve(bytes.size());
	for (std::size_t i = 0; i < bytes.size();) {
		std::size_t len = sequence_length(bytes, i);
		if (len && !is_control(bytes, i, len)) {
			if (bytes[i] == '\\')
				out += '\\';
			out.append(bytes.substr(i, len));
			i += len;
			continue;
		}
		// Escape one byte only: what follows may start a valid character.
		// A control character of two bytes (C1) takes two rounds.
		const auto b = static_cast<unsigned char>(bytes[i++]);
		out += "\\x";
		out += hex[b >> 4];
		out += hex[b & 0xf];
	}
	return out;
}

std::string unescape_name(std::string_view text)
{
	std::string out;
	out.reserve(text.size());
	for (std::size_t i = 0; i < text.size(); i++) {
		if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '\\') {
			out += '\\';
			i++;
		} else if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] == 'x' &&
			   hex_value(text[i + 2]) >= 0 && hex_value(text[i + 3]) >= 0) {
			out += static_cast<char>(hex_value(text[i + 2]) * 16 +
						 hex_value(text[i + 3]));
			i += 3;
		} else {
			out += text[i];
		}
	}
	return out;
}

std::string clean_name(std::string_view text)
{
	return escape_name(unescape_name(text));
}

}  // namespace rtnoise
