// SPDX-License-Identifier: GPL-2.0
// parse.hpp - option values that need no CLI11, parsed or refused with a
// usage Error naming the option: unit tested, and fuzzed where they take
// free text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "app/monitor.hpp"
#include "app/session.hpp"

namespace rtnoise {

// parse_listen - "127.0.0.1:9464", "[::1]:9464", "localhost:9464",
// ":9464" (every address); throws a usage Error naming --listen.
ListenAddress parse_listen(std::string_view text);

// parse_interval - the --interval, a duration (bare number: seconds)
// from 1 s to 1 h; throws a usage Error naming --interval.
std::uint64_t parse_interval(std::string_view text);

// check_textfile_path - node_exporter's textfile collector reads only
// *.prom files: throws a usage Error for another name.
void check_textfile_path(const std::string& path);

// parse_workload - --workload's items (workload_validator() passed
// them): a number is a thread ID, anything else a comm.
Workload parse_workload(const std::vector<std::string>& items);

}  // namespace rtnoise
