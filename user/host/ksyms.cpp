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

}  // namespace

// One pass over the text without a stream per line: /proc/kallsyms has
// over 100 000 lines, and this parse was most of a report's time.
Ksyms Ksyms::parse(std::string_view text)
{
	Ksyms k;
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
	}
	auto by_addr = [](const Sym& a, const Sym& b) { return a.addr < b.addr; };
	if (!std::is_sorted(k.syms_.begin(), k.syms_.end(), by_addr))
		std::stable_sort(k.syms_.begin(), k.syms_.end(), by_addr);
	return k;
}

Ksyms Ksyms::load(const std::filesystem::path& root)
{
	return parse(read_file(root / "proc/kallsyms").value_or(""));
}

std::string Ksyms::name_of(std::uint64_t addr) const
{
	auto it = std::upper_bound(syms_.begin(), syms_.end(), addr,
				   [](std::uint64_t a, const Sym& s) { return a < s.addr; });
	if (it == syms_.begin()) {
		char buf[32];
		std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(addr));
		return buf;
	}
	--it;
	return it->module.empty() ? it->name : it->name + " [" + it->module + "]";
}

std::string Ksyms::frame_of(std::uint64_t addr) const
{
	auto it = std::upper_bound(syms_.begin(), syms_.end(), addr,
				   [](std::uint64_t a, const Sym& s) { return a < s.addr; });
	if (it == syms_.begin())
		return name_of(addr);
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
