// SPDX-License-Identifier: GPL-2.0
// fuzz_listen - parse_listen() and parse_interval() (cli/parse),
// the parsers of `rtnoise monitor --listen` and `--interval`.
//
// Properties:
//  - each accepts or refuses with a usage Error, nothing else, and its
//    message is one line of valid UTF-8 that names the option;
//  - an accepted address has a port from 1 to 65535 and the input's
//    digits after its last ':'; its host has no ':' unless the input
//    put it in brackets, and is an IPv6 address then;
//  - written back (host, in brackets if it has a ':', ':' port) it
//    parses to the same address;
//  - an accepted interval is 1 s to 1 h.
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "cli/parse.hpp"
#include "fuzz.hpp"
#include "util/utf8.hpp"

using namespace rtnoise;

namespace {

void one_line(const std::string& input, const char* option, auto&& fn)
{
	try {
		fn();
	} catch (const Error& e) {
		const std::string msg = e.what();
		FUZZ_CHECK(e.code() == Exit::usage, "not a usage error on " + fuzz::shown(input));
		FUZZ_CHECK(msg.find('\n') == std::string::npos && valid_utf8(msg),
			   "not one line of UTF-8: " + fuzz::shown(msg));
		FUZZ_CHECK(msg.rfind(option, 0) == 0,
			   "does not name " + std::string(option) + ": " + fuzz::shown(msg));
		throw;
	}
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string input(reinterpret_cast<const char*>(data), size);

	ListenAddress a;
	if (fuzz::only_errors("parse_listen", {Exit::usage}, input, [&] {
		    one_line(input, "--listen ", [&] { a = parse_listen(input); });
	    })) {
		FUZZ_CHECK(a.port >= 1 && a.port <= 65535, "port " + std::to_string(a.port));
		const std::string port = input.substr(input.rfind(':') + 1);
		FUZZ_CHECK(std::stoul(port) == a.port, "port of " + fuzz::shown(input));
		const bool v6 = a.host.find(':') != std::string::npos;
		if (v6) {
			in6_addr addr{};
			FUZZ_CHECK(input.front() == '[' &&
					   inet_pton(AF_INET6, a.host.c_str(), &addr) == 1,
				   "host " + fuzz::shown(a.host) + " of " + fuzz::shown(input));
		}
		const std::string back =
			(v6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
		ListenAddress b = parse_listen(back);
		FUZZ_CHECK(b.host == a.host && b.port == a.port,
			   fuzz::shown(back) + " reads back otherwise");
	}

	std::uint64_t ns = 0;
	if (fuzz::only_errors("parse_interval", {Exit::usage}, input, [&] {
		    one_line(input, "--interval ", [&] { ns = parse_interval(input); });
	    }))
		FUZZ_CHECK(ns >= 1'000'000'000ULL && ns <= 3'600'000'000'000ULL,
			   std::to_string(ns) + " ns from " + fuzz::shown(input));
	return 0;
}
