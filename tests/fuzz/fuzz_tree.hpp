// SPDX-License-Identifier: GPL-2.0
// fuzz_tree.hpp - a captured host tree whose files the input rewrites,
// for the targets that audit (run_checks) and plan (plan_partition) a
// whole host: every reader of /proc, /sys, /boot and /etc they call.
//
// The tree is tests/fixtures/hosts/debian-6.1-rt-tuned (CPUs 2-3
// isolated), copied once with fewer tasks (the first ones, and those of
// CPUs 2 and 3), and an irqbalance task with its /etc/default/irqbalance,
// and the files of newer kernels (/sys/devices/system/cpu/housekeeping,
// cpuset.cpus.isolated).
//
// The input is records "path\0content\0...": each record replaces the
// file at path (relative to the root) with content; a path that is not
// one of the tree's files picks one by its hash, so that a mutated path
// still rewrites some file. After each input the files are put back.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "fuzz.hpp"
#include "host/host.hpp"

namespace fuzz {

class Tree {
public:
	Tree()
	{
		namespace fs = std::filesystem;
		const fs::path from = fs::path(RTNOISE_FIXTURES) / "hosts/debian-6.1-rt-tuned";
		root_ = scratch() / "tree";
		for (const auto& e : fs::recursive_directory_iterator(from)) {
			const std::string rel = fs::relative(e.path(), from).string();
			if (!e.is_regular_file() || e.path().filename() == ".keep" ||
			    !keep(from, rel))
				continue;
			put(root_, rel, rtnoise::read_file(e.path()).value_or(""));
		}
		// irqbalance runs, as pid 1 but for its name and ID.
		std::string stat = rtnoise::read_file(from / "proc/1/task/1/stat").value_or("");
		stat = "4242 (irqbalance)" + stat.substr(stat.find(')') + 1);
		put(root_, "proc/4242/task/4242/stat", stat);
		put(root_, "proc/4242/task/4242/status",
		    "Name:\tirqbalance\nCpus_allowed_list:\t0-1\n");
		put(root_, "etc/default/irqbalance", "IRQBALANCE_BANNED_CPULIST=2-3\n");
		// What kernels since 6.19 add: their own housekeeping CPUs, and
		// the CPUs of isolated cpuset partitions.
		put(root_, "sys/devices/system/cpu/housekeeping", "0-1\n");
		put(root_, "sys/fs/cgroup/cpuset.cpus.isolated", "2-3\n");

		for (const auto& e : fs::recursive_directory_iterator(root_))
			if (e.is_regular_file()) {
				const std::string rel = fs::relative(e.path(), root_).string();
				files_.push_back(rel);
				original_[rel] = rtnoise::read_file(e.path()).value_or("");
			}
		std::sort(files_.begin(), files_.end());
	}

	const std::filesystem::path& root() const { return root_; }

	// rewrite - apply the records of an input; returns the paths written.
	std::vector<std::string> rewrite(const std::string& input)
	{
		std::vector<std::string> done;
		std::size_t at = 0;
		while (at < input.size()) {
			const std::size_t nul = input.find('\0', at);
			if (nul == std::string::npos)
				break;
			const std::string path = input.substr(at, nul - at);
			std::size_t end = input.find('\0', nul + 1);
			if (end == std::string::npos)
				end = input.size();
			write(path, input.substr(nul + 1, end - nul - 1));
			done.push_back(path);
			at = end + 1;
		}
		return done;
	}

	// write - one file of the tree, by its path or its path's hash.
	void write(const std::string& path, const std::string& content)
	{
		std::string rel = path;
		if (!original_.count(rel))
			rel = files_[std::hash<std::string>{}(path) % files_.size()];
		put(root_, rel, content);
		changed_.push_back(rel);
	}

	// reset - the tree as it was.
	void reset()
	{
		for (const std::string& rel : changed_)
			put(root_, rel, original_[rel]);
		changed_.clear();
	}

private:
	// keep - the tasks kept: the first few, those of CPUs 2 and 3, and
	// RCU's; everything that is not a task.
	static bool keep(const std::filesystem::path& from, const std::string& rel)
	{
		if (rel.rfind("proc/", 0) != 0 || rel.size() < 6 || rel[5] < '0' || rel[5] > '9')
			return true;
		const std::string pid = rel.substr(5, rel.find('/', 5) - 5);
		if (std::stoi(pid) <= 12)
			return true;
		std::string stat = rtnoise::read_file(from / "proc" / pid / "task" / pid / "stat")
					   .value_or("");
		const std::string comm = stat.substr(0, stat.find(')'));
		return comm.find("/2") != std::string::npos ||
		       comm.find("/3") != std::string::npos ||
		       comm.find("(rcu") != std::string::npos;
	}

	std::filesystem::path root_;
	std::vector<std::string> files_;
	std::map<std::string, std::string> original_;
	std::vector<std::string> changed_;
};

}  // namespace fuzz
