// SPDX-License-Identifier: GPL-2.0
// write_file_atomic(): the whole text or nothing, and one line on error.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/file.hpp"

using namespace rtnoise;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p)
{
	std::ifstream in(p, std::ios::binary);
	std::ostringstream out;
	out << in.rdbuf();
	return out.str();
}

class AtomicFile : public ::testing::Test {
protected:
	void SetUp() override
	{
		dir = fs::temp_directory_path() /
		      ("rtnoise-file-" + std::to_string(::getpid()) + "-" +
		       ::testing::UnitTest::GetInstance()->current_test_info()->name());
		fs::remove_all(dir);
		fs::create_directories(dir);
	}
	void TearDown() override { fs::remove_all(dir); }
	fs::path dir;
};

}  // namespace

TEST_F(AtomicFile, WritesAndReplacesLeavingNothingBeside)
{
	const fs::path p = dir / "report.html";
	write_file_atomic(p, "first");
	EXPECT_EQ(read(p), "first");
	write_file_atomic(p, std::string(1 << 20, 'x'));
	EXPECT_EQ(read(p), std::string(1 << 20, 'x'));
	EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
	struct stat st {};
	ASSERT_EQ(::stat(p.c_str(), &st), 0);
	const mode_t mask = ::umask(0);
	::umask(mask);
	EXPECT_EQ(st.st_mode & 0777, 0644 & ~mask);
}

TEST_F(AtomicFile, AMissingDirectoryIsOneLineNamingTheFile)
{
	const fs::path p = dir / "no" / "report.html";
	try {
		write_file_atomic(p, "x");
		FAIL() << "no error";
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::system);
		EXPECT_EQ(std::string(e.what()),
			  "cannot write " + p.string() + ": No such file or directory");
	}
}

TEST_F(AtomicFile, AFailedWriteLeavesTheOldFile)
{
	const fs::path p = dir / "report.html";
	write_file_atomic(p, "old");
	// A directory where the file should go: rename() refuses.
	const fs::path d = dir / "sub";
	fs::create_directories(d / "x");
	EXPECT_THROW(write_file_atomic(d, "new"), Error);
	EXPECT_EQ(read(p), "old");
	EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2);
}

// open_append(): the spike log of a root monitor, in a directory others
// may write to.
namespace {

// refusal - what open_append(p) threw, or "" when it opened p.
std::string refusal(const fs::path& p)
{
	try {
		UniqueFd fd = open_append(p);
		return "";
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::system);
		return e.what();
	}
}

}  // namespace

TEST_F(AtomicFile, AppendCreatesAndAppends)
{
	const fs::path p = dir / "spikes.jsonl";
	for (const char* line : {"a\n", "b\n"}) {
		UniqueFd fd = open_append(p);
		ASSERT_EQ(::write(fd.get(), line, 2), 2);
	}
	EXPECT_EQ(read(p), "a\nb\n");
	struct stat st {};
	ASSERT_EQ(::stat(p.c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 022, 0u);
}

TEST_F(AtomicFile, AppendFollowsNoLink)
{
	const fs::path target = dir / "passwd";
	{
		std::ofstream(target) << "root:x:0:0\n";
	}
	fs::create_symlink(target, dir / "spikes.jsonl");
	EXPECT_EQ(refusal(dir / "spikes.jsonl"),
		  (dir / "spikes.jsonl").string() +
			  " is a symbolic link: remove it, or name the file itself");
	// A dangling link: nothing created where it points.
	fs::create_symlink(dir / "new", dir / "dangling");
	EXPECT_NE(refusal(dir / "dangling"), "");
	EXPECT_FALSE(fs::exists(dir / "new"));
	EXPECT_EQ(read(target), "root:x:0:0\n");
}

TEST_F(AtomicFile, AppendTakesOnlyAPrivateRegularFile)
{
	const fs::path fifo = dir / "fifo";
	ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
	UniqueFd reader(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
	ASSERT_TRUE(reader);
	EXPECT_EQ(refusal(fifo),
		  fifo.string() + " is not a regular file: name a file, or remove what is there");

	const fs::path target = dir / "shadow";
	{
		std::ofstream(target) << "x";
	}
	fs::create_hard_link(target, dir / "hard");
	EXPECT_EQ(refusal(dir / "hard"),
		  (dir / "hard").string() +
			  " has 2 hard links: it may be another file under a second name; "
			  "remove it");

	const fs::path shared = dir / "shared";
	{
		std::ofstream(shared) << "x";
	}
	fs::permissions(shared, fs::perms::others_write, fs::perm_options::add);
	EXPECT_EQ(refusal(shared), shared.string() +
					   " is writable by group or others: remove it, or "
					   "chmod go-w it");

	if (::geteuid() != 0)
		GTEST_SKIP() << "not root: cannot make a file of another user";
	const fs::path theirs = dir / "theirs";
	{
		std::ofstream(theirs) << "x";
	}
	ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
	EXPECT_EQ(refusal(theirs), theirs.string() + " is owned by user 65534, not 0: remove it, "
						     "or chown it");
	EXPECT_EQ(read(theirs), "x");
}
