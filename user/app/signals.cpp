// SPDX-License-Identifier: GPL-2.0
#include "app/signals.hpp"

#include <pthread.h>

#include <cerrno>
#include <iostream>
#include <string>

namespace rtnoise {

SignalBlock::SignalBlock()
{
	sigemptyset(&set_);
	sigaddset(&set_, SIGINT);
	sigaddset(&set_, SIGTERM);
	sigaddset(&set_, SIGHUP);
	// Ctrl-\ ends a run as Ctrl-C does, undone; not with a core dump that
	// leaves the host partitioned.
	sigaddset(&set_, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &set_, &old_);
}

SignalBlock::~SignalBlock()
{
	// A signal not taken by now is delivered as the mask comes back,
	// with its default action: the undo has run by then.
	pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

int SignalBlock::take(std::chrono::nanoseconds wait)
{
	const auto s = std::chrono::duration_cast<std::chrono::seconds>(wait);
	timespec ts{};
	ts.tv_sec = static_cast<time_t>(s.count());
	ts.tv_nsec = static_cast<long>((wait - s).count());
	for (;;) {
		int sig = sigtimedwait(&set_, nullptr, &ts);
		if (sig > 0)
			return sig;
		if (errno != EINTR)
			return 0;  // EAGAIN: none came
	}
}

Exit exit_for_signal(int sig)
{
	return static_cast<Exit>(128 + sig);
}

Error interrupted(int sig, const std::string& done)
{
	std::string name = sig == SIGINT    ? "SIGINT"
			   : sig == SIGTERM ? "SIGTERM"
			   : sig == SIGHUP  ? "SIGHUP"
			   : sig == SIGQUIT ? "SIGQUIT"
					    : "signal " + std::to_string(sig);
	return {exit_for_signal(sig), "interrupted by " + name + ": " + done};
}

Undo::~Undo()
{
	if (!fn_)
		return;
	try {
		fn_();
	} catch (const std::exception& e) {
		std::cerr << "rtnoise: " << e.what() << "\n";
	} catch (...) {
		std::cerr << "rtnoise: undoing failed\n";
	}
}

}  // namespace rtnoise
