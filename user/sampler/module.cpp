// SPDX-License-Identifier: GPL-2.0
// module.cpp - find, load and unload rtnoise.ko.
#include "sampler/module.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "host/host.hpp"
#include "sampler/device.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace rtnoise {

namespace fs = std::filesystem;

std::vector<fs::path> module_candidates(const std::optional<std::string>& explicit_path,
					const fs::path& exe_dir, const std::string& release)
{
	if (explicit_path)
		return {*explicit_path};
	std::vector<fs::path> paths;
	if (const char* env = std::getenv("RTNOISE_MODULE"); env && *env)
		paths.emplace_back(env);
	paths.push_back(exe_dir / "kmod" / release / "rtnoise.ko");
	paths.push_back(exe_dir / ".." / "lib" / "rtnoise" / release / "rtnoise.ko");
	fs::path mods = fs::path("/lib/modules") / release;
	paths.push_back(mods / "extra" / "rtnoise.ko");
	paths.push_back(mods / "updates" / "dkms" / "rtnoise.ko");
	return paths;
}

ModuleLoad ensure_module(const std::optional<std::string>& explicit_path)
{
	if (fs::exists("/sys/module/rtnoise") && !explicit_path)
		return {};

	std::string release = kernel_release();
	fs::path exe_dir = fs::read_symlink("/proc/self/exe").parent_path();
	auto paths = module_candidates(explicit_path, exe_dir, release);

	std::string looked;
	for (const fs::path& p : paths) {
		looked += (looked.empty() ? "" : ", ") + p.string();
		UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
		if (!fd)
			continue;
		if (syscall(SYS_finit_module, fd.get(), "", 0) != 0) {
			int err = errno;
			if (err == EEXIST)
				return {};
			if (err == EPERM)
				throw system_error("cannot load " + p.string() +
						   ": rtnoise needs root (CAP_SYS_ADMIN)");
			if (err == ENOEXEC || err == EINVAL)
				throw system_error("cannot load " + p.string() +
						   ": it was not built for kernel " + release);
			throw system_error("cannot load " + p.string() + ": " + errno_text(err));
		}
		// devtmpfs creates the node at once; udev may still be busy.
		for (int i = 0; i < 100 && !fs::exists(kDevicePath); i++)
			std::this_thread::sleep_for(std::chrono::milliseconds(20));
		return {true, p.string()};
	}
	throw system_error("rtnoise.ko is not loaded and no module for kernel " + release +
			   " was found (looked in " + looked +
			   "): build it with 'cmake --build build' or pass --module");
}

void unload_module()
{
	if (syscall(SYS_delete_module, "rtnoise", O_NONBLOCK) != 0) {
		int err = errno;
		if (err == ENOENT)
			return;
		throw system_error(std::string("cannot unload rtnoise.ko: ") + errno_text(err) +
				   (err == EWOULDBLOCK || err == EBUSY
					    ? " (still in use: close what has /dev/rtnoise open)"
					    : ""));
	}
}

bool module_loaded()
{
	return fs::exists(kDevicePath);
}

}  // namespace rtnoise
