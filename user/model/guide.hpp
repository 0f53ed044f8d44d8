// SPDX-License-Identifier: GPL-2.0
// guide.hpp - what the seed guides set on an isolated host, in one table
// that `check` audits against, `partition` applies and the report's
// remedies quote: the sysctls and memory settings, and the priorities of
// the per-CPU kernel threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/cpulist.hpp"

namespace rtnoise {

// GuideSetting - one value under /proc/sys or /sys that the guides set.
struct GuideSetting {
	const char* id;	    // check's finding: "sysctl.watchdog"
	const char* path;   // under the root: "proc/sys/kernel/watchdog"
	const char* name;   // "kernel.watchdog", or what it is
	const char* value;  // what the guides write
	const char* why;    // what the default costs an isolated CPU
	bool sysctl;	    // set with `sysctl -w name=value`
	bool at_least;	    // a number: the value or more is as good
};

// kGuideSettings - in the guides' order.
extern const std::vector<GuideSetting> kGuideSettings;

// guide_setting - the setting of a finding id; throws std::out_of_range.
const GuideSetting& guide_setting(std::string_view id);

// guide_fix - "sysctl -w kernel.watchdog=0" or "echo never > /sys/...".
std::string guide_fix(const GuideSetting& s);

// guide_kthread_priority - the SCHED_FIFO priority the guide gives a
// kernel thread named comm when isolated are the isolated CPUs:
// ksoftirqd/N 2 and rcuc/N 3 for N isolated, rcub/* 3; 0 for the others.
unsigned guide_kthread_priority(const std::string& comm, const CpuSet& isolated);

}  // namespace rtnoise
