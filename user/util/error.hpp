// SPDX-License-Identifier: GPL-2.0
// error.hpp - the one error type of the CLI, carrying its exit status.
//
// util/ is what every layer may use and nothing of rtnoise's own: errors,
// CPU lists (cpulist.hpp), durations (units.hpp), the clock, owned fds,
// name escaping. It includes the standard library only.
#pragma once

#include <stdexcept>
#include <string>

namespace rtnoise {

// Exit statuses shared by every subcommand.
enum class Exit : int {
	ok = 0,
	findings = 1,  // `check` found problems
	usage = 2,     // the command line is wrong
	system = 3,    // the host refused: not root, module missing, ...
};

// Error - what went wrong and what to do, in one line.
class Error : public std::runtime_error {
public:
	Error(Exit code, const std::string& what) : std::runtime_error(what), code_(code) {}
	Exit code() const noexcept { return code_; }

private:
	Exit code_;
};

inline Error usage_error(const std::string& what)
{
	return {Exit::usage, what};
}
inline Error system_error(const std::string& what)
{
	return {Exit::system, what};
}

// errno_text - strerror(err) without the locale games.
std::string errno_text(int err);

}  // namespace rtnoise
