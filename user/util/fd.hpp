// SPDX-License-Identifier: GPL-2.0
// fd.hpp - an owned file descriptor, closed when it goes.
#pragma once

#include <unistd.h>

namespace rtnoise {

class UniqueFd {
public:
	UniqueFd() = default;
	explicit UniqueFd(int fd) : fd_(fd) {}
	UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
	UniqueFd& operator=(UniqueFd&& o) noexcept
	{
		if (this != &o) {
			reset();
			fd_ = o.release();
		}
		return *this;
	}
	UniqueFd(const UniqueFd&) = delete;
	UniqueFd& operator=(const UniqueFd&) = delete;
	~UniqueFd() { reset(); }

	int get() const { return fd_; }
	int release()
	{
		int fd = fd_;
		fd_ = -1;
		return fd;
	}
	void reset()
	{
		if (fd_ >= 0)
			::close(fd_);
		fd_ = -1;
	}
	explicit operator bool() const { return fd_ >= 0; }

private:
	int fd_ = -1;
};

}  // namespace rtnoise
