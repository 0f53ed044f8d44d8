// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "analysis/attribution.hpp"
#include "host/ksyms.hpp"
#include "tracer/wire.hpp"

using namespace rtnoise;

namespace {

Ksyms fixture()
{
	std::ifstream in(std::string(RTNOISE_FIXTURES) + "/kallsyms");
	std::ostringstream text;
	text << in.rdbuf();
	return Ksyms::parse(text.str());
}

}  // namespace

TEST(Ksyms, ResolvesFunctionsAndOffsets)
{
	Ksyms k = fixture();
	EXPECT_EQ(k.size(), 8u);  // text symbols only
	EXPECT_EQ(k.name_of(0xffffffff810e5a10), "tick_sched_timer");
	EXPECT_EQ(k.name_of(0xffffffff810e5a48), "tick_sched_timer");
	EXPECT_EQ(k.name_of(0xffffffff81200400), "refresh_vm_stats");
	EXPECT_EQ(k.name_of(0xffffffffc0a01000), "rtnoise_timer_fn [rtnoise]");
	EXPECT_EQ(k.name_of(0xffffffffc0b00010), "virtnet_poll [virtio_net]");
	EXPECT_EQ(k.name_of(0x1000), "0x1000");
}

TEST(Ksyms, FindsAddressesByNameAndModule)
{
	Ksyms k = fixture();
	EXPECT_EQ(k.address_of("rtnoise_timer_fn", "rtnoise"), 0xffffffffc0a01000ULL);
	EXPECT_EQ(k.address_of("rtnoise_timer_fn", "virtio_net"), std::nullopt);
	EXPECT_EQ(k.address_of("hrtimer_wakeup"), 0xffffffff810e6000ULL);
	EXPECT_EQ(k.address_of("some_data"), std::nullopt);
}

TEST(Ksyms, HiddenAddressesResolveToNothing)
{
	// kallsyms as an unprivileged reader sees it: all zeros.
	Ksyms k = Ksyms::parse("0000000000000000 T _stext\n0000000000000000 t foo\n");
	EXPECT_EQ(k.size(), 0u);
	EXPECT_EQ(k.name_of(0xffffffff81000000), "0xffffffff81000000");
}

TEST(SourceNames, EveryKind)
{
	Ksyms k = fixture();
	EXPECT_EQ(source_name(RTNOISE_KIND_THREAD, 87, "kworker/3:1", k), "kworker/3:1:87");
	EXPECT_EQ(source_name(RTNOISE_KIND_IRQ, 24, "virtio0-input", k), "24:virtio0-input");
	EXPECT_EQ(source_name(RTNOISE_KIND_SOFTIRQ, 1, "", k), "TIMER");
	EXPECT_EQ(source_name(RTNOISE_KIND_SOFTIRQ, 9, "", k), "RCU");
	EXPECT_EQ(source_name(RTNOISE_KIND_IPI, RTNOISE_IPI_RESCHEDULE, "", k), "reschedule");
	EXPECT_EQ(source_name(RTNOISE_KIND_LOCAL_TIMER, 0, "", k), "local_timer");
	EXPECT_EQ(source_name(RTNOISE_KIND_HRTIMER, 0xffffffff810e5a10, "", k), "tick_sched_timer");
	EXPECT_EQ(source_name(RTNOISE_KIND_WORKQUEUE, 0xffffffff81200000, "", k), "vmstat_update");
	EXPECT_EQ(source_name(RTNOISE_KIND_TICK, 1, "", k), "POSIX_TIMER");
	EXPECT_EQ(source_name(RTNOISE_KIND_TICK, 4, "", k), "SCHED");
	EXPECT_EQ(source_name(RTNOISE_KIND_TICK, 16, "", k), "RCU");
	EXPECT_STREQ(kind_name(RTNOISE_KIND_WORKQUEUE), "workqueue");
	EXPECT_STREQ(kind_name(99), "unknown");
}
