// SPDX-License-Identifier: GPL-2.0
// --on-spike and --stop-on-spike without a kernel: the rate limiter, the
// threshold, the cursor over a fake spike ring (kmod/rtnoise_ring.h's
// arithmetic), the environment and JSON of hostile names, and commands
// really spawned and reaped.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "../../kmod/rtnoise_ring.h"
#include "app/spike_action.hpp"
#include "cli/commands.hpp"
#include "render/render.hpp"
#include "util/error.hpp"

using namespace rtnoise;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMs = 1000000;

Spike spike(unsigned cpu, LatType t, std::uint64_t seq, std::uint64_t latency_ns)
{
	Spike sp;
	sp.cpu = cpu;
	sp.type = t;
	sp.seq = seq;
	sp.expected_ns = 1000 * kMs + seq * kMs;
	sp.observed_ns = sp.expected_ns + latency_ns;
	return sp;
}

// FakeRing - the spike rings of rtnoise.ko for some CPUs: a writer that
// appends, a reader as the SPIKES ioctl and Device::read_spikes_since()
// answer (at most max records a call, the oldest trusted ones first).
struct FakeRing {
	std::uint64_t cap = 8;
	std::uint32_t max = 3;
	std::map<std::pair<unsigned, LatType>, std::vector<Spike>> all;	 // by seq

	void write(unsigned cpu, LatType t, unsigned n = 1)
	{
		auto& v = all[{cpu, t}];
		for (unsigned i = 0; i < n; i++)
			v.push_back(spike(cpu, t, v.size(), 100000));
	}

	SpikeBatch read(unsigned cpu, LatType t, std::uint64_t from)
	{
		const auto& v = all[{cpu, t}];
		const std::uint64_t head = v.size();
		SpikeBatch b;
		for (;;) {
			const rtnoise_ring_window w = rtnoise_ring_plan(head, cap, 0, from, max);
			if (w.first > from)
				b.lost += w.first - from;
			for (std::uint64_t s = w.first; s < w.first + w.n; s++)
				b.spikes.push_back(v[s]);
			b.next_seq = w.first + w.n;
			if (b.next_seq == from)
				break;
			from = b.next_seq;
		}
		return b;
	}

	SpikeReader reader()
	{
		return [this](unsigned c, LatType t, std::uint64_t f) { return read(c, t, f); };
	}
};

std::string slurp(const fs::path& p)
{
	std::ifstream in(p);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

// wait_reaped - reap until nothing runs (at most 10 s).
void wait_reaped(ActionRunner& r)
{
	for (int i = 0; i < 1000 && r.running(); i++) {
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
		r.reap();
	}
	ASSERT_EQ(r.running(), 0u);
}

}  // namespace

TEST(RateLimiter, OneRunningAtATime)
{
	RateLimiter l(1, 5);
	EXPECT_TRUE(l.admit(0, 0));
	EXPECT_FALSE(l.admit(1, 1));  // the first still runs
	EXPECT_TRUE(l.admit(2, 0));
}

TEST(RateLimiter, AtMostSoManyInAnySecond)
{
	RateLimiter l(1, 5);
	for (int i = 0; i < 5; i++)
		EXPECT_TRUE(l.admit(i * 100 * kMs, 0)) << i;
	EXPECT_FALSE(l.admit(500 * kMs, 0));
	EXPECT_FALSE(l.admit(999 * kMs, 0));
	// A second after the first start, one more may start; not two.
	EXPECT_TRUE(l.admit(1000 * kMs, 0));
	EXPECT_FALSE(l.admit(1050 * kMs, 0));
	EXPECT_TRUE(l.admit(1100 * kMs, 0));
	// Refusals are not starts: a quiet second later, five again.
	for (int i = 0; i < 5; i++)
		EXPECT_TRUE(l.admit(5000 * kMs + i, 0)) << i;
	EXPECT_FALSE(l.admit(5000 * kMs + 5, 0));
}

TEST(OverThreshold, KeepsThoseAtOrOverInOrder)
{
	std::vector<Spike> v = {spike(1, LatType::irq, 0, 40000), spike(1, LatType::irq, 1, 50000),
				spike(2, LatType::thread, 0, 49999),
				spike(2, LatType::thread, 1, 900000)};
	auto over = over_threshold(v, 50000);
	ASSERT_EQ(over.size(), 2u);
	EXPECT_EQ(over[0].seq, 1u);
	EXPECT_EQ(over[1].cpu, 2u);
	EXPECT_EQ(over_threshold(v, 0).size(), 4u);  // default: every one
}

