// SPDX-License-Identifier: GPL-2.0
// file.hpp - writing a whole file so that readers never see half of it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace rtnoise {

// write_file_atomic - text as the whole of path: a new file of a unique
// name beside it (path.XXXXXX: never a link, and not a name a reader of
// *.prom or *.json files takes), written, fsync'd and renamed over it,
// the directory fsync'd. mode is the file's, less the
// umask. Throws a system Error naming path and the cause; path is then
// left as it was.
void write_file_atomic(const std::filesystem::path& path, std::string_view text,
		       mode_t mode = 0644);

// write_output - text to stdout (flushed) when output is empty, else as
// the whole of that file (write_file_atomic): what --output means.
void write_output(const std::string& output, std::string_view text);

}  // namespace rtnoise
