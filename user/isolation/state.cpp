// SPDX-License-Identifier: GPL-2.0
// state.cpp - the state file: written atomically, read strictly, locked.
#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include "host/host.hpp"
#include "host/procfs.hpp"
#include "isolation/partition.hpp"
#include "model/guide.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/utf8.hpp"

namespace rtnoise {

namespace {

using Kind = Change::Kind;

constexpr std::pair<Kind, const char*> kKinds[] = {
	{Kind::file, "file"},	      {Kind::mkdir, "mkdir"}, {Kind::subtree, "subtree"},
	{Kind::affinity, "affinity"}, {Kind::sched, "sched"}, {Kind::move, "move"},
	{Kind::swap, "swap"},
};

// plain - p is a relative path of names: no empty name, no "." or "..".
bool plain(std::string_view p)
{
	for (std::size_t at = 0;;) {
		const std::size_t slash = p.find('/', at);
		const std::string_view name = p.substr(at, slash - at);
		if (name.empty() || name == "." || name == "..")
			return false;
		if (slash == std::string_view::npos)
			return true;
		at = slash + 1;
	}
}

// below - p is a plain path under dir (or dir itself, if self).
bool below(std::string_view p, std::string_view dir, bool self = false)
{
	if (!plain(p))
		return false;
	if (p == dir)
		return self;
	return p.size() > dir.size() && p.starts_with(dir) && p[dir.size()] == '/';
}

// irq_affinity - p is proc/irq/N/smp_affinity_list.
bool irq_affinity(std::string_view p)
{
	constexpr std::string_view pre = "proc/irq/", post = "/smp_affinity_list";
	if (!p.starts_with(pre) || !p.ends_with(post) || p.size() <= pre.size() + post.size())
		return false;
	const std::string_view n = p.substr(pre.size(), p.size() - pre.size() - post.size());
	return n.size() <= 10 && n.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

// partition_makes - whether plan_partition() may make c: it writes
// sysctls, IRQ affinities, a few /sys knobs and cgroup files, moves
// tasks between cgroups, turns swap devices off. A state entry that
// names anything else was not written by rtnoise, and root must not act
// on it.
bool partition_makes(const Change& c)
{
	constexpr std::string_view cgroup = "sys/fs/cgroup";
	switch (c.kind) {
	case Kind::file:
		return below(c.target, "proc/sys") || below(c.target, "sys/kernel/mm") ||
		       below(c.target, "sys/devices/virtual/workqueue") ||
		       below(c.target, cgroup) || c.target == "proc/irq/default_smp_affinity" ||
		       irq_affinity(c.target);
	case Kind::mkdir:
		return below(c.target, cgroup);
	case Kind::subtree:
		return below(c.target, cgroup, true);
	case Kind::move:
		return below(c.before, cgroup, true) && below(c.after, cgroup, true);
	case Kind::swap:
		return c.target.starts_with('/') && plain(std::string_view(c.target).substr(1));
	case Kind::affinity:
	case Kind::sched:
		return true;  // a thread ID, which task_id() checks
	}
	return false;
}

std::optional<pid_t> task_id(const std::string& target)
{
	const char* end = target.data() + target.size();
	pid_t tid = 0;
	auto [p, ec] = std::from_chars(target.data(), end, tid);
	if (ec != std::errc{} || tid <= 0 || p == target.data() || (p != end && *p != ':'))
		return std::nullopt;
	return tid;
}

const char* change_kind_name(Change::Kind k)
{
	for (auto& [kind, name] : kKinds)
		if (kind == k)
			return name;
	return "?";
}

// Version 2 stores every string escaped (utf8.hpp): a swap file's path
// or a comm is bytes, and must come back byte for byte.
std::string state_to_json(const State& s)
{
	nlohmann::json changes = nlohmann::json::array();
	for (const Change& c : s.plan.changes)
		changes.push_back({{"kind", change_kind_name(c.kind)},
				   {"target", escape_name(c.target)},
				   {"before", escape_name(c.before)},
				   {"after", escape_name(c.after)},
				   {"what", escape_name(c.what)},
				   {"start", c.start}});
	nlohmann::json notes = nlohmann::json::array();
	for (const std::string& n : s.plan.notes)
		notes.push_back(escape_name(n));
	nlohmann::json j = {{"version", kStateVersion},
			    {"by", escape_name(s.by)},
			    {"cpus", format_cpulist(s.plan.cpus)},
			    {"housekeeping", format_cpulist(s.plan.housekeeping)},
			    {"cgroup", escape_name(s.plan.cgroup)},
			    {"changes", changes},
			    {"notes", notes}};
	return j.dump(1) + "\n";
}

State state_from_json(const std::string& text)
{
	State s;
	try {
		auto j = nlohmann::json::parse(text);
		const auto version = j.at("version").get<std::int64_t>();
		if (version < 1 || version > kStateVersion)
			throw system_error("the partition state file has version " +
					   std::to_string(version) + ", this rtnoise reads 1 to " +
					   std::to_string(kStateVersion) +
					   ": restore with the rtnoise that made it");
		// Version 1 stored strings as they were.
		auto str = [&](const nlohmann::json& v) {
			std::string t = v.get<std::string>();
			return version >= 2 ? unescape_name(t) : t;
		};
		// A CPU list that does not parse is damage, not a usage error.
		auto cpus = [&](const char* key) {
			try {
				return parse_cpulist(j.at(key).get<std::string>(), true);
			} catch (const Error& e) {
				throw system_error(
					std::string("the partition state file is damaged: ") + key +
					": " + e.what());
			}
		};
		s.by = str(j.at("by"));
		s.plan.cpus = cpus("cpus");
		s.plan.housekeeping = cpus("housekeeping");
		s.plan.cgroup = str(j.at("cgroup"));
		for (const auto& c : j.at("changes")) {
			Change ch;
			std::string kind = c.at("kind");
			bool known = false;
			for (auto& [k, name] : kKinds)
				if (kind == name) {
					ch.kind = k;
					known = true;
				}
			if (!known)
				throw system_error("unknown change '" + kind +
						   "' in the state file");
			ch.target = str(c.at("target"));
			if ((ch.kind == Kind::affinity || ch.kind == Kind::sched ||
			     ch.kind == Kind::move) &&
			    !task_id(ch.target))
				throw system_error("the partition state file is damaged: " + kind +
						   " of '" + ch.target +
						   "', which is no thread ID");
			ch.before = str(c.at("before"));
			ch.after = str(c.at("after"));
			ch.what = str(c.at("what"));
			ch.start = c.value("start", std::uint64_t{0});
			if (!partition_makes(ch))
				throw system_error("the partition state file is damaged: " + kind +
						   " of '" + escape_name(ch.target) + "' ('" +
						   escape_name(ch.before) + "' to '" +
						   escape_name(ch.after) +
						   "'), which no partition changes");
			s.plan.changes.push_back(std::move(ch));
		}
		for (const auto& n : j.at("notes"))
			s.plan.notes.push_back(str(n));
	} catch (const nlohmann::json::exception& e) {
		throw system_error(std::string("the partition state file is damaged: ") + e.what());
	}
	return s;
}

UniqueFd open_state_dir(const fs::path& dir)
{
	std::error_code ec;
	if (dir.has_parent_path())
		fs::create_directories(dir.parent_path(), ec);
	const bool made = ::mkdir(dir.c_str(), 0700) == 0;
	if (!made && errno != EEXIST)
		throw system_error("cannot create " + dir.string() + ": " + errno_text(errno));
	UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
	if (!fd) {
		const int err = errno;
		struct stat st {};
		if (::lstat(dir.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
			throw system_error(dir.string() + " is a symbolic link: remove it");
		throw system_error("cannot open " + dir.string() + ": " + errno_text(err));
	}
	// The umask took bits away from 0700 at most: put them back.
	if (made && ::fchmod(fd.get(), 0700) != 0)
		throw system_error("cannot chmod " + dir.string() + ": " + errno_text(errno));
	struct stat st {};
	if (::fstat(fd.get(), &st) != 0)
		throw system_error("cannot open " + dir.string() + ": " + errno_text(errno));
	check_owned(st, dir);
	return fd;
}

std::optional<std::string> read_state(const fs::path& path)
{
	UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
	if (!fd) {
		const int err = errno;
		if (err == ENOENT)
			return std::nullopt;
		if (err == ELOOP)
			throw system_error(path.string() + " is a symbolic link: remove it");
		throw system_error("cannot read " + path.string() + ": " + errno_text(err));
	}
	struct stat st {};
	if (::fstat(fd.get(), &st) != 0)
		throw system_error("cannot read " + path.string() + ": " + errno_text(errno));
	if (!S_ISREG(st.st_mode))
		throw system_error(path.string() + " is not a regular file: remove it");
	check_owned(st, path);
	std::string text;
	char buf[65536];
	for (;;) {
		const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			throw system_error("cannot read " + path.string() + ": " +
					   errno_text(errno));
		if (n == 0)
			return text;
		text.append(buf, static_cast<std::size_t>(n));
	}
}

StateLock::StateLock(const fs::path& dir, std::chrono::milliseconds wait)
{
	fd_ = open_state_dir(dir).release();
	const auto until = std::chrono::steady_clock::now() + wait;
	int err = 0;
	for (;;) {
		if (::flock(fd_, LOCK_EX | LOCK_NB) == 0)
			return;
		err = errno;
		if (err != EWOULDBLOCK || std::chrono::steady_clock::now() >= until)
			break;
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
	}
	::close(fd_);
	if (err == EWOULDBLOCK) {
		char waited[48] = "";
		if (wait.count())
			std::snprintf(waited, sizeof(waited), ", waited %.1f s",
				      static_cast<double>(wait.count()) / 1e3);
		throw system_error("another rtnoise is changing this host (it holds the "
				   "lock on " +
				   dir.string() + ")" + waited + ": wait for it to end");
	}
	throw system_error("cannot lock " + dir.string() + ": " + errno_text(err));
}

StateLock::~StateLock()
{
	::close(fd_);
}

void write_state(const fs::path& path, const State& s)
{
	open_state_dir(path.parent_path());
	// Mode 0600: the prior values of a host are root's business.
	write_file_atomic(path, state_to_json(s), 0600);
}

}  // namespace rtnoise
