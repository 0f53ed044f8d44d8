// SPDX-License-Identifier: GPL-2.0
#include "host/ksyms.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "host/host.hpp"

namespace rtnoise {

namespace {

// next_field - the next blank-separated field of line, consumed from it.
std::string_view next_field(std::string_view& line)
{
	const auto start = line.find_first_not_of(" \t");
	if (start == std::string_view::npos) {
		line = {};
		return {};
	}
	line.remove_prefix(start);
	const auto end = line.find_first_of(" \t");
	std::string_view f = line.substr(0, end);
	line.remove_prefix(end == std::string_view::npos ? line.size() : end);
	return f;
}

// siphash24 - SipHash-2-4 (Aumasson and Bernstein) of one 64-bit word.
std::uint64_t siphash24(const KsymsKey& key, std::uint64_t m)
{
	std::uint64_t v0 = 0x736f6d6570736575ULL ^ key[0];
	std::uint64_t v1 = 0x646f72616e646f6dULL ^ key[1];
	std::uint64_t v2 = 0x6c7967656e657261ULL ^ key[0];
	std::uint64_t v3 = 0x7465646279746573ULL ^ key[1];
	auto rotl = [](std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); };
	auto round = [&] {
		v0 += v1;
		v1 = rotl(v1, 13);
		v1 ^= v0;
		v0 = rotl(v0, 32);
		v2 += v3;
		v3 = rotl(v3, 16);
		v3 ^= v2;
		v0 += v3;
		v3 = rotl(v3, 21);
		v3 ^= v0;
		v2 += v1;
		v1 = rotl(v1, 17);
		v1 ^= v2;
		v2 = rotl(v2, 32);
	};
	auto absorb = [&](std::uint64_t w) {
		v3 ^= w;
		round();
		round();
		v0 ^= w;
	};
	absorb(m);			 // the 8 bytes, little-endian
	absorb(std::uint64_t{8} << 56);	 // the length, in the last block
	v2 ^= 0xff;
	for (int i = 0; i < 4; i++)
		round();
	return v0 ^ v1 ^ v2 ^ v3;
}

constexpr const char* kHiddenByKernel =
	"/proc/kallsyms shows every address as 0 to this process (kernel.kptr_restrict): to "
	"see these names, run rtnoise as root with CAP_SYSLOG and kernel.kptr_restrict at 0 "
	"or 1";
constexpr const char* kUnreadable =
	"/proc/kallsyms could not be read: to see these names, run rtnoise as root with "
	"CAP_SYSLOG and kernel.kptr_restrict at 0 or 1";
constexpr const char* kNotCovered =
	"no symbol of /proc/kallsyms covers these addresses (code of a module unloaded "
	"since, or of a BPF program)";

}  // namespace

// One pass over the text without a stream per line: /proc/kallsyms has
// over 100 000 lines, and this parse was most of a report's time.
Ksyms Ksyms::parse(std::string_view text, const KsymsKey& key)
{
	Ksyms k;
	k.key_ = key;
	bool zeros = false;
	while (!text.empty()) {
		const auto nl = text.find('\n');
		std::string_view line = text.substr(0, nl);
		text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);

		std::string_view addr = next_field(line);
		std::string_view type = next_field(line);
		std::string_view name = next_field(line);
		if (name.empty())
			continue;
		// Only text symbols: callbacks are functions.
		if (type != "t" && type != "T")
			continue;
		std::string_view module = next_field(line);
		if (module.size() > 2 && module.front() == '[' && module.back() == ']')
			module = module.substr(1, module.size() - 2);
		else
			module = {};
		std::uint64_t a = 0;
		auto [end, ec] = std::from_chars(addr.data(), addr.data() + addr.size(), a, 16);
		if (ec == std::errc() && end == addr.data() + addr.size() && a)
			k.syms_.push_back({a, std::string(name), std::string(module)});
		else if (ec == std::errc() && !a)
			zeros = true;
	}
	k.why_ = !k.syms_.empty() ? kNotCovered : zeros ? kHiddenByKernel : kUnreadable;
	auto by_addr = [](const Sym& a, const Sym& b) { return a.addr < b.addr; };
	if (!std::is_sorted(k.syms_.begin(), k.syms_.end(), by_addr))
		std::stable_sort(k.syms_.begin(), k.syms_.end(), by_addr);
	return k;
}

Ksyms Ksyms::load(const std::filesystem::path& root, const KsymsKey& key)
{
	return parse(read_file(root / "proc/kallsyms").value_or(""), key);
}

std::string Ksyms::hidden_name(std::uint64_t addr) const
{
	char buf[32];
	std::snprintf(buf, sizeof(buf), "%.*s%012llx", static_cast<int>(kHiddenPrefix.size()),
		      kHiddenPrefix.data(),
		      static_cast<unsigned long long>(siphash24(key_, addr) >> 16));
	return buf;
}

std::string Ksyms::name_of(std::uint64_t addr) const
{
	auto it = std::upper_bound(syms_.begin(), syms_.end(), addr,
				   [](std::uint64_t a, const Sym& s) { return a < s.addr; });
	if (it == syms_.begin())
		return hidden_name(addr);
	--it;
	return it->module.empty() ? it->name : it->name + " [" + it->module + "]";
}

std::string Ksyms::frame_of(std::uint64_t addr) const
{
	auto it = std::upper_bound(syms_.begin(), syms_.end(), addr,
				   [](std::uint64_t a, const Sym& s) { return a < s.addr; });
	if (it == syms_.begin())
		return hidden_name(addr);
	--it;
	char off[24];
	std::snprintf(off, sizeof(off), "+0x%llx",
		      static_cast<unsigned long long>(addr - it->addr));
	return it->name + off + (it->module.empty() ? "" : " [" + it->module + "]");
}

std::optional<std::uint64_t> Ksyms::address_of(std::string_view name, std::string_view module) const
{
	for (const Sym& s : syms_)
		if (s.name == name && (module.empty() || s.module == module))
			return s.addr;
	return std::nullopt;
}

}  // namespace rtnoise
