// SPDX-License-Identifier: GPL-2.0
// tune.hpp - the boot parameters and the libvirt guest for a CPU layout.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "util/cpulist.hpp"

namespace rtnoise {

struct Layout {
	CpuSet isolated;
	CpuSet housekeeping;
	std::vector<std::string> warnings;  // e.g. a NUMA node without housekeeping
};

// plan_layout - isolated CPUs and the housekeeping rest, checked against
// the NUMA nodes under root.
Layout plan_layout(const std::filesystem::path& root, const CpuSet& isolated);

struct TuneOptions {
	unsigned hugepages_1g = 0;  // 0: no hugepages= count
	std::string name = "rt-guest";
	unsigned memory_mib = 4096;
};

// tune_cmdline - the kernel command line of the guides for the layout.
std::string tune_cmdline(const Layout& l, const TuneOptions& o);
// tune_libvirt - a libvirt domain whose vCPUs are pinned one to one onto
// the isolated CPUs, the emulator onto housekeeping, hugepage-backed,
// with kvmclock off.
std::string tune_libvirt(const Layout& l, const TuneOptions& o);

}  // namespace rtnoise
