// SPDX-License-Identifier: GPL-2.0
// remedy.hpp - what the seed guides do about a source of noise: the
// settings they name come from model/guide.hpp, as check and partition's.
#pragma once

#include <string>

namespace rtnoise {

// remedy - for a source (the report's kind and name) on cpu, or "".
std::string remedy(const std::string& kind, const std::string& name, unsigned cpu);

// tick_remedy - what lets the tick stop, for a tick_stop reason, or "".
std::string tick_remedy(const std::string& reason);

}  // namespace rtnoise
