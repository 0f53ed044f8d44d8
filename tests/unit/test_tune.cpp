// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include "isolation/tune.hpp"
#include "util/error.hpp"

using namespace rtnoise;

namespace {
const std::string kDefault = std::string(RTNOISE_FIXTURES) + "/hosts/debian-6.1-default";
}

TEST(Tune, CmdlineForTheLayout)
{
	Layout l = plan_layout(kDefault, {2, 3});
	EXPECT_EQ(l.housekeeping, (CpuSet{0, 1}));
	EXPECT_TRUE(l.warnings.empty());
	TuneOptions o;
	o.hugepages_1g = 8;
	std::string c = tune_cmdline(l, o);
	for (const char* want : {"isolcpus=managed_irq,domain,2-3 ", "nohz_full=2-3 ",
				 "rcu_nocbs=2-3 ", "irqaffinity=0-1 ", "tsc=reliable", "idle=poll",
				 "processor.max_cstate=1", "intel_pstate=disable", "mce=off",
				 "default_hugepagesz=1G hugepagesz=1G hugepages=8\n"})
		EXPECT_NE(c.find(want), std::string::npos) << want;
}

TEST(Tune, WarnsAboutTheBootCpuAndRefusesNonsense)
{
	Layout l = plan_layout(kDefault, {0, 2});
	ASSERT_EQ(l.warnings.size(), 1u);
	EXPECT_NE(l.warnings[0].find("boot CPU"), std::string::npos);
	EXPECT_THROW(plan_layout(kDefault, {0, 1, 2, 3}), Error);
	EXPECT_THROW(plan_layout(kDefault, {9}), Error);
}

TEST(Tune, LibvirtPinsOneVcpuPerIsolatedCpu)
{
	TuneOptions o;
	o.name = "rt1";
	std::string x = tune_libvirt(plan_layout(kDefault, {2, 3}), o);
	EXPECT_NE(x.find("<name>rt1</name>"), std::string::npos);
	EXPECT_NE(x.find("<vcpu placement='static'>2</vcpu>"), std::string::npos);
	EXPECT_NE(x.find("<vcpupin vcpu='0' cpuset='2'/>"), std::string::npos);
	EXPECT_NE(x.find("<vcpupin vcpu='1' cpuset='3'/>"), std::string::npos);
	EXPECT_NE(x.find("<emulatorpin cpuset='0-1'/>"), std::string::npos);
	EXPECT_NE(x.find("<timer name='kvmclock' present='no'/>"), std::string::npos);
	EXPECT_NE(x.find("<hugepages>"), std::string::npos);
}

TEST(Tune, LibvirtNameIsXmlText)
{
	TuneOptions o;
	o.name = "rt<1>&'\x01\xff";
	std::string x = tune_libvirt(plan_layout(kDefault, {2, 3}), o);
	EXPECT_NE(x.find("<name>rt&lt;1&gt;&amp;&apos;\\x01\\xff</name>"), std::string::npos) << x;
}
