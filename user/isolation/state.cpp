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
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

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

}  // namespace

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
			s.plan.changes.push_back(std::move(ch));
		}
		for (const auto& n : j.at("notes"))
			s.plan.notes.push_back(str(n));
	} catch (const nlohmann::json::exception& e) {
		throw system_error(std::string("the partition state file is damaged: ") + e.what());
	}
	return s;
}

StateLock::StateLock(const fs::path& dir)
{
	std::error_code ec;
	fs::create_directories(dir, ec);
	fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd_ < 0)
		throw system_error("cannot open " + dir.string() + ": " + errno_text(errno));
	if (::flock(fd_, LOCK_EX | LOCK_NB) == 0)
		return;
	int err = errno;
	::close(fd_);
	if (err == EWOULDBLOCK)
		throw system_error("another rtnoise is changing this host (it holds the "
				   "lock on " +
				   dir.string() + "): wait for it to end");
	throw system_error("cannot lock " + dir.string() + ": " + errno_text(err));
}

StateLock::~StateLock()
{
	::close(fd_);
}

void write_state(const fs::path& path, const State& s)
{
	std::error_code ec;
	fs::create_directories(path.parent_path(), ec);
	// Mode 0600: the prior values of a host are root's business.
	write_file_atomic(path, state_to_json(s), 0600);
}

}  // namespace rtnoise