TEST(SpikeCursor, NoSpikeTwiceNoneMissed)
{
	FakeRing ring;
	SpikeCursor cur(CpuSet{1, 3});
	EXPECT_TRUE(cur.read(ring.reader()).empty());
	std::set<std::tuple<unsigned, LatType, std::uint64_t>> seen;
	std::uint64_t written = 0;
	// Writers that stay within the ring between reads: every record
	// once, across reads of several calls each (max 3 a call).
	for (unsigned round = 0; round < 20; round++) {
		ring.write(1, LatType::irq, round % 4);
		ring.write(3, LatType::thread, (round * 3) % 7);
		written += round % 4 + (round * 3) % 7;
		for (const Spike& sp : cur.read(ring.reader()))
			EXPECT_TRUE(seen.insert({sp.cpu, sp.type, sp.seq}).second)
				<< "twice: " << sp.cpu << " " << sp.seq;
	}
	EXPECT_EQ(seen.size(), written);
	EXPECT_EQ(cur.lost(), 0u);
	EXPECT_TRUE(cur.read(ring.reader()).empty());
}

TEST(SpikeCursor, RingWrapCountsTheOverwrittenAndGoesOn)
{
	FakeRing ring;	// 8 slots
	SpikeCursor cur(CpuSet{2});
	ring.write(2, LatType::thread, 5);
	EXPECT_EQ(cur.read(ring.reader()).size(), 5u);
	// 20 more while nobody reads: 12 of them overwritten.
	ring.write(2, LatType::thread, 20);
	auto got = cur.read(ring.reader());
	ASSERT_EQ(got.size(), 8u);
	EXPECT_EQ(got.front().seq, 17u);
	EXPECT_EQ(got.back().seq, 24u);
	EXPECT_EQ(cur.lost(), 12u);
	ring.write(2, LatType::thread, 2);
	got = cur.read(ring.reader());
	ASSERT_EQ(got.size(), 2u);
	EXPECT_EQ(got.front().seq, 25u);
	EXPECT_EQ(cur.lost(), 12u);
}

TEST(SpikeCursor, DropsRecordsItHadAndCountsGaps)
{
	// A reader that answers with records already returned and skips one
	// (a torn record dropped) without saying it was lost.
	SpikeCursor cur(CpuSet{0});
	int call = 0;
	SpikeReader r = [&](unsigned, LatType t, std::uint64_t from) {
		SpikeBatch b;
		if (t != LatType::irq)
			return b;
		if (call++ == 0) {
			b.spikes = {spike(0, t, 0, 1), spike(0, t, 1, 1)};
			b.next_seq = 2;
		} else {
			EXPECT_EQ(from, 2u);
			b.spikes = {spike(0, t, 1, 1), spike(0, t, 3, 1)};
			b.next_seq = 4;
		}
		return b;
	};
	EXPECT_EQ(cur.read(r).size(), 2u);
	auto got = cur.read(r);
	ASSERT_EQ(got.size(), 1u);
	EXPECT_EQ(got[0].seq, 3u);
	EXPECT_EQ(cur.lost(), 1u);
}

TEST(SpikeEnv, HostileNamesAreDataOnOneLine)
{
	Spike sp = spike(3, LatType::thread, 42, 1234567);
	sp.causes = {{"irq", "24:virtio0-input", 1000},
		     {"thread", "$(touch pwned)`id`;'\"\n\x1b[31m:7", 900000},
		     {"softirq", "TIMER", 2000}};
	auto env = spike_env(sp);
	ASSERT_EQ(env.size(), 5u);
	EXPECT_EQ(env[0], "RTNOISE_CPU=3");
	EXPECT_EQ(env[1], "RTNOISE_TYPE=thread");
	EXPECT_EQ(env[2], "RTNOISE_LATENCY_US=1234");
	EXPECT_EQ(env[3], "RTNOISE_CAUSE=thread $(touch pwned)`id`;'\"\\x0a\\x1b[31m:7");
	EXPECT_EQ(env[4], "RTNOISE_SEQ=42");
	for (const std::string& e : env)
		for (unsigned char c : e)
			EXPECT_GE(c, 0x20) << e;
	// A name the reader escaped already is not escaped twice.
	sp.causes = {{"thread", "evil\\x0aname:8", 1}};
	EXPECT_EQ(spike_env(sp)[3], "RTNOISE_CAUSE=thread evil\\x0aname:8");
	sp.causes.clear();
	EXPECT_EQ(spike_env(sp)[3], "RTNOISE_CAUSE=");
}

