// SPDX-License-Identifier: GPL-2.0
// signals.hpp - attach under SIGINT, SIGTERM, SIGHUP and SIGQUIT, and
// undo on every way out.
//
// attach changes the host in steps (module, partition, BPF, sampler) and
// must undo them whichever way it ends: Ctrl-C, Ctrl-\ (SIGQUIT), an ssh
// drop (SIGHUP), a kill (SIGTERM), an exception. The signals are blocked for the whole
// command and taken with sigtimedwait() where attach can stop (between
// steps, while it waits), so no step is cut half-way and the undo always
// runs; an interrupted run then exits 128 + the signal, as shells do.
#pragma once

#include <csignal>

#include <chrono>
#include <functional>

#include "util/error.hpp"

namespace rtnoise {

// SignalBlock - SIGINT, SIGTERM, SIGHUP and SIGQUIT blocked while it lives (one
// per process; the old mask comes back after).
class SignalBlock {
public:
	SignalBlock();
	~SignalBlock();
	SignalBlock(const SignalBlock&) = delete;
	SignalBlock& operator=(const SignalBlock&) = delete;

	// take - a signal that has arrived, taken, or 0; waits up to wait
	// for one.
	int take(std::chrono::nanoseconds wait = std::chrono::nanoseconds::zero());

private:
	sigset_t set_;
	sigset_t old_;
};

// exit_for_signal - 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP, 131
// for SIGQUIT.
Exit exit_for_signal(int sig);

// interrupted - the error of a run that sig ended: "interrupted by
// SIGINT" and what was done about it, with exit_for_signal(sig).
Error interrupted(int sig, const std::string& done);

// Undo - runs fn when it goes out of scope, on a return as during an
// exception, unless dismissed. fn must not throw; if it does, the error
// is printed, never thrown from a destructor.
class Undo {
public:
	explicit Undo(std::function<void()> fn) : fn_(std::move(fn)) {}
	~Undo();
	Undo(const Undo&) = delete;
	Undo& operator=(const Undo&) = delete;
	void dismiss() { fn_ = nullptr; }

private:
	std::function<void()> fn_;
};

}  // namespace rtnoise
