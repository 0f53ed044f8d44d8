// SPDX-License-Identifier: GPL-2.0
#include "host/host.hpp"

#include <sys/utsname.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "host/procfs.hpp"
#include "util/error.hpp"

namespace rtnoise {

std::optional<std::string> read_file(const fs::path& path)
{
	std::ifstream in(path);
	if (!in)
		return std::nullopt;
	std::ostringstream out;
	out << in.rdbuf();
	return out.str();
}

CpuSet cpu_list_file(const fs::path& root, const std::string& name)
{
	auto text = read_file(root / "sys/devices/system/cpu" / name);
	// 6.1 prints an unset nohz_full mask as "(null)".
	if (!text || text->rfind("(null)", 0) == 0)
		return {};
	return parse_cpulist(*text, true);
}

bool has_cap_sys_admin(const fs::path& root)
{
	constexpr int kCapSysAdmin = 21;
	std::istringstream in(read_file(root / "proc/self/status").value_or(""));
	for (std::string line; std::getline(in, line);) {
		if (line.rfind("CapEff:", 0) != 0)
			continue;
		unsigned long long caps = std::stoull(line.substr(7), nullptr, 16);
		return caps & (1ULL << kCapSysAdmin);
	}
	return false;
}

void check_cpus_exist(const fs::path& root, const CpuSet& cpus)
{
	CpuSet possible = cpu_list_file(root, "possible");
	for (unsigned cpu : cpus)
		if (!possible.empty() && !possible.count(cpu))
			throw usage_error("CPU " + std::to_string(cpu) +
					  " does not exist (this machine has CPUs " +
					  format_cpulist(possible) + ")");
}

std::map<unsigned, CpuSet> numa_nodes(const fs::path& root)
{
	std::map<unsigned, CpuSet> nodes;
	std::error_code ec;
	for (const auto& node : fs::directory_iterator(root / "sys/devices/system/node", ec)) {
		const std::string name = node.path().filename();
		if (name.rfind("node", 0) != 0 || name.size() < 5 ||
		    name.find_first_not_of("0123456789", 4) != std::string::npos)
			continue;
		auto text = read_line(node.path() / "cpulist");
		try {
			nodes[static_cast<unsigned>(std::stoul(name.substr(4)))] =
				parse_cpulist(text.value_or(""), true);
		} catch (const std::exception&) {
			continue;  // not a node this reader understands
		}
	}
	return nodes;
}

void check_watchable(const fs::path& root, const CpuSet& cpus)
{
	check_cpus_exist(root, cpus);
	CpuSet online = cpu_list_file(root, "online");
	for (unsigned cpu : cpus) {
		if (!online.count(cpu))
			throw usage_error("CPU " + std::to_string(cpu) +
					  " is offline: bring it online (echo 1 > "
					  "/sys/devices/system/cpu/cpu" +
					  std::to_string(cpu) + "/online) or drop it from --cpus");
	}
}

KernelIsolation read_kernel_isolation(const fs::path& root)
{
	KernelIsolation k;
	std::string rel = read_file(root / "proc/sys/kernel/osrelease").value_or("");
	k.release = rel.substr(0, rel.find('\n'));
	if (auto hk = read_file(root / "sys/devices/system/cpu/housekeeping")) {
		k.timers_excluded = true;
		k.partition_updates_domain = std::atoi(k.release.c_str()) >= 7;
		try {
			CpuSet cpus = parse_cpulist(*hk, true);
			if (cpus.empty())
				cpus = cpu_list_file(root, "possible");
			if (cpus.empty())
				cpus = cpu_list_file(root, "online");
			k.housekeeping = cpus;
		} catch (const Error&) {
			k.housekeeping.reset();	 // not what a kernel writes: unknown
		}
	}
	return k;
}

std::string kernel_release()
{
	struct utsname u {};
	uname(&u);
	return u.release;
}

std::string kernel_version()
{
	struct utsname u {};
	uname(&u);
	return u.version;
}

}  // namespace rtnoise
