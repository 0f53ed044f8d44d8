// SPDX-License-Identifier: GPL-2.0
// fuzz.hpp - what the libFuzzer targets of tests/fuzz share: a property
// that must hold (FUZZ_CHECK), the errors a parser may throw, and the
// bytes of an input shown so that a failure can be read.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <string_view>
#include <typeinfo>

#include "util/cpulist.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace fuzz {

// shown - bytes as escape_name() shows them, quoted.
inline std::string shown(std::string_view bytes)
{
	return "'" + rtnoise::escape_name(bytes) + "'";
}

inline std::string shown(const rtnoise::CpuSet& cpus)
{
	return "{" + rtnoise::format_cpulist(cpus) + "}";
}

// fail - a property does not hold: say which, and abort, so that
// libFuzzer keeps the input as a crash.
[[noreturn]] inline void fail(const char* file, int line, const char* cond, const std::string& why)
{
	std::fprintf(stderr, "\n%s:%d: property failed: %s\n  %s\n", file, line, cond, why.c_str());
	std::abort();
}

#define FUZZ_CHECK(cond, why)                                                                      \
	do {                                                                                       \
		if (!(cond))                                                                       \
			::fuzz::fail(__FILE__, __LINE__, #cond, (why));                            \
	} while (0)

// only_errors - run fn; true if it returned, false if it threw an
// rtnoise::Error whose exit status is one of allowed. Any other
// exception is a failure: the parsers promise an Error that says what
// was wrong, and main() would print a bare "stoul" for anything else.
template <class Fn>
bool only_errors(const char* what, std::initializer_list<rtnoise::Exit> allowed,
		 const std::string& input, Fn&& fn)
{
	try {
		fn();
		return true;
	} catch (const rtnoise::Error& e) {
		bool ok = false;
		for (rtnoise::Exit a : allowed)
			ok |= e.code() == a;
		if (!ok)
			fail(__FILE__, __LINE__, what,
			     "threw an Error of status " +
				     std::to_string(static_cast<int>(e.code())) + " (" + e.what() +
				     ") on " + shown(input));
		if (!*e.what())
			fail(__FILE__, __LINE__, what,
			     "threw an Error without a message on " + shown(input));
		return false;
	} catch (const std::exception& e) {
		fail(__FILE__, __LINE__, what,
		     std::string("threw ") + typeid(e).name() + " (" + e.what() + ") on " +
			     shown(input));
	}
}

// scratch - a directory of this process's own under $TMPDIR, removed at
// exit (tests/fuzz/run.sh also removes its TMPDIR after a crash).
inline const std::filesystem::path& scratch()
{
	// Never destroyed: the atexit() handler runs after static destructors.
	static const std::filesystem::path* dir = [] {
		const char* tmp = std::getenv("TMPDIR");
		std::string t = std::string(tmp && *tmp ? tmp : "/tmp") + "/rtnoise-fuzz-XXXXXX";
		if (!::mkdtemp(t.data())) {
			std::perror("mkdtemp");
			std::abort();
		}
		std::atexit([] {
			std::error_code ec;
			std::filesystem::remove_all(scratch(), ec);
		});
		return new std::filesystem::path(t);
	}();
	return *dir;
}

// put - write bytes to root/rel, making its directories.
inline void put(const std::filesystem::path& root, const std::string& rel, std::string_view bytes)
{
	const std::filesystem::path p = root / rel;
	std::filesystem::create_directories(p.parent_path());
	std::ofstream out(p, std::ios::binary | std::ios::trunc);
	out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
	if (!out) {
		std::fprintf(stderr, "cannot write %s\n", p.c_str());
		std::abort();
	}
}

}  // namespace fuzz
