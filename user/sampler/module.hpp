// SPDX-License-Identifier: GPL-2.0
// module.hpp - find, load and unload rtnoise.ko; its version and ABI.
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

// module_candidates - the files rtnoise.ko is loaded from, in order: the
// explicit path alone, else $RTNOISE_MODULE, the build tree beside the
// executable (<dir>/kmod/<release>/) and <dir>/../lib/rtnoise/<release>/.
// After them ensure_module() asks modprobe, for a module installed under
// /lib/modules (by DKMS or make modules_install).
std::vector<std::filesystem::path> module_candidates(
	const std::optional<std::string>& explicit_path, const std::filesystem::path& exe_dir,
	const std::string& release);

// installed_module - rtnoise.ko as <root>/lib/modules/<release>/modules.dep
// lists it (what `modprobe rtnoise` loads), or nullopt.
std::optional<std::filesystem::path> installed_module(const std::filesystem::path& root,
						      const std::string& release);

// ensure_module - load rtnoise.ko unless it is loaded already.
ModuleLoad ensure_module(const std::optional<std::string>& explicit_path);

// unload_module - remove rtnoise.ko (rmmod).
void unload_module();

// module_loaded - rtnoise.ko is loaded (its device exists).
bool module_loaded();

// abi_version - the ioctl ABI this rtnoise speaks (RTNOISE_ABI_VERSION).
unsigned abi_version();

// LoadedModule - the loaded rtnoise.ko as sysfs shows it. A module built
// before it showed them has an empty version and no ABI here.
struct LoadedModule {
	std::string version;	      // MODULE_VERSION: /sys/module/rtnoise/version
	std::optional<unsigned> abi;  // /sys/class/misc/rtnoise/abi_version
};

// loaded_module - rtnoise.ko under <root>/sys, or nullopt if not loaded.
std::optional<LoadedModule> loaded_module(const std::filesystem::path& root = "/");

}  // namespace rtnoise
