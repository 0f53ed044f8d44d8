// SPDX-License-Identifier: GPL-2.0
// The app/ pipeline without the CLI: collect() on fixture sources (what
// the sampler and the tracer would return), through analysis to render.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "app/session.hpp"
#include "events.hpp"
#include "host/host.hpp"
#include "render/render.hpp"
#include "util/error.hpp"
#include "util/utf8.hpp"

using namespace rtnoise;
using rtnoise::test::ev;

namespace {

const std::string kKallsyms = std::string(RTNOISE_FIXTURES) + "/kallsyms";

Snapshot sampled()
{
	Snapshot s;
	s.sampled = true;
	s.state = SamplerState::running;
	s.period_ns = 1000000;
	s.start_ns = 1000;
	s.end_ns = 1000 + 1000000000ULL;
	for (unsigned cpu : {2, 3}) {
		CpuResult c;
		c.cpu = cpu;
		c.running = true;
		s.cpus.push_back(c);
	}
	Spike sp;
	sp.cpu = 3;
	sp.type = LatType::thread;
	sp.seq = 0;
	sp.expected_ns = 500000;
	sp.observed_ns = 600000;
	s.spikes.push_back(sp);
	return s;
}

TraceData traced()
{
	TraceData t;
	t.start_ns = 1000;
	t.sources.push_back({3, kThread, 4242, 3, 90000, 80000, "noise-hog"});
	t.sources.push_back({3, kThread, 17, 2, 5000, 3000, "myapp"});
	t.sources.push_back({3, kIrq, 24, 10, 10000, 2000, "virtio0-input"});
	CpuTrace& c = t.cpus[3];
	c.events.push_back(ev(kThread, 4242, 0, 490000, 580000, 78000));
	c.events.push_back(ev(kIrq, 24, 1, 550000, 552000));
	c.events.push_back(ev(kThread, 17, 0, 580000, 590000));
	t.cpus[2];
	// Still on their CPUs when read: a busy loop, and the sampler.
	t.running.push_back({2, 900, "spin", 700000, 300000, 1000000, false});
	t.running.push_back({3, 55, "rtnoise/3", 990000, 5000, 1000000, true});
	return t;
}

CollectSources fixture(std::optional<Snapshot> s, std::optional<TraceData> t)
{
	CollectSources src;
	src.sampler = [s] { return s; };
	src.tracer = [t] { return t; };
	src.ksyms = [] { return Ksyms::parse(read_file(kKallsyms).value_or("")); };
	src.now = [] { return std::uint64_t{2000000000}; };
	return src;
}

const SourceRow* row(const Snapshot& s, unsigned cpu, const std::string& name)
{
	for (const SourceRow& r : s.sources)
		if (r.cpu == cpu && r.name == name)
			return &r;
	return nullptr;
}

}  // namespace

TEST(App, CollectJoinsTheSamplerAndTheTracer)
{
	Snapshot s = collect(fixture(sampled(), traced()), Workload{{"myapp"}, {}});
	ASSERT_TRUE(s.attributed);
	ASSERT_EQ(s.spikes.size(), 1u);
	const Spike& sp = s.spikes[0];
	EXPECT_EQ(sp.explained, Explained::history);
	ASSERT_FALSE(sp.causes.empty());
	EXPECT_EQ(sp.causes[0].name, "noise-hog:4242");

	EXPECT_FALSE(row(s, 3, "myapp:17")) << "the workload is not noise";
	const SourceRow* irq = row(s, 3, "24:virtio0-input");
	ASSERT_TRUE(irq);
	EXPECT_NE(irq->remedy.find("/proc/irq/24/smp_affinity_list"), std::string::npos);

	const SourceRow* spin = row(s, 2, "spin:900");
	ASSERT_TRUE(spin) << "a thread running when read is charged";
	EXPECT_TRUE(spin->running);
	EXPECT_EQ(spin->total_ns, 300000u);
	EXPECT_FALSE(row(s, 3, "rtnoise/3:55")) << "the sampler's thread is not noise";

	std::string text = render(s, RenderOptions{});
	EXPECT_NE(text.find("spin:900 (running)"), std::string::npos) << text;
	EXPECT_NE(text.find("What would remove them:"), std::string::npos) << text;
}

