// SPDX-License-Identifier: GPL-2.0
// module.hpp - find, load and unload rtnoise.ko.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rtnoise {

// ModuleLoad - what ensure_module() did.
struct ModuleLoad {
	bool loaded_now = false;
	std::string path;
};

// module_candidates - where rtnoise.ko is looked for, in order: the
// explicit path, $RTNOISE_MODULE, the build tree beside the executable,
// then the kernel's module directories.
std::vector<std::filesystem::path> module_candidates(
	const std::optional<std::string>& explicit_path, const std::filesystem::path& exe_dir,
	const std::string& release);

// ensure_module - load rtnoise.ko unless it is loaded already.
ModuleLoad ensure_module(const std::optional<std::string>& explicit_path);

// unload_module - remove rtnoise.ko (rmmod).
void unload_module();

// module_loaded - rtnoise.ko is loaded (its device exists).
bool module_loaded();

}  // namespace rtnoise
