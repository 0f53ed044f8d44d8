// SPDX-License-Identifier: GPL-2.0
// host_tree.hpp - a captured host tree copied under /tmp to be edited by a
// test (its boot parameters, or the files a newer kernel has), removed at
// the end of the test.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "host/host.hpp"

namespace rtnoise::test {

class HostTree {
public:
	HostTree(const std::string& captured, const std::string& tag)
	    : tree_(std::filesystem::temp_directory_path() /
		    ("rtnoise-host-" + tag + "-" + std::to_string(::getpid())))
	{
		std::filesystem::remove_all(tree_);
		std::filesystem::copy(std::string(RTNOISE_FIXTURES) + "/hosts/" + captured, tree_,
				      std::filesystem::copy_options::recursive);
	}
	~HostTree() { std::filesystem::remove_all(tree_); }
	HostTree(const HostTree&) = delete;
	HostTree& operator=(const HostTree&) = delete;

	const std::filesystem::path& path() const { return tree_; }

	void put(const std::string& rel, const std::string& text) const
	{
		std::filesystem::create_directories((tree_ / rel).parent_path());
		std::ofstream(tree_ / rel) << text;
	}

	// isolation - the command line with its isolcpus=, nohz_full=,
	// rcu_nocbs= and irqaffinity= replaced by params.
	void isolation(const std::string& params) const
	{
		std::istringstream in(read_file(tree_ / "proc/cmdline").value_or(""));
		std::string out;
		for (std::string w; in >> w;) {
			bool drop = false;
			for (const char* k :
			     {"isolcpus=", "nohz_full=", "rcu_nocbs=", "irqaffinity="})
				drop |= w.rfind(k, 0) == 0;
			if (!drop)
				out += w + " ";
		}
		put("proc/cmdline", out + params + "\n");
	}

	// kernel7 - what a 7.x kernel shows of the same boot: its release (and
	// config under that name) and /sys/devices/system/cpu/housekeeping.
	void kernel7(const std::string& housekeeping) const
	{
		std::string rel = read_file(tree_ / "proc/sys/kernel/osrelease").value_or("");
		rel = rel.substr(0, rel.find('\n'));
		const std::string now = "7.3.0-1" + rel.substr(rel.find('-', rel.find('-') + 1));
		std::filesystem::rename(tree_ / "boot" / ("config-" + rel),
					tree_ / "boot" / ("config-" + now));
		put("proc/sys/kernel/osrelease", now + "\n");
		put("sys/devices/system/cpu/housekeeping", housekeeping + "\n");
	}

private:
	std::filesystem::path tree_;
};

}  // namespace rtnoise::test
