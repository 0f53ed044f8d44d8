// SPDX-License-Identifier: GPL-2.0
#include "util/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <string>

#include "util/error.hpp"

namespace rtnoise {

void write_file_atomic(const std::filesystem::path& path, std::string_view text, mode_t mode)
{
	// A new file of a unique name (O_EXCL), never through a link.
	std::string tmp = path.string() + ".XXXXXX";
	int fd = ::mkostemp(tmp.data(), O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		throw system_error("cannot write " + path.string() + ": " + errno_text(errno));
	const mode_t mask = ::umask(0);
	::umask(mask);
	bool ok = ::fchmod(fd, mode & ~mask) == 0;
	std::size_t off = 0;
	while (ok && off < text.size()) {
		ssize_t n = ::write(fd, text.data() + off, text.size() - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			ok = false;
			break;
		}
		off += static_cast<std::size_t>(n);
	}
	ok = ok && ::fsync(fd) == 0;
	int err = errno;
	if (::close(fd) != 0 && ok) {
		ok = false;
		err = errno;
	}
	if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
		ok = false;
		err = errno;
	}
	if (!ok) {
		::unlink(tmp.c_str());
		throw system_error("cannot write " + path.string() + ": " + errno_text(err));
	}
	// The rename itself survives a crash once the directory is synced.
	const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
	int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		::fsync(dfd);
		::close(dfd);
	}
}

void write_output(const std::string& output, std::string_view text)
{
	if (output.empty())
		std::cout << text << std::flush;
	else
		write_file_atomic(output, text);
}

}  // namespace rtnoise
