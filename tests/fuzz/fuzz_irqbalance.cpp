// SPDX-License-Identifier: GPL-2.0
// fuzz_irqbalance - the irqbalance configuration that `rtnoise check`
// reads (isolation/check_irqs.cpp; the parser is inside check_irqs(), so
// it is reached through run_checks() on a captured tree where irqbalance
// runs). The input is /etc/default/irqbalance.
//
// Properties:
//  - whatever the file holds, run_checks() on an otherwise sound tree
//    does not throw: a bad IRQBALANCE_BANNED_* value is no value;
//  - there is exactly one irq.irqbalance finding; it names the banned
//    CPUs, and passes exactly when they include CPUs 2-3;
//  - a file whose last line is IRQBALANCE_BANNED_CPULIST=<list>, a list
//    parse_cpulist() takes, bans exactly that list.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz.hpp"
#include "fuzz_tree.hpp"
#include "isolation/check.hpp"

using namespace rtnoise;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	static fuzz::Tree tree;
	const std::string cfg(reinterpret_cast<const char*>(data), size);
	const CpuSet cpus{2, 3};
	tree.write("etc/default/irqbalance", cfg);
	CheckResult r;
	fuzz::only_errors("run_checks", {}, cfg, [&] { r = run_checks(tree.root(), cpus); });
	tree.reset();

	const Finding* irqbalance = nullptr;
	for (const Finding& f : r.findings)
		if (f.id == "irq.irqbalance") {
			FUZZ_CHECK(!irqbalance,
				   "two irq.irqbalance findings for " + fuzz::shown(cfg));
			irqbalance = &f;
		}
	FUZZ_CHECK(irqbalance, "no irq.irqbalance finding for " + fuzz::shown(cfg));
	const std::string prefix = "banned CPUs ";
	FUZZ_CHECK(irqbalance->evidence.rfind(prefix, 0) == 0,
		   "evidence " + fuzz::shown(irqbalance->evidence));
	const std::string list = irqbalance->evidence.substr(prefix.size());
	CpuSet banned;
	if (list != "none")
		FUZZ_CHECK(fuzz::only_errors("parse_cpulist", {}, list,
					     [&] { banned = parse_cpulist(list); }),
			   "evidence " + fuzz::shown(irqbalance->evidence));
	FUZZ_CHECK((irqbalance->verdict == Verdict::pass) == is_subset(cpus, banned),
		   "verdict against banned CPUs " + list + " for " + fuzz::shown(cfg));

	// The last line, if it sets the list plainly.
	std::string body = cfg;
	while (!body.empty() && body.back() == '\n')
		body.pop_back();
	const std::string last = body.substr(body.rfind('\n') + 1);
	const std::string key = "IRQBALANCE_BANNED_CPULIST=";
	if (last.rfind(key, 0) == 0 && last.find('"') == std::string::npos) {
		CpuSet want;
		if (fuzz::only_errors("parse_cpulist", {Exit::usage}, last,
				      [&] { want = parse_cpulist(last.substr(key.size()), true); }))
			FUZZ_CHECK(banned == want, "the last line " + fuzz::shown(last) +
							   " banned " + fuzz::shown(banned));
	}
	return 0;
}
