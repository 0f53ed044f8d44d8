// SPDX-License-Identifier: GPL-2.0
#include "util/error.hpp"

#include <cstring>

namespace rtnoise {

std::string errno_text(int err)
{
	return std::strerror(err);
}

}  // namespace rtnoise
