// SPDX-License-Identifier: GPL-2.0
// file.hpp - writing a whole file so that readers never see half of it.
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

#include <sys/stat.h>
#include <sys/types.h>

#include "util/fd.hpp"

namespace rtnoise {

// write_file_atomic - text as the whole of path: a new file of a unique
// name beside it (path.XXXXXX: never a link, and not a name a reader of
// *.prom or *.json files takes), written, fsync'd and renamed over it,
// the directory fsync'd. mode is the file's, less the
// umask. Throws a system Error naming path and the cause; path is then
// left as it was.
void write_file_atomic(const std::filesystem::path& path, std::string_view text,
		       mode_t mode = 0644);

// write_file_streamed - the same, the text being what write puts on the
// stream it is handed as it goes (a report a spike at a time: never the
// whole of it in memory), through a 64 KiB buffer into the new file.
// What write throws is thrown on, path then left as it was.
void write_file_streamed(const std::filesystem::path& path,
			 const std::function<void(std::ostream&)>& write, mode_t mode = 0644);

// check_owned - st, path's, is owned by this user (euid: root for what
// runs as root) and writable by no one else; throws a system Error that
// says what to do.
void check_owned(const struct stat& st, const std::filesystem::path& path);

// open_append - path opened to append to (created 0644 if absent) by a
// process that may be root, in a directory others may write to: never
// through a link, and only a regular file of one link, owned by this
// user and writable by no one else. Throws a system Error naming path
// and what is wrong with it.
UniqueFd open_append(const std::filesystem::path& path);

// write_output - text to stdout (flushed) when output is empty, else as
// the whole of that file (write_file_atomic): what --output means.
void write_output(const std::string& output, std::string_view text);
// write_output_streamed - the same of what write puts on the stream
// (write_file_streamed()).
void write_output_streamed(const std::string& output,
			   const std::function<void(std::ostream&)>& write);

}  // namespace rtnoise
