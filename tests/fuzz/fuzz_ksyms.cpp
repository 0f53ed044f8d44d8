// SPDX-License-Identifier: GPL-2.0
// fuzz_ksyms - Ksyms::parse() of /proc/kallsyms text, and the lookups
// (host/ksyms).
//
// The reference here reads the text line by line on its own: fields
// separated by blanks, "ADDR TYPE NAME [MODULE]", text symbols (t, T)
// with a non-zero hexadecimal address only. Properties:
//  - parse never throws;
//  - it keeps exactly the reference's symbols;
//  - name_of(a) for a symbol's address is the last symbol the text gave
//    at that address (the sort is stable), with " [module]" if any;
//  - frame_of(a + d) inside a symbol is "name+0x<d>";
//  - an address no symbol covers (below the lowest, or every one when
//    the text has none) is never shown: name_of() and frame_of() are
//    "hidden#" and a hash that holds no 8 hex digits of the address, the
//    same for the same address and key, another for another address or
//    another key; hidden_why() says why.
//  - address_of(name, module) finds an address of that name.
#include <algorithm>
#include <cinttypes>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "fuzz.hpp"
#include "host/ksyms.hpp"

using namespace rtnoise;

namespace {

struct Sym {
	std::uint64_t addr;
	std::string name, module;
};

std::vector<std::string> fields(const std::string& line)
{
	std::vector<std::string> out;
	std::size_t i = 0;
	while (true) {
		i = line.find_first_not_of(" \t", i);
		if (i == std::string::npos)
			return out;
		std::size_t end = line.find_first_of(" \t", i);
		out.push_back(line.substr(i, end - i));
		if (end == std::string::npos)
			return out;
		i = end;
	}
}

// hex - a hexadecimal number that fits 64 bits, leading zeros or not.
bool hex(const std::string& s, std::uint64_t& v)
{
	const auto nz = s.find_first_not_of('0');
	const std::string digits = nz == std::string::npos ? "" : s.substr(nz);
	if (s.empty() || digits.size() > 16)
		return false;
	v = 0;
	for (char c : digits) {
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return false;
		v = v << 4 | static_cast<unsigned>(d);
	}
	return true;
}

std::vector<Sym> reference(const std::string& text)
{
	std::vector<Sym> syms;
	std::size_t start = 0;
	while (start < text.size()) {
		std::size_t nl = text.find('\n', start);
		std::string line = text.substr(start, nl == std::string::npos ? nl : nl - start);
		start = nl == std::string::npos ? text.size() : nl + 1;
		auto f = fields(line);
		if (f.size() < 3 || (f[1] != "t" && f[1] != "T"))
			continue;
		std::uint64_t a = 0;
		if (!hex(f[0], a) || !a)
			continue;
		std::string module;
		if (f.size() > 3 && f[3].size() > 2 && f[3].front() == '[' && f[3].back() == ']')
			module = f[3].substr(1, f[3].size() - 2);
		syms.push_back({a, f[2], module});
	}
	return syms;
}

std::string hexstr(std::uint64_t v)
{
	char buf[32];
	std::snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return buf;
}

// check_hidden - a not covered by any symbol of k: never shown.
void check_hidden(const Ksyms& k, std::uint64_t a)
{
	const std::string n = k.name_of(a);
	FUZZ_CHECK(is_hidden_name(n) && k.frame_of(a) == n && k.hidden_name(a) == n,
		   "no symbol at " + hexstr(a) + ", yet " + fuzz::shown(n));
	char hex[24];
	std::snprintf(hex, sizeof(hex), "%08" PRIx64, a & 0xffffffffU);
	FUZZ_CHECK(n.find(hex) == std::string::npos, "the address shows in " + n);
	FUZZ_CHECK(k.name_of(a - 1) != n && Ksyms::parse("", {1, 2}).name_of(a) != n,
		   "hidden names collide at " + hexstr(a));
	FUZZ_CHECK(!k.hidden_why().empty(), "hidden without a reason");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string text(reinterpret_cast<const char*>(data), size);
	Ksyms k;
	fuzz::only_errors("Ksyms::parse", {}, text, [&] { k = Ksyms::parse(text); });
	const std::vector<Sym> want = reference(text);
	FUZZ_CHECK(k.size() == want.size(), "kept " + std::to_string(k.size()) + " symbols, not " +
						    std::to_string(want.size()) + ", of " +
						    fuzz::shown(text));
	if (want.empty()) {
		check_hidden(k, 0xffffffff81234567ULL);
		return 0;
	}

	// The last one the text gave at each address, and the next address.
	std::map<std::uint64_t, const Sym*> at;
	for (const Sym& s : want)
		at[s.addr] = &s;
	for (auto it = at.begin(); it != at.end(); ++it) {
		const Sym& s = *it->second;
		const std::string full = s.module.empty() ? s.name : s.name + " [" + s.module + "]";
		FUZZ_CHECK(k.name_of(s.addr) == full,
			   "name_of(" + hexstr(s.addr) + ") = " + fuzz::shown(k.name_of(s.addr)) +
				   ", not " + fuzz::shown(full));
		auto next = std::next(it);
		const std::uint64_t span = next == at.end() ? 0x100 : next->first - s.addr;
		const std::uint64_t d = span / 2;
		const std::string frame =
			s.name + "+" + hexstr(d) + (s.module.empty() ? "" : " [" + s.module + "]");
		if (s.addr + d >= s.addr)
			FUZZ_CHECK(k.frame_of(s.addr + d) == frame,
				   "frame_of(" + hexstr(s.addr + d) +
					   ") = " + fuzz::shown(k.frame_of(s.addr + d)) + ", not " +
					   fuzz::shown(frame));
	}
	const std::uint64_t low = at.begin()->first;
	check_hidden(k, low - 1);

	// address_of() is a linear search: the first few names only.
	for (std::size_t i = 0; i < want.size() && i < 32; i++) {
		auto a = k.address_of(want[i].name, want[i].module);
		FUZZ_CHECK(a.has_value(),
			   "address_of(" + fuzz::shown(want[i].name) + ") found nothing");
		bool named = false;
		for (const Sym& s : want)
			named |= s.addr == *a && s.name == want[i].name &&
				 (want[i].module.empty() || s.module == want[i].module);
		FUZZ_CHECK(named, "address_of(" + fuzz::shown(want[i].name) + ") = " + hexstr(*a));
	}
	return 0;
}
