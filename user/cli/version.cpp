// SPDX-License-Identifier: GPL-2.0
// version.cpp - what `rtnoise --version` prints.
#include <string>

#include "cli/commands.hpp"
#include "rtnoise_version.h"  // generated into the build tree by cmake/version.cmake
#include "sampler/module.hpp"

namespace rtnoise {

std::string version_text(const fs::path& root)
{
	// The first line is what help2man and packaging tools read.
	std::string s = "rtnoise " RTNOISE_VERSION "\n";
	s += "git revision: " RTNOISE_GIT_REVISION "\n";
	s += "ioctl ABI: " + std::to_string(abi_version()) + "\n";
	s += "rtnoise.ko: ";
	auto mod = loaded_module(root);
	if (!mod)
		return s + "not loaded";
	s += mod->version.empty() ? "loaded (no version: built before rtnoise 0.1.0)"
				  : mod->version + " loaded";
	if (!mod->abi)
		return s + ", ABI not shown";
	s += ", ABI " + std::to_string(*mod->abi);
	if (*mod->abi != abi_version())
		s += " (this rtnoise speaks ABI " + std::to_string(abi_version()) +
		     ": 'rmmod rtnoise' and load the module of the same release)";
	return s;
}

}  // namespace rtnoise
