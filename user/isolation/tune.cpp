// SPDX-License-Identifier: GPL-2.0
#include "isolation/tune.hpp"

#include <algorithm>

#include "host/host.hpp"
#include "host/procfs.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace rtnoise {

namespace fs = std::filesystem;

Layout plan_layout(const fs::path& root, const CpuSet& isolated)
{
	Layout l;
	l.isolated = isolated;
	check_cpus_exist(root, isolated);
	CpuSet all = cpu_list_file(root, "possible");
	for (unsigned cpu : all)
		if (!isolated.count(cpu))
			l.housekeeping.insert(cpu);
	if (l.housekeeping.empty())
		throw usage_error("isolating every CPU leaves none for housekeeping");
	if (isolated.count(0))
		l.warnings.emplace_back("CPU 0 is the boot CPU: nohz_full= will not "
					"include it; keep it for housekeeping");

	for (const auto& [node, cpus] : numa_nodes(root))
		if (intersects(cpus, isolated) && !intersects(cpus, l.housekeeping))
			l.warnings.push_back("node" + std::to_string(node) +
					     " has no housekeeping CPU: keep one of " +
					     format_cpulist(cpus) + " out of the isolated set");
	return l;
}

std::string tune_cmdline(const Layout& l, const TuneOptions& o)
{
	const std::string iso = format_cpulist(l.isolated);
	std::string out = "isolcpus=managed_irq,domain," + iso + " nohz_full=" + iso +
			  " rcu_nocbs=" + iso + " irqaffinity=" + format_cpulist(l.housekeeping) +
			  " rcu_nocb_poll skew_tick=1 nosoftlockup nowatchdog tsc=reliable"
			  " mce=off idle=poll processor.max_cstate=1 intel_idle.max_cstate=0"
			  " intel_pstate=disable pcie_aspm=off iommu=pt intel_iommu=on"
			  " default_hugepagesz=1G hugepagesz=1G";
	if (o.hugepages_1g)
		out += " hugepages=" + std::to_string(o.hugepages_1g);
	return out + "\n";
}

namespace {

// xml_text - a name as XML character data: bytes that are not printable
// UTF-8 escaped (XML 1.0 allows no C0 controls), then the markup.
std::string xml_text(const std::string& name)
{
	std::string out;
	for (char c : escape_name(name)) {
		const char* entity = c == '&'	 ? "&amp;"
				     : c == '<'	 ? "&lt;"
				     : c == '>'	 ? "&gt;"
				     : c == '\'' ? "&apos;"
				     : c == '"'	 ? "&quot;"
						 : nullptr;
		if (entity)
			out += entity;
		else
			out += c;
	}
	return out;
}

}  // namespace

std::string tune_libvirt(const Layout& l, const TuneOptions& o)
{
	const std::string hk = format_cpulist(l.housekeeping);
	const std::size_t n = l.isolated.size();
	std::string x;
	x += "<domain type='kvm'>\n";
	x += "  <name>" + xml_text(o.name) + "</name>\n";
	x += "  <memory unit='MiB'>" + std::to_string(o.memory_mib) + "</memory>\n";
	x += "  <vcpu placement='static'>" + std::to_string(n) + "</vcpu>\n";
	x += "  <cputune>\n";
	std::size_t v = 0;
	for (unsigned cpu : l.isolated)
		x += "    <vcpupin vcpu='" + std::to_string(v++) + "' cpuset='" +
		     std::to_string(cpu) + "'/>\n";
	x += "    <emulatorpin cpuset='" + hk + "'/>\n";
	x += "    <vcpusched vcpus='0-" + std::to_string(n - 1) +
	     "' scheduler='fifo' priority='1'/>\n";
	x += "  </cputune>\n";
	x += "  <memoryBacking>\n    <hugepages>\n      <page size='1' unit='GiB'/>\n"
	     "    </hugepages>\n    <locked/>\n  </memoryBacking>\n";
	x += "  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n  </os>\n";
	x += "  <features>\n    <acpi/>\n    <apic/>\n    <pmu state='off'/>\n"
	     "  </features>\n";
	x += "  <cpu mode='host-passthrough' check='none'>\n"
	     "    <feature policy='require' name='tsc-deadline'/>\n  </cpu>\n";
	x += "  <clock offset='utc'>\n    <timer name='kvmclock' present='no'/>\n"
	     "  </clock>\n";
	x += "  <devices>\n    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
	     "    <memballoon model='none'/>\n  </devices>\n";
	x += "</domain>\n";
	return x;
}

}  // namespace rtnoise
