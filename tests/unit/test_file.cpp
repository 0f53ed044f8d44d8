// SPDX-License-Identifier: GPL-2.0
// write_file_atomic(): the whole text or nothing, and one line on error.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/error.hpp"
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
