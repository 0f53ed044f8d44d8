// SPDX-License-Identifier: GPL-2.0
// ksyms.hpp - kernel addresses to function names, from /proc/kallsyms.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rtnoise {

class Ksyms {
public:
	// parse - the text of /proc/kallsyms ("ffffffff81000000 T name [mod]").
	static Ksyms parse(std::string_view text);
	// load - <root>/proc/kallsyms; empty if unreadable.
	static Ksyms load(const std::filesystem::path& root);

	// name_of - "func" or "func [module]" for the symbol at or below
	// addr, or "0x..." when no symbol covers it.
	std::string name_of(std::uint64_t addr) const;
	// frame_of - "func+0x1c" or "func+0x1c [module]": a stack frame.
	std::string frame_of(std::uint64_t addr) const;
	// address_of - a function's address, optionally in one module.
	std::optional<std::uint64_t> address_of(std::string_view name,
						std::string_view module = {}) const;
	std::size_t size() const { return syms_.size(); }

private:
	struct Sym {
		std::uint64_t addr;
		std::string name;
		std::string module;
	};
	std::vector<Sym> syms_;	 // by address
};

}  // namespace rtnoise
