// SPDX-License-Identifier: GPL-2.0
// parse.cpp - option values that need no CLI11 (no I/O; --listen and
// --interval are fuzzed by tests/fuzz/fuzz_listen.cpp).
#include "cli/parse.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <filesystem>
#include <string>

#include "util/error.hpp"
#include "util/units.hpp"
#include "util/utf8.hpp"

namespace rtnoise {
namespace {

constexpr std::uint64_t kIntervalMin = kNsPerSec;
constexpr std::uint64_t kIntervalMax = 3600 * kNsPerSec;

Error bad_listen(std::string_view text, const std::string& why)
{
	return usage_error("--listen " + escape_name(text) + ": " + why +
			   " (expected ADDR:PORT, e.g. 127.0.0.1:9464, [::1]:9464 or :9464)");
}

bool host_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-';
}

}  // namespace

ListenAddress parse_listen(std::string_view text)
{
	ListenAddress a;
	const std::size_t colon = text.rfind(':');
	if (colon == std::string_view::npos)
		throw bad_listen(text, "no port");
	std::string_view host = text.substr(0, colon);
	const std::string_view port = text.substr(colon + 1);
	if (!host.empty() && host.front() == '[') {
		if (host.size() < 3 || host.back() != ']')
			throw bad_listen(text, "an IPv6 address goes in brackets");
		host = host.substr(1, host.size() - 2);
		in6_addr v6{};
		if (inet_pton(AF_INET6, std::string(host).c_str(), &v6) != 1)
			throw bad_listen(text, "not an IPv6 address");
	} else {
		if (host.find(':') != std::string_view::npos)
			throw bad_listen(text, "an IPv6 address goes in brackets");
		for (char c : host)
			if (!host_name_char(c))
				throw bad_listen(text, "not an address or host name");
	}
	if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != port.npos)
		throw bad_listen(text, "the port is not a number");
	const unsigned long p = std::stoul(std::string(port));
	if (p < 1 || p > 65535)
		throw bad_listen(text, "the port is out of range (1 to 65535)");
	a.host = std::string(host);
	a.port = static_cast<unsigned>(p);
	return a;
}

std::uint64_t parse_interval(std::string_view text)
{
	std::uint64_t ns = 0;
	try {
		ns = parse_duration_ns(text, kNsPerSec);
	} catch (const Error& e) {
		throw usage_error("--interval " + escape_name(text) + ": " + e.what());
	}
	if (ns < kIntervalMin || ns > kIntervalMax)
		throw usage_error("--interval " + escape_name(text) + " is out of range (" +
				  format_duration(kIntervalMin) + " to " +
				  format_duration(kIntervalMax) + ")");
	return ns;
}

void check_textfile_path(const std::string& path)
{
	const std::string name = std::filesystem::path(path).filename().string();
	if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".prom") != 0)
		throw usage_error("--textfile " + escape_name(path) +
				  ": node_exporter's textfile collector reads only files "
				  "named *.prom");
}

Workload parse_workload(const std::vector<std::string>& items)
{
	Workload w;
	for (const std::string& item : items) {
		std::uint64_t pid = 0;
		const char* end = item.data() + item.size();
		auto [p, ec] = std::from_chars(item.data(), end, pid);
		if (!item.empty() && ec == std::errc{} && p == end)
			w.pids.insert(pid);
		else
			w.comms.insert(
				item);	// a name (workload_validator() refuses IDs out of range)
	}
	return w;
}

}  // namespace rtnoise