TEST(App, BpfOnlyTakesTheCpusAndTheSpanFromTheTracer)
{
	Snapshot s = collect(fixture(std::nullopt, traced()), {});
	EXPECT_FALSE(s.sampled);
	EXPECT_TRUE(s.attributed);
	ASSERT_EQ(s.cpus.size(), 2u);
	EXPECT_EQ(s.cpus[0].cpu, 2u);
	EXPECT_EQ(s.cpus[1].cpu, 3u);
	EXPECT_EQ(s.start_ns, 1000u);
	EXPECT_EQ(s.end_ns, 2000000000u);
	EXPECT_TRUE(row(s, 3, "myapp:17")) << "no workload named: every thread is noise";
}

TEST(App, SamplerOnlyHasNoCauses)
{
	Snapshot s = collect(fixture(sampled(), std::nullopt), {});
	EXPECT_TRUE(s.sampled);
	EXPECT_FALSE(s.attributed);
	EXPECT_TRUE(s.sources.empty());
}

TEST(App, NothingAttachedIsOneError)
{
	try {
		collect(fixture(std::nullopt, std::nullopt), {});
		FAIL() << "collect with nothing attached returned";
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::system);
		EXPECT_NE(std::string(e.what()).find("nothing attached"), std::string::npos);
	}
}

namespace {

// RecordingHost - a sampler that goes on recording spikes while it is
// read, and the kernel's joins of them, as rtnoise.ko and the BPF side
// keep them: spike seq is joined into entry seq % kCap, which the spike
// kCap newer takes over.
struct RecordingHost {
	static constexpr std::uint64_t kCap = 8;
	std::uint64_t head = 0;
	std::vector<std::pair<SpikeKey, SpikeCauses>> entries{kCap};

	static std::uint64_t at(std::uint64_t seq) { return 10000000 + seq * 1000000; }

	void record(std::uint64_t n)
	{
		for (; n; n--, head++) {
			SpikeCauses c;
			c.expected_ns = at(head);
			c.observed_ns = at(head) + 300000;
			c.parts.push_back({kThread, 4242, 300000});
			entries[head % kCap] = {{3, 1, head}, c};
		}
	}
	std::vector<std::pair<SpikeKey, SpikeCauses>> joins() const
	{
		std::vector<std::pair<SpikeKey, SpikeCauses>> out;
		for (const auto& e : entries)
			if (e.second.observed_ns)
				out.push_back(e);
		return out;
	}
	// read_spikes - the ring as the sampler copies it, while @during
	// more spikes are recorded
	Snapshot read_spikes(std::uint64_t during)
	{
		Snapshot s = sampled();
		s.spikes.clear();
		s.spike_capacity = kCap;
		for (std::uint64_t seq = head > kCap ? head - kCap : 0; seq < head; seq++) {
			Spike sp;
			sp.cpu = 3;
			sp.type = LatType::thread;
			sp.seq = seq;
			sp.expected_ns = at(seq);
			sp.observed_ns = at(seq) + 300000;
			s.spikes.push_back(sp);
		}
		record(during);
		return s;
	}
	TraceData trace() const
	{
		TraceData t = traced();
		t.cpus[3].events.clear();  // a busy CPU: its history is long gone
		t.cpus[3].lost = 1000000;
		t.causes_capacity = kCap;
		t.explained = joins();
		return t;
	}
};

CollectSources recording(RecordingHost& host, bool joins_first)
{
	CollectSources src = fixture(std::nullopt, std::nullopt);
	src.sampler = [&host] { return std::optional<Snapshot>(host.read_spikes(3)); };
	src.tracer = [&host] { return std::optional<TraceData>(host.trace()); };
	if (joins_first)
		src.joins = [&host] { return host.joins(); };
	return src;
}

}  // namespace

