// SPDX-License-Identifier: GPL-2.0
// spike_action.cpp - --on-spike and --stop-on-spike: the spike rings
// read by sequence number, commands spawned and reaped, never waited for.
#include "app/spike_action.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <thread>

#include "render/render.hpp"
#include "tracer/tracer.hpp"
#include "util/clock.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/utf8.hpp"

extern char** environ;

namespace rtnoise {

std::vector<Spike> over_threshold(std::vector<Spike> fresh, std::uint64_t threshold_ns)
{
	std::erase_if(fresh, [&](const Spike& sp) { return sp.latency_ns() < threshold_ns; });
	return fresh;
}

bool RateLimiter::admit(std::uint64_t now_ns, unsigned running)
{
	constexpr std::uint64_t kSecond = 1000000000ULL;
	while (!starts_.empty() && starts_.front() + kSecond <= now_ns)
		starts_.pop_front();
	if (running >= running_max_ || starts_.size() >= per_second_)
		return false;
	starts_.push_back(now_ns);
	return true;
}

std::vector<Spike> SpikeCursor::read(const SpikeReader& reader)
{
	std::vector<Spike> out;
	for (unsigned cpu : cpus_) {
		for (LatType t : kLatTypes) {
			std::uint64_t& next = next_[{cpu, t}];
			SpikeBatch b = reader(cpu, t, next);
			// What the ring reports overwritten, and any gap it did
			// not (a record dropped as torn), is lost; a record
			// older than the cursor was returned before.
			std::uint64_t lost = b.lost;
			std::uint64_t want = next;
			for (Spike& sp : b.spikes) {
				if (sp.seq < want)
					continue;
				if (sp.seq > want && !b.lost)
					lost += sp.seq - want;
				want = sp.seq + 1;
				out.push_back(std::move(sp));
			}
			lost_ += lost;
			next = std::max(want, b.next_seq);
		}
	}
	return out;
}

std::vector<std::string> spike_env(const Spike& sp)
{
	std::string cause;
	const auto top = std::max_element(
		sp.causes.begin(), sp.causes.end(),
		[](const Cause& a, const Cause& b) { return a.duration_ns < b.duration_ns; });
	if (top != sp.causes.end())
		cause = clean_name(top->kind) + " " + clean_name(top->name);
	return {
		"RTNOISE_CPU=" + std::to_string(sp.cpu),
		std::string("RTNOISE_TYPE=") + lat_type_name(sp.type),
		"RTNOISE_LATENCY_US=" + std::to_string(sp.latency_ns() / 1000),
		"RTNOISE_CAUSE=" + cause,
		"RTNOISE_SEQ=" + std::to_string(sp.seq),
	};
}

namespace {

// stdin_of - a memfd holding text, at offset 0: the child
// reads it at its pace, rtnoise never blocks on a pipe.
UniqueFd stdin_of(const std::string& text)
{
	UniqueFd fd(::memfd_create("rtnoise-spike", MFD_CLOEXEC));
	if (!fd)
		throw system_error(std::string("memfd_create: ") + errno_text(errno));
	std::string_view left = text;
	while (!left.empty()) {
		const ssize_t n = ::write(fd.get(), left.data(), left.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			throw system_error(std::string("cannot write the spike's JSON: ") +
					   errno_text(errno));
		left.remove_prefix(static_cast<std::size_t>(n));
	}
	if (::lseek(fd.get(), 0, SEEK_SET) != 0)
		throw system_error(std::string("lseek: ") + errno_text(errno));
	return fd;
}

// environment_with - rtnoise's environment, the RTNOISE_* of add instead
// of any it had.
std::vector<std::string> environment_with(const std::vector<std::string>& add)
{
	std::vector<std::string> env;
	for (char** e = environ; e && *e; e++)
		if (std::strncmp(*e, "RTNOISE_", 8) != 0)
			env.emplace_back(*e);
	env.insert(env.end(), add.begin(), add.end());
	return env;
}

// Spawn - posix_spawn()'s attributes and file actions, freed on every
// way out.
struct Spawn {
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t actions;
	Spawn()
	{
		posix_spawnattr_init(&attr);
		posix_spawn_file_actions_init(&actions);
	}
	~Spawn()
	{
		posix_spawn_file_actions_destroy(&actions);
		posix_spawnattr_destroy(&attr);
	}
	Spawn(const Spawn&) = delete;
	Spawn& operator=(const Spawn&) = delete;
};

}  // namespace

bool ActionRunner::admit(std::uint64_t now_ns)
{
	if (limiter_.admit(now_ns, running()))
		return true;
	dropped_++;
	return false;
}

void ActionRunner::start(const std::string& json, const std::vector<std::string>& env,
			 const std::string& what)
{
	started_++;
	try {
		const UniqueFd in = stdin_of(json);
		Spawn s;
		// The child gets no blocked signal (attach blocks SIGINT, ...)
		// and SIGPIPE back (monitor ignores it).
		sigset_t none, dfl;
		sigemptyset(&none);
		sigemptyset(&dfl);
		sigaddset(&dfl, SIGPIPE);
		posix_spawnattr_setsigmask(&s.attr, &none);
		posix_spawnattr_setsigdefault(&s.attr, &dfl);
		posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
		posix_spawn_file_actions_adddup2(&s.actions, in.get(), STDIN_FILENO);
		posix_spawn_file_actions_adddup2(&s.actions, STDERR_FILENO, STDOUT_FILENO);

		const std::vector<std::string> envs = environment_with(env);
		std::vector<char*> envp;
		envp.reserve(envs.size() + 1);
		for (const std::string& e : envs)
			envp.push_back(const_cast<char*>(e.c_str()));
		envp.push_back(nullptr);
		std::string sh = "sh", dash_c = "-c", cmd = command_;
		char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};
		pid_t pid = 0;
		if (int err = posix_spawn(&pid, "/bin/sh", &s.actions, &s.attr, argv, envp.data()))
			throw system_error("cannot run /bin/sh: " + errno_text(err));
		children_.emplace(pid, what);
	} catch (const Error& e) {
		failed_++;
		std::cerr << "rtnoise: --on-spike for " << what << ": " << e.what() << "\n";
	}
}

void ActionRunner::reap()
{
	for (auto it = children_.begin(); it != children_.end();) {
		int status = 0;
		const pid_t r = ::waitpid(it->first, &status, WNOHANG);
		if (r == 0 || (r < 0 && errno == EINTR)) {
			++it;
			continue;
		}
		if (r > 0 && WIFEXITED(status) && WEXITSTATUS(status) != 0) {
			failed_++;
			std::cerr << "rtnoise: --on-spike for " << it->second << ": exit status "
				  << WEXITSTATUS(status) << "\n";
		} else if (r > 0 && WIFSIGNALED(status)) {
			failed_++;
			std::cerr << "rtnoise: --on-spike for " << it->second << ": killed by SIG"
				  << sigabbrev_np(WTERMSIG(status)) << "\n";
		} else if (r < 0) {
			failed_++;
			std::cerr << "rtnoise: --on-spike for " << it->second
				  << ": waitpid: " << errno_text(errno) << "\n";
		}
		it = children_.erase(it);
	}
}

void ActionRunner::finish(std::chrono::milliseconds wait)
{
	const auto until = std::chrono::steady_clock::now() + wait;
	reap();
	while (!children_.empty() && std::chrono::steady_clock::now() < until) {
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
		reap();
	}
	for (const auto& [pid, what] : children_)
		std::cerr << "rtnoise: --on-spike for " << what << " still runs (pid " << pid
			  << "): left running\n";
}

ActionRunner::~ActionRunner()
{
	// Reaped if done; one still running is left to init.
	reap();
}

std::string ActionRunner::summary() const
{
	return "ran " + std::to_string(started_) + " commands, dropped " +
	       std::to_string(dropped_) + " spikes (at most " + std::to_string(kActionsRunning) +
	       " running, " + std::to_string(kActionsPerSecond) + " a second), " +
	       std::to_string(failed_) + " failed";
}

SpikeWatch::SpikeWatch(SpikeActionOptions opt, Device& dev, const CpuSet& cpus, bool skip_existing,
		       std::function<Snapshot()> collect)
    : opt_(std::move(opt)), dev_(dev), cursor_(cpus), collect_(std::move(collect))
{
	if (!opt_.command.empty())
		runner_.emplace(opt_.command);
	if (skip_existing)
		cursor_.read([this](unsigned c, LatType t, std::uint64_t from) {
			return dev_.read_spikes_since(c, t, from);
		});
}

namespace {

// spike_what - "spike CPU 3 thread #12" for the messages.
std::string spike_what(const Spike& sp)
{
	return "spike CPU " + std::to_string(sp.cpu) + " " + lat_type_name(sp.type) + " #" +
	       std::to_string(sp.seq);
}

}  // namespace

void SpikeWatch::stop_recording(const Spike& sp)
{
	stopped_ = true;
	dev_.stop();
	bool frozen = false;
	try {
		frozen = tracer_freeze();
	} catch (const Error& e) {
		std::cerr << "rtnoise: " << e.what() << "\n";
	}
	std::cerr << "rtnoise: --stop-on-spike: " << spike_what(sp) << " ("
		  << sp.latency_ns() / 1000 << " us): sampler stopped"
		  << (frozen ? ", BPF event history frozen" : "") << "\n";
}

void SpikeWatch::run_for(const std::vector<Spike>& admitted)
{
	// One read of everything for the causes, as a report has them.
	std::optional<Snapshot> s;
	try {
		s = collect_();
	} catch (const Error& e) {
		std::cerr << "rtnoise: --on-spike: cannot read the causes: " << e.what() << "\n";
	}
	const std::int64_t offset = realtime_offset_ns();
	for (const Spike& raw : admitted) {
		const Spike* sp = &raw;
		bool attributed = false;
		if (s) {
			auto it = std::find_if(
				s->spikes.begin(), s->spikes.end(), [&](const Spike& x) {
					return x.cpu == raw.cpu && x.type == raw.type &&
					       x.seq == raw.seq;
				});
			if (it != s->spikes.end()) {
				sp = &*it;
				attributed = s->attributed;
			}
		}
		runner_->start(render_spike_line(*sp, attributed, offset), spike_env(*sp),
			       spike_what(*sp));
	}
}

bool SpikeWatch::poll()
{
	if (runner_)
		runner_->reap();
	if (stopped_)
		return true;
	std::vector<Spike> fresh;
	try {
		fresh = cursor_.read([this](unsigned c, LatType t, std::uint64_t from) {
			return dev_.read_spikes_since(c, t, from);
		});
	} catch (const Error& e) {
		std::cerr << "rtnoise: --on-spike: " << e.what() << "\n";
		return false;
	}
	std::vector<Spike> over = over_threshold(std::move(fresh), opt_.threshold_ns);
	seen_ += over.size();
	if (over.empty())
		return false;
	if (opt_.stop)
		stop_recording(*std::min_element(over.begin(), over.end(),
						 [](const Spike& a, const Spike& b) {
							 return a.expected_ns < b.expected_ns;
						 }));
	if (!runner_)
		return stopped_;
	std::vector<Spike> admitted;
	const std::uint64_t now = monotonic_ns();
	for (Spike& sp : over)
		if (runner_->admit(now))
			admitted.push_back(std::move(sp));
	if (!admitted.empty())
		run_for(admitted);
	return stopped_;
}

void SpikeWatch::finish()
{
	if (cursor_.lost() != lost_said_)
		std::cerr << "rtnoise: " << cursor_.lost() - lost_said_
			  << " spikes were overwritten in the rings before they were read\n";
	lost_said_ = cursor_.lost();
	if (!runner_)
		return;
	runner_->finish(std::chrono::seconds(5));
	std::cerr << "rtnoise: --on-spike: " << seen_ << " spikes over the threshold; "
		  << runner_->summary() << "\n";
}

}  // namespace rtnoise
