// SPDX-License-Identifier: GPL-2.0
// module.cpp - find, load and unload rtnoise.ko; its version and ABI.
#include "sampler/module.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "../../kmod/rtnoise_abi.h"
#include "host/host.hpp"
#include "sampler/device.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace rtnoise {

namespace fs = std::filesystem;

namespace {

// wait_for_device - devtmpfs creates the node at once; udev may still be busy.
void wait_for_device()
{
	for (int i = 0; i < 100 && !fs::exists(kDevicePath); i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

// Modprobe - how `modprobe rtnoise` ended and what it wrote to stderr.
struct Modprobe {
	int status = 0;
	std::string said;
};

// Spawn - posix_spawn's file actions and attributes, destroyed on the way out.
struct Spawn {
	posix_spawn_file_actions_t actions{};
	posix_spawnattr_t attr{};
	Spawn()
	{
		posix_spawn_file_actions_init(&actions);
		posix_spawnattr_init(&attr);
	}
	Spawn(const Spawn&) = delete;
	Spawn& operator=(const Spawn&) = delete;
	~Spawn()
	{
		posix_spawnattr_destroy(&attr);
		posix_spawn_file_actions_destroy(&actions);
	}
};

// run_modprobe - `modprobe rtnoise`: stdout to /dev/null, stderr kept for
// the error, and the signals attach blocks unblocked and at their defaults
// in the child.
Modprobe run_modprobe()
{
	std::array<int, 2> pipefd{};
	if (pipe2(pipefd.data(), O_CLOEXEC) != 0)
		throw system_error("cannot run modprobe: " + errno_text(errno));
	UniqueFd rd(pipefd[0]);
	UniqueFd wr(pipefd[1]);

	Spawn sp;
	posix_spawn_file_actions_addopen(&sp.actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&sp.actions, wr.get(), STDERR_FILENO);
	sigset_t none;
	sigset_t all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&sp.attr, &none);
	posix_spawnattr_setsigdefault(&sp.attr, &all);
	posix_spawnattr_setflags(&sp.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

	std::string arg0 = "modprobe";
	std::string arg1 = "rtnoise";
	std::array<char*, 3> argv{arg0.data(), arg1.data(), nullptr};
	pid_t pid = -1;
	// A user's PATH may lack /usr/sbin and /sbin, where modprobe lives.
	int err = ENOENT;
	for (const char* path : {"/usr/sbin/modprobe", "/sbin/modprobe"}) {
		err = posix_spawn(&pid, path, &sp.actions, &sp.attr, argv.data(), environ);
		if (err != ENOENT)
			break;
	}
	if (err == ENOENT)
		err = posix_spawnp(&pid, "modprobe", &sp.actions, &sp.attr, argv.data(), environ);
	wr.reset();
	if (err != 0)
		throw system_error("cannot run modprobe: " + errno_text(err) +
				   " (install kmod, or pass --module PATH)");

	Modprobe r;
	std::array<char, 512> buf{};
	for (;;) {
		ssize_t n = ::read(rd.get(), buf.data(), buf.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		r.said.append(buf.data(), static_cast<std::size_t>(n));
	}
	int wstatus = 0;
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
	}
	r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	while (!r.said.empty() && (r.said.back() == '\n' || r.said.back() == ' '))
		r.said.pop_back();
	if (auto nl = r.said.rfind('\n'); nl != std::string::npos)
		r.said.erase(0, nl + 1);  // its last line says why
	return r;
}

// modprobe_module - load the installed module through modprobe (its
// options from /etc/modprobe.d apply); throws what modprobe said.
void modprobe_module(const fs::path& path, const std::string& release)
{
	Modprobe r = run_modprobe();
	if (r.status == 0)
		return;
	const std::string& said = r.said;
	if (said.find("File exists") != std::string::npos)
		return;
	if (said.find("Operation not permitted") != std::string::npos)
		throw system_error("cannot load " + path.string() +
				   ": rtnoise needs root (CAP_SYS_ADMIN)");
	if (said.find("Exec format error") != std::string::npos ||
	    said.find("Invalid argument") != std::string::npos)
		throw system_error("cannot load " + path.string() +
				   ": it was not built for kernel " + release + " (" + said +
				   "): 'dkms status rtnoise' tells");
	throw system_error("'modprobe rtnoise' failed (exit " + std::to_string(r.status) +
			   (said.empty() ? std::string() : ": " + said) + ")");
}

// read_line - the first line of a sysfs file, or nullopt.
std::optional<std::string> read_line(const fs::path& path)
{
	std::ifstream in(path);
	std::string line;
	if (!in || !std::getline(in, line))
		return std::nullopt;
	return line;
}

}  // namespace

std::vector<fs::path> module_candidates(const std::optional<std::string>& explicit_path,
					const fs::path& exe_dir, const std::string& release)
{
	if (explicit_path)
		return {*explicit_path};
	std::vector<fs::path> paths;
	if (const char* env = std::getenv("RTNOISE_MODULE"); env && *env)
		paths.emplace_back(env);
	paths.push_back(exe_dir / "kmod" / release / "rtnoise.ko");
	paths.push_back(
		(exe_dir / ".." / "lib" / "rtnoise" / release / "rtnoise.ko").lexically_normal());
	return paths;
}

std::optional<fs::path> installed_module(const fs::path& root, const std::string& release)
{
	fs::path dir = root / "lib" / "modules" / release;
	std::ifstream dep(dir / "modules.dep");
	std::string line;
	while (std::getline(dep, line)) {
		std::string_view file = std::string_view(line).substr(0, line.find(':'));
		std::string_view name = file.substr(file.rfind('/') + 1);
		// rtnoise.ko, or compressed: rtnoise.ko.xz, .zst, .gz
		if (name != "rtnoise.ko" && name.rfind("rtnoise.ko.", 0) != 0)
			continue;
		fs::path p(file);
		return p.is_absolute() ? p : fs::path("/lib/modules") / release / p;
	}
	return std::nullopt;
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
		wait_for_device();
		return {true, p.string()};
	}
	if (explicit_path)
		throw system_error("rtnoise.ko is not loaded and no module for kernel " + release +
				   " was found (looked in " + looked +
				   "): pass the path of a rtnoise.ko built for it");

	// Installed by DKMS (the rtnoise-dkms package) or make modules_install.
	if (auto installed = installed_module("/", release)) {
		modprobe_module(*installed, release);
		wait_for_device();
		return {true, installed->string() + " (modprobe)"};
	}
	throw system_error("rtnoise.ko is not loaded and no module for kernel " + release +
			   " was found (looked in " + looked + " and /lib/modules/" + release +
			   "/modules.dep for modprobe): install the rtnoise-dkms package (DKMS "
			   "builds it for every kernel), build it with 'cmake --build build', or "
			   "pass --module PATH");
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

unsigned abi_version()
{
	return RTNOISE_ABI_VERSION;
}

std::optional<LoadedModule> loaded_module(const fs::path& root)
{
	fs::path mod = root / "sys" / "module" / "rtnoise";
	if (!fs::exists(mod / "initstate") && !fs::exists(mod / "version"))
		return std::nullopt;
	LoadedModule m;
	m.version = read_line(mod / "version").value_or("");
	if (auto abi = read_line(root / "sys" / "class" / "misc" / RTNOISE_DEVICE_NAME /
				 "abi_version")) {
		unsigned v = 0;
		auto [end, ec] = std::from_chars(abi->data(), abi->data() + abi->size(), v);
		if (ec == std::errc() && end == abi->data() + abi->size())
			m.abi = v;
	}
	return m;
}

}  // namespace rtnoise
