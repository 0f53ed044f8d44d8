// SPDX-License-Identifier: GPL-2.0
// Finding an installed rtnoise.ko (modules.dep, what modprobe loads) and
// what `rtnoise --version` says of the loaded one, on temporary trees.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <regex>

#include "cli/commands.hpp"
#include "sampler/module.hpp"

using namespace rtnoise;
namespace fs = std::filesystem;

namespace {

struct Module : ::testing::Test {
	fs::path root =
		fs::temp_directory_path() / ("rtnoise-module-" + std::to_string(::getpid()));

	void SetUp() override { fs::remove_all(root); }
	void TearDown() override { fs::remove_all(root); }

	void put(const fs::path& rel, const std::string& text)
	{
		fs::create_directories((root / rel).parent_path());
		std::ofstream(root / rel) << text;
	}
	// loaded - a loaded rtnoise.ko under root/sys; empty strings: not shown
	void loaded(const std::string& version, const std::string& abi)
	{
		put("sys/module/rtnoise/initstate", "live\n");
		if (!version.empty())
			put("sys/module/rtnoise/version", version + "\n");
		if (!abi.empty())
			put("sys/class/misc/rtnoise/abi_version", abi + "\n");
	}
};

}  // namespace

TEST_F(Module, InstalledByDkmsIsFoundInModulesDep)
{
	put("lib/modules/6.1.0-56-amd64/modules.dep",
	    "kernel/fs/overlayfs/overlay.ko:\n"
	    "kernel/drivers/foo/rtnoise_other.ko: kernel/lib/x.ko\n"
	    "updates/dkms/rtnoise.ko:\n");
	auto p = installed_module(root, "6.1.0-56-amd64");
	ASSERT_TRUE(p);
	EXPECT_EQ(*p, fs::path("/lib/modules/6.1.0-56-amd64/updates/dkms/rtnoise.ko"));
}

TEST_F(Module, CompressedOrAbsolutePathsAreFound)
{
	put("lib/modules/r1/modules.dep", "extra/rtnoise.ko.xz:\n");
	put("lib/modules/r2/modules.dep", "/lib/modules/r2/extra/rtnoise.ko:\n");
	EXPECT_EQ(installed_module(root, "r1"), fs::path("/lib/modules/r1/extra/rtnoise.ko.xz"));
	EXPECT_EQ(installed_module(root, "r2"), fs::path("/lib/modules/r2/extra/rtnoise.ko"));
}

TEST_F(Module, NotInstalled)
{
	put("lib/modules/r1/modules.dep", "kernel/drivers/foo/notrtnoise.ko:\n");
	EXPECT_FALSE(installed_module(root, "r1"));
	EXPECT_FALSE(installed_module(root, "no-such-release"));
}

TEST_F(Module, CandidatesKeepTheBuildTreeAndTheExplicitPath)
{
	auto paths = module_candidates(std::nullopt, "/b", "r1");
	EXPECT_NE(std::find(paths.begin(), paths.end(), fs::path("/b/kmod/r1/rtnoise.ko")),
		  paths.end());
	EXPECT_EQ(module_candidates(std::string("/x/rtnoise.ko"), "/b", "r1"),
		  std::vector<fs::path>{"/x/rtnoise.ko"});
}

TEST_F(Module, LoadedModuleFromSysfs)
{
	EXPECT_FALSE(loaded_module(root));
	loaded("0.1.0", "2");
	auto m = loaded_module(root);
	ASSERT_TRUE(m);
	EXPECT_EQ(m->version, "0.1.0");
	EXPECT_EQ(m->abi, 2u);
	put("sys/class/misc/rtnoise/abi_version", "2x\n");
	EXPECT_FALSE(loaded_module(root)->abi);
	fs::remove(root / "sys/class/misc/rtnoise/abi_version");
	fs::remove(root / "sys/module/rtnoise/version");
	m = loaded_module(root);
	ASSERT_TRUE(m);	 // a module older than its version in sysfs
	EXPECT_TRUE(m->version.empty());
	EXPECT_FALSE(m->abi);
}

TEST_F(Module, VersionWithoutModule)
{
	std::string v = version_text(root);
	// The first line as help2man and packaging tools read it.
	EXPECT_TRUE(std::regex_search(v, std::regex("^rtnoise [0-9]+\\.[0-9]+\\.[0-9]+\n"))) << v;
	EXPECT_NE(v.find("git revision: "), std::string::npos) << v;
	EXPECT_NE(v.find("ioctl ABI: " + std::to_string(abi_version()) + "\n"), std::string::npos)
		<< v;
	EXPECT_NE(v.find("rtnoise.ko: not loaded"), std::string::npos) << v;
}

TEST_F(Module, VersionOfTheLoadedModule)
{
	loaded("0.1.0", std::to_string(abi_version()));
	std::string v = version_text(root);
	EXPECT_NE(v.find("rtnoise.ko: 0.1.0 loaded, ABI " + std::to_string(abi_version())),
		  std::string::npos)
		<< v;
	EXPECT_EQ(v.find("speaks"), std::string::npos) << v;
}

TEST_F(Module, VersionSaysWhichSideToChangeOnAnotherAbi)
{
	loaded("0.0.9", "1");
	std::string v = version_text(root);
	EXPECT_NE(v.find("0.0.9 loaded, ABI 1 (this rtnoise speaks ABI " +
			 std::to_string(abi_version())),
		  std::string::npos)
		<< v;
}

TEST_F(Module, VersionOfAModuleThatShowsNeither)
{
	loaded("", "");
	std::string v = version_text(root);
	EXPECT_NE(v.find("loaded (no version"), std::string::npos) << v;
	EXPECT_NE(v.find("ABI not shown"), std::string::npos) << v;
}
