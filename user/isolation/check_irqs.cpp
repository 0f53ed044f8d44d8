// SPDX-License-Identifier: GPL-2.0
// check_irqs.cpp - IRQ affinities and irqbalance.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "host/host.hpp"
#include "isolation/check_rules.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

namespace rtnoise::check_detail {

void check_irqs(const Ctx& c)
{
	std::vector<std::string> on, pending;
	std::error_code ec;
	for (const auto& d : fs::directory_iterator(c.root / "proc/irq", ec)) {
		std::string n = d.path().filename();
		if (!std::isdigit(static_cast<unsigned char>(n[0])))
			continue;
		auto aff = read_line(d.path() / "smp_affinity_list");
		if (!aff)
			continue;
		CpuSet set = parse_cpulist(*aff, true);
		CpuSet eff = parse_cpulist(
			read_line(d.path() / "effective_affinity_list").value_or(*aff), true);
		std::string name;
		for (const auto& f : fs::directory_iterator(d.path(), ec))
			if (f.is_directory())
				name = escape_name(f.path().filename().string());
		std::string label = n;
		if (!name.empty())
			label += " (" + name + ")";
		if (!(set & c.cpus).empty())
			on.push_back(label);
		else if (!(eff & c.cpus).empty())
			pending.push_back(label);
	}
	std::sort(on.begin(), on.end(), [](const std::string& a, const std::string& b) {
		return std::stoi(a) < std::stoi(b);
	});
	c.add("irq.affinity", on.empty() ? Verdict::pass : Verdict::fail,
	      on.empty() ? "no IRQ may fire on the isolated CPUs"
			 : std::to_string(on.size()) + " IRQs may fire on CPUs " + L(c.cpus) +
				   ": " + join_some(on),
	      "/proc/irq/*/smp_affinity_list",
	      "for i in /proc/irq/[0-9]*; do echo " + L(c.hk) +
		      " > $i/smp_affinity_list; done (or rtnoise partition --isolate " + L(c.cpus) +
		      ")");
	c.add("irq.effective", pending.empty() ? Verdict::pass : Verdict::fail,
	      pending.empty() ? "effective IRQ affinities agree"
			      : "affinity set but not yet effective for " + join_some(pending),
	      "/proc/irq/*/effective_affinity_list",
	      "the move happens at the next interrupt; managed IRQs need "
	      "isolcpus=managed_irq");

	CpuSet def = parse_hex_mask(c.sys("proc/irq/default_smp_affinity"));
	bool ok = (def & c.cpus).empty();
	c.add("irq.default_affinity", ok ? Verdict::pass : Verdict::fail,
	      ok ? "new IRQs default to housekeeping CPUs"
		 : "new IRQs default to CPUs " + L(def) + ", isolated ones included",
	      "/proc/irq/default_smp_affinity = " + c.sys("proc/irq/default_smp_affinity"),
	      "echo " + c.hk_mask() +
		      " > /proc/irq/default_smp_affinity (or irqaffinity=" + L(c.hk) + ")");

	bool running = std::any_of(c.tasks.begin(), c.tasks.end(),
				   [](const Task& t) { return t.comm == "irqbalance"; });
	if (!running) {
		c.add("irq.irqbalance", Verdict::pass, "irqbalance is not running",
		      "no irqbalance task");
		return;
	}
	std::string cfg;
	for (const char* p : {"etc/default/irqbalance", "etc/sysconfig/irqbalance"})
		if (auto t = read_file(c.root / p))
			cfg += *t;
	CpuSet banned;
	std::istringstream in(cfg);
	for (std::string l; std::getline(in, l);) {
		auto eq = l.find('=');
		if (eq == std::string::npos || l[0] == '#')
			continue;
		std::string key = l.substr(0, eq), v = l.substr(eq + 1);
		v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
		try {
			if (key == "IRQBALANCE_BANNED_CPULIST")
				banned = parse_cpulist(v, true);
			else if (key == "IRQBALANCE_BANNED_CPUS")
				banned = parse_hex_mask(v);
		} catch (const Error&) {
		}
	}
	bool bans = is_subset(c.cpus, banned);
	c.add("irq.irqbalance", bans ? Verdict::pass : Verdict::fail,
	      bans ? "irqbalance runs and leaves the isolated CPUs alone"
		   : "irqbalance runs and may move IRQs onto CPUs " + L(c.cpus - banned),
	      "banned CPUs " + L(banned),
	      "IRQBALANCE_BANNED_CPULIST=" + L(c.cpus) +
		      " in /etc/default/irqbalance, or systemctl disable --now irqbalance");
}

}  // namespace rtnoise::check_detail
