// SPDX-License-Identifier: GPL-2.0
#include "util/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <streambuf>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace rtnoise {

namespace {

// FdBuf - a stream's buffer over a file descriptor it does not own: the
// first write error is kept (err()) and every later write dropped.
class FdBuf : public std::streambuf {
public:
	explicit FdBuf(int fd) : fd_(fd), buf_(std::size_t{1} << 16)
	{
		setp(buf_.data(), buf_.data() + buf_.size());
	}
	int err() const { return err_; }

protected:
	int_type overflow(int_type c) override
	{
		if (!drain())
			return traits_type::eof();
		if (!traits_type::eq_int_type(c, traits_type::eof())) {
			*pptr() = traits_type::to_char_type(c);
			pbump(1);
		}
		return traits_type::not_eof(c);
	}
	int sync() override { return drain() ? 0 : -1; }

private:
	bool drain()
	{
		const char* p = pbase();
		while (!err_ && p < pptr()) {
			const ssize_t n = ::write(fd_, p, static_cast<std::size_t>(pptr() - p));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				err_ = n == 0 ? EIO : errno;
			else
				p += n;
		}
		setp(buf_.data(), buf_.data() + buf_.size());
		return !err_;
	}

	int fd_;
	std::vector<char> buf_;
	int err_ = 0;
};

}  // namespace

void write_file_atomic(const std::filesystem::path& path, std::string_view text, mode_t mode)
{
	write_file_streamed(
		path, [&](std::ostream& out) { out << text; }, mode);
}

void write_file_streamed(const std::filesystem::path& path,
			 const std::function<void(std::ostream&)>& write, mode_t mode)
{
	// A new file of a unique name (O_EXCL), never through a link.
	std::string tmp = path.string() + ".XXXXXX";
	int fd = ::mkostemp(tmp.data(), O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		throw system_error("cannot write " + path.string() + ": " + errno_text(errno));
	const mode_t mask = ::umask(0);
	::umask(mask);
	int err = ::fchmod(fd, mode & ~mask) == 0 ? 0 : errno;
	if (!err) {
		FdBuf buf(fd);
		std::ostream out(&buf);
		try {
			write(out);
		} catch (...) {
			::close(fd);
			::unlink(tmp.c_str());
			throw;
		}
		out.flush();
		err = buf.err();
	}
	if (!err && ::fsync(fd) != 0)
		err = errno;
	if (::close(fd) != 0 && !err)
		err = errno;
	if (!err && ::rename(tmp.c_str(), path.c_str()) != 0)
		err = errno;
	if (err) {
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

void write_output_streamed(const std::string& output,
			   const std::function<void(std::ostream&)>& write)
{
	if (!output.empty()) {
		write_file_streamed(output, write);
		return;
	}
	write(std::cout);
	std::cout.flush();
}

}  // namespace rtnoise