TEST(App, SpikesRecordedWhileReadKeepTheOldestJoins)
{
	RecordingHost host;
	host.record(RecordingHost::kCap);  // a full ring
	Snapshot s = collect(recording(host, true), {});
	ASSERT_EQ(s.spikes.size(), RecordingHost::kCap);
	for (const Spike& sp : s.spikes) {
		EXPECT_EQ(sp.explained, Explained::at_spike) << "spike " << sp.seq;
		EXPECT_EQ(sp.join_missing, JoinMissing::none) << "spike " << sp.seq;
		ASSERT_FALSE(sp.causes.empty()) << "spike " << sp.seq;
		EXPECT_EQ(sp.causes[0].name, "noise-hog:4242");
	}
}

TEST(App, JoinsOverwrittenBeforeTheReadAreCountedAsSuch)
{
	// A reader that takes the joins only after the spike rings loses the
	// joins of the oldest spikes to those recorded meanwhile.
	RecordingHost host;
	host.record(RecordingHost::kCap);
	Snapshot s = collect(recording(host, false), {});
	ASSERT_EQ(s.spikes.size(), RecordingHost::kCap);
	std::size_t overwritten = 0;
	for (const Spike& sp : s.spikes) {
		if (sp.seq < 3) {
			EXPECT_EQ(sp.explained, Explained::none) << "spike " << sp.seq;
			EXPECT_EQ(sp.join_missing, JoinMissing::overwritten) << "spike " << sp.seq;
			overwritten++;
		} else {
			EXPECT_EQ(sp.explained, Explained::at_spike) << "spike " << sp.seq;
		}
	}
	EXPECT_EQ(overwritten, 3u);
	const CpuResult& c = s.cpus[1];
	ASSERT_EQ(c.cpu, 3u);
	EXPECT_EQ(c.noise.joins_missing[static_cast<std::size_t>(JoinMissing::overwritten)], 3u);
	std::string text = render(s, RenderOptions{});
	EXPECT_NE(text.find("3 without causes (not joined when recorded: 3 overwritten by newer "
			    "spikes before read)"),
		  std::string::npos)
		<< text;
}

// /proc/self/cmdline is whatever bytes the caller passed (--workload
// $'w\xff'): cyclictest's JSON must stay valid UTF-8 all the same.
TEST(App, CyclictestCmdlineIsEscaped)
{
	char tmpl[] = "/tmp/rtnoise-app-XXXXXX";
	ASSERT_TRUE(::mkdtemp(tmpl));
	const fs::path root = tmpl;
	fs::create_directories(root / "proc/self");
	{
		std::ofstream f(root / "proc/self/cmdline", std::ios::binary);
		f << std::string("rtnoise\0attach\0--workload\0w\xff\x1b[2J\0", 33);
	}
	Snapshot s = sampled();
	const CyclictestInfo info = cyclictest_info(s, root);
	fs::remove_all(root);
	EXPECT_EQ(info.cmdline, "rtnoise attach --workload w\\xff\\x1b[2J");
	for (const std::string* f :
	     {&info.sysname, &info.nodename, &info.release, &info.kernel_version, &info.machine})
		EXPECT_TRUE(valid_utf8(*f)) << *f;
	const std::string out = render_cyclictest_json(s, LatType::thread, info);
	ASSERT_TRUE(valid_utf8(out));
	EXPECT_EQ(nlohmann::json::parse(out).at("cmdline:"),
		  "rtnoise attach --workload w\\xff\\x1b[2J");
}

// The key of hidden kernel functions: made once, 0600, read again by the
// next report; a key file others could read or write is not used.
TEST(App, KsymsKeyIsKeptPrivateForTheBoot)
{
	char tmpl[] = "/tmp/rtnoise-app-XXXXXX";
	ASSERT_TRUE(::mkdtemp(tmpl));
	const fs::path dir = fs::path(tmpl) / "state";
	const KsymsKey first = ksyms_key(dir);
	EXPECT_EQ(fs::status(dir / "ksyms-key").permissions() & fs::perms::mask,
		  fs::perms::owner_read | fs::perms::owner_write);
	EXPECT_EQ(ksyms_key(dir), first);
	EXPECT_NE(first, KsymsKey{});
	fs::permissions(dir / "ksyms-key", fs::perms::others_read, fs::perm_options::add);
	EXPECT_NE(ksyms_key(dir), first);
	fs::remove_all(tmpl);
}
