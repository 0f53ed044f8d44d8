// SPDX-License-Identifier: GPL-2.0
#include "host/ksyms.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "host/host.hpp"

namespace rtnoise {

Ksyms Ksyms::parse(std::string_view text)
{
	Ksyms k;
	std::istringstream in{std::string(text)};
	for (std::string line; std::getline(in, line);) {
		std::istringstream fields(line);
		std::string addr, type, name, module;
		if (!(fields >> addr >> type >> name))
			continue;
		// Only text symbols: callbacks are functions.
		if (type != "t" && type != "T")
			continue;
		fields >> module;
		if (module.size() > 2 && module.front() == '[' && module.back() == ']')
			module = module.substr(1, module.size() - 2);
		else
			module.clear();
		std::uint64_t a = std::strtoull(addr.c_str(), nullptr, 16);
		if (a)
			k.syms_.push_back({a, std::move(name), std::move(module)});
	}
	std::stable_sort(k.syms_.begin(), k.syms_.end(),
			 [](const Sym& a, const Sym& b) { return a.addr < b.addr; });
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
		std::snprintf(buf, sizeof(buf), "0x%llx",
			      static_cast<unsigned long long>(addr));
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

std::optional<std::uint64_t> Ksyms::address_of(std::string_view name,
					       std::string_view module) const
{
	for (const Sym& s : syms_)
		if (s.name == name && (module.empty() || s.module == module))
			return s.addr;
	return std::nullopt;
}

}  // namespace rtnoise