TEST(SpikeJson, HostileNamesParseBack)
{
	Spike sp = spike(1, LatType::irq, 7, 300000);
	sp.causes = {{"thread", "a\"b\\c\n\xff:9", 250000}};
	sp.unexplained_ns = 50000;
	const std::string line = render_spike_line(sp, true, 0);
	ASSERT_EQ(line.back(), '\n');
	EXPECT_EQ(line.find('\n'), line.size() - 1);
	const auto j = nlohmann::json::parse(line);
	EXPECT_EQ(j["cpu"], 1);
	EXPECT_EQ(j["type"], "irq");
	EXPECT_EQ(j["seq"], 7);
	EXPECT_EQ(j["latency_ns"], 300000);
	EXPECT_EQ(j["causes"][0]["name"], "a\"b\\c\n\xef\xbf\xbd:9");
}

TEST(ActionRunner, StdinAndEnvReachTheCommandAsData)
{
	const fs::path dir =
		fs::temp_directory_path() / ("rtnoise-action-" + std::to_string(::getpid()));
	fs::remove_all(dir);
	fs::create_directories(dir);
	Spike sp = spike(2, LatType::irq, 9, 77000);
	sp.causes = {{"thread", "$(touch " + (dir / "pwned").string() + ")", 70000}};
	{
		ActionRunner r("cd '" + dir.string() +
			       "' && cat > spike.$RTNOISE_SEQ.json && "
			       "printf '%s|%s|%s|%s' \"$RTNOISE_CPU\" \"$RTNOISE_TYPE\" "
			       "\"$RTNOISE_LATENCY_US\" \"$RTNOISE_CAUSE\" > env.txt");
		ASSERT_TRUE(r.admit(0));
		r.start(render_spike_line(sp, true, 0), spike_env(sp), "spike");
		EXPECT_FALSE(r.admit(1));  // one at a time
		wait_reaped(r);
		EXPECT_EQ(r.summary(),
			  "ran 1 commands, dropped 1 spikes (at most 1 running, 5 a second), "
			  "0 failed");
	}
	const auto j = nlohmann::json::parse(slurp(dir / "spike.9.json"));
	EXPECT_EQ(j["seq"], 9);
	EXPECT_EQ(slurp(dir / "env.txt"),
		  "2|irq|77|thread $(touch " + (dir / "pwned").string() + ")");
	EXPECT_FALSE(fs::exists(dir / "pwned"));
	fs::remove_all(dir);
}

TEST(ActionRunner, FailuresAreCounted)
{
	ActionRunner r("exit 3");
	ASSERT_TRUE(r.admit(0));
	r.start("{}\n", {}, "spike A");
	wait_reaped(r);
	ActionRunner k("kill -9 $$");
	ASSERT_TRUE(k.admit(0));
	k.start("{}\n", {}, "spike B");
	wait_reaped(k);
	EXPECT_NE(r.summary().find("1 failed"), std::string::npos) << r.summary();
	EXPECT_NE(k.summary().find("1 failed"), std::string::npos) << k.summary();
}

TEST(SpikeActionCli, OptionsOfAttachAndMonitor)
{
	CLI::App app{"rtnoise"};
	auto attach = setup_attach(app);
	auto monitor = setup_monitor(app);
	for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
		sub->callback([] {});
	EXPECT_THROW(app.parse("attach --cpus 1 --on-spike true", false), CLI::RequiresError);
	EXPECT_THROW(app.parse("attach --cpus 1 --duration 5 --stop-on-spike --no-sampler", false),
		     CLI::ExcludesError);
	app.parse("attach --cpus 1 --duration 5 --on-spike 'cat >x' --on-spike-threshold 2ms "
		  "--stop-on-spike",
		  false);
	SpikeActionOptions o = make_spike_action(attach->on_spike);
	EXPECT_EQ(o.command, "cat >x");
	EXPECT_EQ(o.threshold_ns, 2 * kMs);
	EXPECT_TRUE(o.stop);
	SpikeActionArgs bare;
	bare.threshold = "300";
	try {
		make_spike_action(bare);
		ADD_FAILURE() << "a threshold alone was taken";
	} catch (const Error& e) {
		EXPECT_EQ(e.code(), Exit::usage);
	}
	bare.command = "true";
	EXPECT_EQ(make_spike_action(bare).threshold_ns, 300000u);  // bare: us
	app.parse("monitor --cpus 2 --on-spike 'logger spike'", false);
	EXPECT_EQ(make_monitor_request(*monitor).on_spike.command, "logger spike");
}
