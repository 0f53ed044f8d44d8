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

void check_owned(const struct stat& st, const std::filesystem::path& path)
{
	const std::string p = path.string();
	if (st.st_uid != ::geteuid())
		throw system_error(p + " is owned by user " + std::to_string(st.st_uid) + ", not " +
				   std::to_string(::geteuid()) + ": remove it, or chown it");
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		throw system_error(p +
				   " is writable by group or others: remove it, or chmod go-w it");
}

UniqueFd open_append(const std::filesystem::path& path)
{
	const std::string p = path.string();
	// O_NONBLOCK: a FIFO without a reader must not hang the open.
	UniqueFd fd(::open(path.c_str(),
			   O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
				   O_CLOEXEC,
			   0644));
	if (!fd) {
		const int err = errno;
		if (err == ELOOP)
			throw system_error(
				p + " is a symbolic link: remove it, or name the file itself");
		if (err == ENXIO)
			throw system_error(p +
					   " is not a regular file: name a file, or remove what is "
					   "there");
		throw system_error("cannot open " + p + ": " + errno_text(err));
	}
	struct stat st {};
	if (::fstat(fd.get(), &st) != 0)
		throw system_error("cannot open " + p + ": " + errno_text(errno));
	if (!S_ISREG(st.st_mode))
		throw system_error(p +
				   " is not a regular file: name a file, or remove what is there");
	// A hard link planted to a file root must not append to.
	if (st.st_nlink != 1)
		throw system_error(p + " has " + std::to_string(st.st_nlink) +
				   " hard links: it may be another file under a second name; "
				   "remove it");
	check_owned(st, path);
	if (::fcntl(fd.get(), F_SETFL, O_APPEND) != 0)
		throw system_error("cannot open " + p + ": " + errno_text(errno));
	return fd;
}

void write_output(const std::string& output, std::string_view text)
{
	if (output.empty())
		std::cout << text << std::flush;
	else
		write_file_atomic(output, text);
}

}  // namespace rtnoise
