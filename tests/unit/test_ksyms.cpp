// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "analysis/attribution.hpp"
#include "analysis/series.hpp"
#include "events.hpp"
#include "host/ksyms.hpp"
#include "render/render.hpp"
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
	// Below every symbol: hidden, never the address.
	EXPECT_EQ(k.name_of(0x1000).rfind("hidden#", 0), 0u);
	EXPECT_EQ(k.name_of(0x1000).find("1000"), std::string::npos);
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
	EXPECT_NE(k.hidden_why().find("kptr_restrict"), std::string::npos) << k.hidden_why();
}

namespace {

// shows_address - whether text holds any 6 hex digits or more of addr.
bool shows_address(const std::string& text, std::uint64_t addr)
{
	char hex[17];
	std::snprintf(hex, sizeof(hex), "%llx", static_cast<unsigned long long>(addr));
	const std::string h = hex;
	for (std::size_t len = 6; len <= h.size(); len++)
		for (std::size_t i = 0; i + len <= h.size(); i++)
			if (text.find(h.substr(i, len)) != std::string::npos)
				return true;
	return false;
}

}  // namespace

TEST(Ksyms, HiddenSymbolsNeverShowTheirAddress)
{
	const KsymsKey key{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
	Ksyms k = Ksyms::parse("0000000000000000 T _stext\n", key);
	const std::uint64_t a = 0xffffffff810e5a10, b = 0xffffffff81200000;
	for (const std::string& s : {k.name_of(a), k.frame_of(a), k.name_of(b), k.frame_of(b)}) {
		EXPECT_EQ(s.rfind("hidden#", 0), 0u) << s;
		EXPECT_FALSE(shows_address(s, a)) << s;
		EXPECT_FALSE(shows_address(s, b)) << s;
	}
	// Identical functions group together, different ones stay apart.
	EXPECT_EQ(k.name_of(a), k.name_of(a));
	EXPECT_EQ(k.name_of(a), Ksyms::parse("", key).name_of(a));
	EXPECT_NE(k.name_of(a), k.name_of(b));
	EXPECT_EQ(k.frame_of(a + 4), k.frame_of(a + 4));
	EXPECT_NE(k.frame_of(a), k.frame_of(a + 4));
	// Another key (another boot) names them otherwise: nobody without
	// the key can test a guessed address against a name.
	EXPECT_NE(k.name_of(a), Ksyms::parse("", {1, 2}).name_of(a));
}

TEST(Ksyms, UnreadableKallsymsSaysWhy)
{
	Ksyms k = Ksyms::load("/nonexistent-rtnoise-root");
	EXPECT_EQ(k.name_of(0xffffffff81000000).rfind("hidden#", 0), 0u);
	EXPECT_NE(k.hidden_why().find("kallsyms"), std::string::npos) << k.hidden_why();
	// A symbol not found while the others show: another reason.
	Ksyms f = fixture();
	EXPECT_NE(f.hidden_why().find("no symbol"), std::string::npos) << f.hidden_why();
}

TEST(Attribute, HiddenSymbolsLeaveNoAddressInAnyReport)
{
	// kptr_restrict=2: every kernel function is hidden. Each rendering of
	// the report names the hrtimer and the stack frames without their
	// addresses, and says why and how to see them.
	const std::uint64_t fn = 0xffffffff810e5a10, ip = 0xffffffff81234567;
	Snapshot s;
	s.sampled = true;
	s.state = SamplerState::running;
	s.start_ns = 1000;
	s.end_ns = 1000 + 1000000000ULL;
	CpuResult c;
	c.cpu = 3;
	s.cpus.push_back(c);
	Spike sp;
	sp.cpu = 3;
	sp.type = LatType::irq;
	sp.expected_ns = 500000;
	sp.observed_ns = 600000;
	s.spikes.push_back(sp);
	TraceData t;
	t.start_ns = 1000;
	t.sources.push_back({3, RTNOISE_KIND_HRTIMER, fn, 3, 90000, 90000, ""});
	CpuTrace& ct = t.cpus[3];
	ct.events.push_back(test::ev(RTNOISE_KIND_HRTIMER, fn, 1, 490000, 610000));
	attribute(s, t, Ksyms::parse("0000000000000000 T _stext\n", {7, 9}));
	ASSERT_FALSE(s.sources.empty());
	s.spikes.front().stack = symbolize_stack({ip, fn}, Ksyms::parse("", {7, 9}));
	EXPECT_NE(s.symbols_hidden.find("kptr_restrict"), std::string::npos) << s.symbols_hidden;
	const std::string outs[] = {render_text(s, 10), render_json(s), render_html(s, 10),
				    render_prometheus(s, metrics_of(s, nullptr, 10), 0),
				    render_spike_line(s.spikes.front(), true, 0)};
	for (const std::string& out : outs) {
		EXPECT_FALSE(shows_address(out, fn)) << out;
		EXPECT_FALSE(shows_address(out, ip)) << out;
	}
	for (const std::string& out : {outs[0], outs[1], outs[2]})
		EXPECT_NE(out.find("kptr_restrict"), std::string::npos) << out;
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
