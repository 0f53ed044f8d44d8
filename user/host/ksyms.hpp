// SPDX-License-Identifier: GPL-2.0
// ksyms.hpp - kernel addresses to function names, from /proc/kallsyms.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rtnoise {

// KsymsKey - the secret that names a hidden address (SipHash-2-4's key).
using KsymsKey = std::array<std::uint64_t, 2>;

// kHiddenPrefix - how every name of a hidden address begins.
inline constexpr std::string_view kHiddenPrefix = "hidden#";

// A kernel address is never printed: with KASLR, one text address gives
// away where the whole kernel is. An address no symbol names (kallsyms
// hidden by kernel.kptr_restrict, or no symbol covers it) is named
// "hidden#" and 12 hex digits of SipHash-2-4 of the address under a key:
// the same function has the same name wherever the key is the same, two
// functions differ, and without the key a guessed address cannot be
// tested against a name (an unkeyed hash could: a kernel's functions sit
// at known offsets, and KASLR has a few hundred slides).
class Ksyms {
public:
	// parse - the text of /proc/kallsyms ("ffffffff81000000 T name [mod]").
	static Ksyms parse(std::string_view text, const KsymsKey& key = {});
	// load - <root>/proc/kallsyms; empty (every name hidden) if unreadable.
	static Ksyms load(const std::filesystem::path& root, const KsymsKey& key = {});

	// name_of - "func" or "func [module]" for the symbol at or below
	// addr, or "hidden#<hash>" when no symbol covers it.
	std::string name_of(std::uint64_t addr) const;
	// frame_of - "func+0x1c" or "func+0x1c [module]": a stack frame;
	// "hidden#<hash>" of the frame's address when no symbol covers it.
	std::string frame_of(std::uint64_t addr) const;
	// hidden_name - what an address no symbol covers is called.
	std::string hidden_name(std::uint64_t addr) const;
	// hidden_why - why a hidden name has no function name, and what to do
	// to see it: one sentence for a report.
	const std::string& hidden_why() const { return why_; }
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
	KsymsKey key_{};
	std::string why_;
};

// is_hidden_name - whether a source or frame name is one of hidden_name().
inline bool is_hidden_name(std::string_view name)
{
	return name.substr(0, kHiddenPrefix.size()) == kHiddenPrefix;
}

}  // namespace rtnoise
